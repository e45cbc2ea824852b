import * as z4 from 'zod/v4/core'
import type { ValidationErrorItem } from './errors.js'
import type { Schema } from './inputs.js'

/** The schema's own definition, through wrappers that do not change the wire shape. */
export function unwrapSchema(schema: Schema): z4.$ZodTypes {
  let current = schema as z4.$ZodTypes
  for (let depth = 0; depth < 20; depth++) {
    const def = current._zod.def
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'nonoptional':
      case 'readonly':
      case 'catch':
        current = def.innerType as z4.$ZodTypes
        break
      case 'pipe':
        current = def.in as z4.$ZodTypes
        break
      default:
        return current
    }
  }
  return current
}

export function isArraySchema(schema: Schema): boolean {
  const type = unwrapSchema(schema)._zod.def.type
  return type === 'array' || type === 'set'
}

export function isObjectSchema(schema: Schema): boolean {
  return unwrapSchema(schema)._zod.def.type === 'object'
}

export function isFileSchema(schema: Schema): boolean {
  const inner = unwrapSchema(schema)
  if (inner._zod.def.type === 'file') return true
  if (inner._zod.def.type === 'array') return isFileSchema(inner._zod.def.element as Schema)
  return false
}

/** The keys of an object schema's shape. */
export function objectShape(schema: Schema): Record<string, Schema> {
  const inner = unwrapSchema(schema)
  return inner._zod.def.type === 'object' ? (inner._zod.def.shape as Record<string, Schema>) : {}
}

type Coerce = (raw: string) => unknown

/**
 * Text-to-value conversion for inputs that arrive as strings (path, query, header, cookie, form),
 * chosen once from the schema: `?limit=10` reaches `z.number()` as 10 without `z.coerce`, as in
 * FastAPI. Text that does not convert is passed on unchanged so the schema reports it.
 */
export function textCoercer(schema: Schema): Coerce | undefined {
  const inner = unwrapSchema(schema)
  switch (inner._zod.def.type) {
    case 'number':
      return (raw) => {
        const trimmed = raw.trim()
        const n = Number(trimmed)
        return trimmed !== '' && Number.isFinite(n) ? n : raw
      }
    case 'bigint':
      return (raw) => {
        try {
          return /^\s*-?\d+\s*$/.test(raw) ? BigInt(raw.trim()) : raw
        } catch {
          return raw
        }
      }
    case 'boolean':
      return (raw) => {
        const lower = raw.trim().toLowerCase()
        if (['true', '1', 'yes', 'on', 't', 'y'].includes(lower)) return true
        if (['false', '0', 'no', 'off', 'f', 'n'].includes(lower)) return false
        return raw
      }
    case 'null':
      return (raw) => (raw === '' || raw === 'null' ? null : raw)
    default:
      return undefined
  }
}

/** Like {@link textCoercer} for list inputs: converts each element. */
export function listCoercer(schema: Schema): Coerce | undefined {
  const inner = unwrapSchema(schema)
  const def = inner._zod.def
  if (def.type === 'array') return textCoercer(def.element as Schema)
  if (def.type === 'set') return textCoercer(def.valueType as Schema)
  return undefined
}

/** Validate `value` with `schema`, mapping every Zod issue to FastAPI's error shape under `loc`. */
/** A validated value, or every problem found in FastAPI's error shape. */
export type Validated = { ok: true; value: unknown } | { ok: false; errors: ValidationErrorItem[] }

export function validate(
  schema: Schema,
  value: unknown,
  loc: readonly (string | number)[],
): Validated {
  // Asking Zod to report inputs makes every parse several times slower; only failures need them.
  const result = z4.safeParse(schema, value)
  if (result.success) return { ok: true, value: result.data }
  const detailed = z4.safeParse(schema, value, { reportInput: true })
  const issues = (detailed.error ?? result.error).issues
  return { ok: false, errors: issues.map((issue) => toErrorItem(issue, loc, value)) }
}

/**
 * Validate synchronously, falling back to {@link validateAsync} only for schemas with async
 * refinements or transforms: most schemas never pay for a promise.
 */
