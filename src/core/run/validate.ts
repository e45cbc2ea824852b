import * as z4 from 'zod/v4/core'
import type { Schema } from '../declare/inputs.js'
import type { ValidationErrorItem } from '../errors/index.js'
import { findInSchema } from '../schema-walk.js'

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
  return { ok: false, errors: issues.flatMap((issue) => toErrorItems(issue, loc, value)) }
}

// Schemas found to need an async parse. The sync attempt has already called the refinement or
// transform that returned a promise (a lookup started) before Zod gives up, so it is made once per
// schema, not once per request.
const asyncSchemas = new WeakSet<Schema>()

const inspected = new WeakSet<Schema>()

/**
 * Whether the schema has a refinement or transform declared `async`, found without running it: a
 * sync attempt would start it and leave its promise to reject unhandled (a lookup that fails would
 * end the process). A sync function returning a promise is only found by trying.
 */
function declaresAsync(schema: Schema): boolean {
  return findInSchema(schema, { matches: hasAsyncWork, pipe: 'both' }) !== undefined
}

function hasAsyncWork(def: z4.$ZodTypes['_zod']['def']): boolean {
  const checks = (def as { checks?: readonly { _zod: { def: { fn?: unknown } } }[] }).checks
  if (checks?.some((check) => isAsyncFunction(check._zod.def.fn))) return true
  return def.type === 'promise' || (def.type === 'transform' && isAsyncFunction(def.transform))
}

function isAsyncFunction(fn: unknown): boolean {
  return Object.prototype.toString.call(fn) === '[object AsyncFunction]'
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
  if (!inspected.has(schema)) {
    inspected.add(schema)
    if (declaresAsync(schema)) asyncSchemas.add(schema)
  }
  if (asyncSchemas.has(schema)) return validateAsync(schema, value, loc)
  try {
    return validate(schema, value, loc)
  } catch (error) {
    if (!(error instanceof z4.$ZodAsyncError)) throw error
    asyncSchemas.add(schema)
    return validateAsync(schema, value, loc)
  }
}

/**
 * Async variant for schemas with async refinements or transforms: one parse that reports inputs,
 * as such a schema's own work (a lookup) outweighs that cost, and a second parse on failure would
 * run the lookup again.
 */
export async function validateAsync(
  schema: Schema,
  value: unknown,
  loc: readonly (string | number)[],
): Promise<Validated> {
  const result = await z4.safeParseAsync(schema, value, { reportInput: true })
  if (result.success) return { ok: true, value: result.data }
  return {
    ok: false,
    errors: result.error.issues.flatMap((issue) => toErrorItems(issue, loc, value)),
  }
}

/**
 * A strict object's unknown keys are one Zod issue; Pydantic reports each as its own
 * `extra_forbidden` under the key, with the key's value as input (`["query","tool"]`).
 */
function toErrorItems(
  issue: z4.$ZodIssue,
  loc: readonly (string | number)[],
  root: unknown,
): ValidationErrorItem[] {
  if (issue.code !== 'unrecognized_keys') return [toErrorItem(issue, loc, root)]
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
  return issue.keys.map((key) => {
    const fullLoc = [...loc, ...path, key]
    const input = isSecretLoc(fullLoc) ? REDACTED : toJSONSafe(valueAt(root, [...path, key]))
    return { type: 'extra_forbidden', loc: fullLoc, msg: 'Extra inputs are not permitted', input }
  })
}

function toErrorItem(
  issue: z4.$ZodIssue,
  loc: readonly (string | number)[],
  root: unknown,
): ValidationErrorItem {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
  const fullLoc = [...loc, ...path]
  const raw = issue as { input?: unknown; code: string }
  if (ABSENCE_CODES.has(issue.code) && valueAt(root, path) === undefined) {
    const parent = parentOf(root, path)
    const input = fullLoc[0] === 'cookie' ? redactedValues(parent) : parent
    return { type: 'missing', loc: fullLoc, msg: 'Field required', input }
  }
  const item: ValidationErrorItem = { type: issue.code, loc: fullLoc, msg: issue.message }
  item.input = isSecretLoc(fullLoc)
    ? REDACTED
    : toJSONSafe('input' in raw ? raw.input : valueAt(root, path))
  const ctx = issueContext(issue)
  if (ctx) item.ctx = ctx
  return item
}

// What a schema's own type check says of an absent value: `z.string()` (invalid_type), a union
// (invalid_union), an enum or literal (invalid_value). Absent is `missing` whatever the type, as
// Pydantic says; a refinement's own issue (custom) keeps its message.
const ABSENCE_CODES: ReadonlySet<string> = new Set([
  'invalid_type',
  'invalid_union',
  'invalid_value',
])

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

/** The value at `path` below `root`; `undefined` where the path leaves the objects. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
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

/** What a 422 echoes in place of a secret's value. */
export const REDACTED = '[redacted]'
// Names that hold secrets, in any case and with any separator: `password`, `client_secret`,
// `refresh_token`, `apiKey`, `private_key`, `jwt`, `bearerToken`, `signature`, `code_verifier`
// (PKCE, RFC 7636 §7.1), `x-csrf`, `XSRF-TOKEN`, ...
const SECRET_KEY =
  /pass|pwd|secret|token|api[-_]?key|private[-_]?key|authorization|credential|cookie|session|jwt|bearer|signature|verifier|csrf|xsrf/i
// `pass` anywhere (`newpass`, `passkey`, `dbpass`): `compass` and `passengers` are redacted too,
// a price worth paying, since an echoed password is not.
// Short names that are secrets only as a whole word (`pin`, `x-auth`, `authHeader`, `refresh`,
// `nonce`): `shipping`, `footprint`, `author`, `refreshes` and `announce` are not. Not `code`:
// `country_code` is no secret.
const SECRET_WORDS: ReadonlySet<string> = new Set([
  'nonce',
  'pin',
  'otp',
  'cvc',
  'cvv',
  'ssn',
  'auth',
  'refresh',
  'sig',
])

/**
 * Whether an error's location holds a secret: a field named like one, anywhere on the path, or
 * any cookie. Cookies are credentials whatever their name (`sid`, `connect.sid`, `__Host-x`), and
 * a strict cookie model reports the browser's other cookies as `extra_forbidden`: never echoed.
 */
function isSecretLoc(loc: readonly (string | number)[]): boolean {
  return loc[0] === 'cookie' || loc.some(isSecretKey)
}

/** An object's keys with every value redacted (the cookies a missing cookie field was read from). */
function redactedValues(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.keys(value).map((key) => [key, REDACTED]))
}

function isSecretKey(key: string | number): boolean {
  if (typeof key !== 'string') return false
  if (SECRET_KEY.test(key)) return true
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/)
  return words.some((word) => SECRET_WORDS.has(word))
}

/**
 * Values echoed in error bodies must serialize and must not leak secrets: fields named like
 * passwords, secrets or tokens are redacted, files become their names, bigints strings.
 */
function toJSONSafe(value: unknown, depth = 0): unknown {
  if (value === undefined) return null
  // A Date or a Set made from the JSON or text sent is echoed as what was sent: a date's ISO text,
  // a set's list (Object.entries of either is empty, so both were echoed as {}).
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
  if (value instanceof Set) return toJSONSafe([...value], depth)
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
