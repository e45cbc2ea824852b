import type * as z4 from 'zod/v4/core'
import { parseISODateTime } from './date-text.js'
import type { Schema } from './declare/inputs.js'

/**
 * The schema a wrapper that does not change the wire shape (optional, nullable, default, …)
 * wraps; `undefined` for any other kind, a pipe included (its sides differ: callers choose one).
 */
export function wrappedSchema(def: z4.$ZodTypes['_zod']['def']): z4.$ZodTypes | undefined {
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return def.innerType as z4.$ZodTypes
    default:
      return undefined
  }
}

/**
 * A `Set` of the values, as FastAPI's `set[…]` merges duplicates; two `Date`s of one instant are
 * one value too (a Set compares objects by identity, and each converted text is a new Date).
 */
export function uniqueSet<T>(values: readonly T[]): Set<T> {
  const set = new Set<T>()
  const instants = new Set<number>()
  for (const value of values) {
    if (value instanceof Date) {
      if (instants.has(value.getTime())) continue
      instants.add(value.getTime())
    }
    set.add(value)
  }
  return set
}

/** The schema's own definition, through wrappers that do not change the wire shape. */
export function unwrapSchema(schema: Schema): z4.$ZodTypes {
  let current = schema as z4.$ZodTypes
  for (let depth = 0; depth < 20; depth++) {
    const def = current._zod.def
    const inner = wrappedSchema(def) ?? (def.type === 'pipe' ? (def.in as z4.$ZodTypes) : undefined)
    if (inner === undefined) return current
    current = inner
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

/**
 * Whether a bare schema is the JSON body by FastAPI's rule that models go to the body: an object,
 * a record or an intersection, a list, set or tuple of those (`images: list[Image]`), or a union
 * with such a member (`Union[A, B]`). A list of scalars stays a query parameter.
 */
export function isModelSchema(schema: Schema, depth = 0): boolean {
  if (depth > 8) return false
  const def = unwrapSchema(schema)._zod.def
  switch (def.type) {
    case 'object':
    case 'record':
    case 'intersection':
      return true
    case 'array':
      return isModelSchema(def.element as Schema, depth + 1)
    case 'set':
      return isModelSchema(def.valueType as Schema, depth + 1)
    case 'tuple':
      return [...def.items, ...(def.rest ? [def.rest] : [])].some((item) =>
        isModelSchema(item as Schema, depth + 1),
      )
    case 'union':
      return (def.options as readonly Schema[]).some((option) => isModelSchema(option, depth + 1))
    case 'lazy':
      return isModelSchema(def.getter() as Schema, depth + 1)
    default:
      return false
  }
}

export function isFileSchema(schema: Schema): boolean {
  const inner = unwrapSchema(schema)
  if (inner._zod.def.type === 'file') return true
  if (inner._zod.def.type === 'array') return isFileSchema(inner._zod.def.element as Schema)
  return false
}

/**
 * Whether an object schema refuses keys it does not declare (`z.strictObject`, `.strict()`: a
 * `never` catchall), as a Pydantic model with `extra: "forbid"` does.
 */
export function isStrictObjectSchema(schema: Schema): boolean {
  const def = unwrapSchema(schema)._zod.def
  return def.type === 'object' && def.catchall?._zod.def.type === 'never'
}

/** The keys of an object schema's shape. */
export function objectShape(schema: Schema): Record<string, Schema> {
  const inner = unwrapSchema(schema)
  return inner._zod.def.type === 'object' ? (inner._zod.def.shape as Record<string, Schema>) : {}
}

type Coerce = (raw: string) => unknown

// Pydantic's grammar for numbers in text: `Number()` alone would also take `0x10`, `0b101`, `0o17`,
// ` 5 ` and `5.`, so several spellings would reach a handler as the same id.
const DECIMAL = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/
const INTEGER = /^[+-]?\d+$/

/**
 * Text-to-value conversion for inputs that arrive as strings (path, query, header, cookie, form),
 * chosen once from the schema: `?limit=10` reaches `z.number()` as 10 without `z.coerce`, and
 * `?since=2026-12-01T10:00:00Z` reaches `z.date()` as a `Date`, as in FastAPI. Text that does not convert is passed on unchanged so the schema reports it.
 */
export function textCoercer(schema: Schema, depth = 0): Coerce | undefined {
  const inner = unwrapSchema(schema)
  const def = inner._zod.def
  switch (def.type) {
    case 'number':
      return toNumber
    case 'bigint':
      return (raw) => (INTEGER.test(raw) ? BigInt(raw) : raw)
    case 'boolean':
      return toBoolean
    case 'date':
      return toDate
    case 'null':
      return (raw) => (raw === '' || raw === 'null' ? null : raw)
    case 'literal':
      return literalCoercer(def.values)
    case 'enum':
      // A TypeScript numeric enum (`z.enum(Enum)`) has number values.
      return literalCoercer(Object.values(def.entries))
    case 'lazy':
      return depth < 8 ? textCoercer(def.getter() as Schema, depth + 1) : undefined
    case 'union':
      return depth < 8 ? unionCoercer(def.options as readonly Schema[], depth + 1) : undefined
    default:
      return undefined
  }
}

function toNumber(raw: string): unknown {
  if (!DECIMAL.test(raw)) return raw
  const n = Number(raw)
  return Number.isFinite(n) ? n : raw
}

function toDate(raw: string): unknown {
  return parseISODateTime(raw) ?? raw
}

function toBoolean(raw: string): unknown {
  const lower = raw.trim().toLowerCase()
  if (['true', '1', 'yes', 'on', 't', 'y'].includes(lower)) return true
  if (['false', '0', 'no', 'off', 'f', 'n'].includes(lower)) return false
  return raw
}

/**
 * `?v=5` for `z.literal(5)` (or a numeric enum): the value whose text it is. A string among the
 * values is taken as it is, so `z.literal(['5', 5])` keeps `'5'`.
 */
function literalCoercer(values: Iterable<unknown>): Coerce | undefined {
  const byText = new Map<string, unknown>()
  for (const value of values) {
    if (typeof value === 'string') byText.set(value, value)
    else if (value === null || ['number', 'bigint', 'boolean'].includes(typeof value)) {
      const text = String(value)
      if (!byText.has(text)) byText.set(text, value)
    }
  }
  if ([...byText.values()].every((value) => typeof value === 'string')) return undefined
  return (raw) => (byText.has(raw) ? byText.get(raw) : raw)
}

/**
 * A union converts as its members do, as Pydantic's smart mode picks: text a string member takes
 * as it is stays text (`z.union([z.string(), z.number()])` keeps `'7'`), else the first member
 * that converts it wins (`z.union([z.number(), z.literal('all')])` makes `'7'` 7 and keeps `'all'`).
 */
function unionCoercer(options: readonly Schema[], depth: number): Coerce | undefined {
  const takesAnyText = options.some((option) => {
    const type = unwrapSchema(option)._zod.def.type
    return type === 'string' || type === 'template_literal'
  })
  if (takesAnyText) return undefined
  const coercers = options
    .map((option) => textCoercer(option, depth))
    .filter((coerce): coerce is Coerce => coerce !== undefined)
  if (coercers.length === 0) return undefined
  return (raw) => {
    for (const coerce of coercers) {
      const value = coerce(raw)
      if (value !== raw) return value
    }
    return raw
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

/** Whether the input may be absent (`.optional()`, `.default()`, ...). */
export function isOptionalSchema(schema: Schema): boolean {
  const optin = (schema._zod as { optin?: string }).optin
  return optin === 'optional' || optin === 'defaulted'
}

/**
 * Whether the schema's own shape takes `null` (`.nullable()`, `z.null()`, a union with such a
 * member, `z.any()`), decided without running it. A JSON `null` a body schema does not take is
 * read as absent, as FastAPI reads `None`.
 */
export function acceptsNull(schema: Schema, depth = 0): boolean {
  if (depth > 8) return false
  const def = (schema as z4.$ZodTypes)._zod.def
  switch (def.type) {
    case 'null':
    case 'nullable':
    case 'any':
    case 'unknown':
      return true
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return acceptsNull(def.innerType as Schema, depth + 1)
    case 'pipe':
      return acceptsNull(def.in as Schema, depth + 1)
    case 'lazy':
      return acceptsNull(def.getter() as Schema, depth + 1)
    case 'union':
      return (def.options as readonly Schema[]).some((option) => acceptsNull(option, depth + 1))
    case 'literal':
      return def.values.includes(null)
    default:
      return false
  }
}