export function validateSyncFirst(
  schema: Schema,
  value: unknown,
  loc: readonly (string | number)[],
): Validated | Promise<Validated> {
  try {
    return validate(schema, value, loc)
  } catch (error) {
    if (error instanceof z4.$ZodAsyncError) return validateAsync(schema, value, loc)
    throw error
  }
}

/** Async variant for schemas with async refinements or transforms. */
export async function validateAsync(
  schema: Schema,
  value: unknown,
  loc: readonly (string | number)[],
): Promise<Validated> {
  const result = await z4.safeParseAsync(schema, value)
  if (result.success) return { ok: true, value: result.data }
  const detailed = await z4.safeParseAsync(schema, value, { reportInput: true })
  const issues = (detailed.error ?? result.error).issues
  return { ok: false, errors: issues.map((issue) => toErrorItem(issue, loc, value)) }
}

function toErrorItem(
  issue: z4.$ZodIssue,
  loc: readonly (string | number)[],
  root: unknown,
): ValidationErrorItem {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
  const fullLoc = [...loc, ...path]
  const raw = issue as { input?: unknown; code: string }
  const missing = issue.code === 'invalid_type' && !('input' in raw && raw.input !== undefined)
  if (missing && valueAt(root, path) === undefined) {
    return { type: 'missing', loc: fullLoc, msg: 'Field required', input: parentOf(root, path) }
  }
  const item: ValidationErrorItem = { type: issue.code, loc: fullLoc, msg: issue.message }
  item.input = fullLoc.some(isSecretKey)
    ? REDACTED
    : toJSONSafe('input' in raw ? raw.input : valueAt(root, path))
  const ctx = issueContext(issue)
  if (ctx) item.ctx = ctx
  return item
}

function issueContext(issue: z4.$ZodIssue): Record<string, unknown> | undefined {
  switch (issue.code) {
    case 'too_small':
      return { minimum: toJSONSafe(issue.minimum), inclusive: issue.inclusive ?? true }
    case 'too_big':
      return { maximum: toJSONSafe(issue.maximum), inclusive: issue.inclusive ?? true }
    case 'invalid_value':
      return { expected: issue.values.map(toJSONSafe) }
    case 'invalid_format':
      return { format: issue.format }
    case 'invalid_type':
      return { expected: issue.expected }
    default:
      return undefined
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<PropertyKey, unknown>)[key]
  }
  return current
}

function parentOf(root: unknown, path: readonly PropertyKey[]): unknown {
  if (path.length === 0) return null
  return toJSONSafe(valueAt(root, path.slice(0, -1)) ?? null)
}

const REDACTED = '[redacted]'
const SECRET_KEY = /pass(word|wd)?|secret|token|api[-_]?key|authorization|credential/i

function isSecretKey(key: string | number): boolean {
  return typeof key === 'string' && SECRET_KEY.test(key)
}

/**
 * Values echoed in error bodies must serialize and must not leak secrets: fields named like
 * passwords, secrets or tokens are redacted, files become their names, bigints strings.
 */
function toJSONSafe(value: unknown, depth = 0): unknown {
  if (value === undefined) return null
  if (value !== null && typeof value === 'object' && !(value instanceof Blob)) {
    if (depth > 8) return null
    if (Array.isArray(value)) return value.map((entry) => toJSONSafe(entry, depth + 1))
    const safe: Record<string, unknown> = {}
    for (const [key, entry] of Object.entries(value))
      safe[key] = isSecretKey(key) ? REDACTED : toJSONSafe(entry, depth + 1)
    return safe
  }
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  if (typeof File !== 'undefined' && value instanceof File) return `<file ${value.name}>`
  if (value instanceof Blob) return '<blob>'
  return value
}

/** Whether the input may be absent (`.optional()`, `.default()`, ...). */
export function isOptionalSchema(schema: Schema): boolean {
  const optin = (schema._zod as { optin?: string }).optin
  return optin === 'optional' || optin === 'defaulted'
}
