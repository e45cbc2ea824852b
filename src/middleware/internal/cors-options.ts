import { refuseUnknownOptions } from '../../core/declare/known-options.js'
import { originProblem } from '../../core/origin-text.js'
import { TOKEN } from './header-lists.js'

/** Settings of {@link cors}, following the Fetch standard's CORS protocol. */
export interface CORSOptions {
  /**
   * Which origins may read answers: one origin (`'https://app.example.com'`, exactly as browsers send
   * it: scheme, host, port if not the default, no path or trailing slash), a list of them, a RegExp
   * anchored with `^…$`, a predicate, or `'*'` for any origin (only without `credentials`).
   */
  origin: string | readonly string[] | RegExp | ((origin: string) => boolean)
  /**
   * Let browsers send cookies and HTTP authentication, and read the answer
   * (`Access-Control-Allow-Credentials: true`). Default false.
   */
  credentials?: boolean | undefined
  /** Methods a preflight allows; default GET, HEAD, PUT, PATCH, POST, DELETE. `'*'` echoes the asked method. */
  allowMethods?: readonly string[] | '*' | undefined
  /**
   * Request headers a preflight allows; by default (or `'*'`) the ones the browser asks for are echoed,
   * which, unlike the Fetch `*` wildcard, also covers `Authorization` and works with credentials.
   */
  allowHeaders?: readonly string[] | '*' | undefined
  /**
   * Answer headers scripts may read beyond the CORS-safelisted ones, e.g. `['WWW-Authenticate']`
   * so a browser client can read a 401's challenge. `'*'` means all, only without `credentials`.
   */
  exposeHeaders?: readonly string[] | '*' | undefined
  /** Seconds a browser may cache a preflight's answer; default 600 (Chromium caps it at 7,200). */
  maxAge?: number | undefined
}

/** Options resolved once, at set-up. */
export interface CORSSettings {
  /** `'*'`: any origin, answered with `*`; otherwise whether a request's `Origin` may read. */
  readonly allows: '*' | ((origin: string) => boolean)
  readonly credentials: boolean
  /** Joined method list, or `undefined` to echo the asked method. */
  readonly methods: string | undefined
  /** The methods a preflight may ask for, or `undefined` for any. */
  readonly methodSet: ReadonlySet<string> | undefined
  /** Joined header list, or `undefined` to echo the asked headers. */
  readonly headers: string | undefined
  /** The header names (lower case) a preflight may ask for, or `undefined` for any. */
  readonly headerSet: ReadonlySet<string> | undefined
  readonly expose: string | undefined
  readonly maxAge: string
}

const KNOWN = new Set([
  'origin',
  'credentials',
  'allowMethods',
  'allowHeaders',
  'exposeHeaders',
  'maxAge',
])
const DEFAULT_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE']
// A browser may send these on any simple request, so a list of allowed headers always has them,
// as Starlette's does: `allowHeaders: ['Authorization']` must not block a JSON body's Content-Type.
const SAFELISTED_HEADERS = ['Accept', 'Accept-Language', 'Content-Language', 'Content-Type']

/** Check the options and resolve them; every mistake is a `TypeError` naming the option. */
export function resolveCORSOptions(options: CORSOptions): CORSSettings {
  if (options === null || typeof options !== 'object')
    throw new TypeError(
      'cors: give an options object, e.g. cors({ origin: "https://app.example.com" })',
    )
  refuseUnknownOptions('cors', options, KNOWN)
  const credentials = options.credentials ?? false
  if (typeof credentials !== 'boolean') throw new TypeError('cors: `credentials` must be a boolean')
  const allows = resolveOrigin(options.origin, credentials)
  if (options.exposeHeaders === '*' && credentials)
    throw new TypeError(
      'cors: `exposeHeaders: "*"` is ignored by browsers with `credentials: true`: list the headers',
    )
  const maxAge = options.maxAge ?? 600
  if (!Number.isSafeInteger(maxAge) || maxAge < 0)
    throw new TypeError('cors: `maxAge` must be a non-negative integer (seconds)')
  const methods = tokenList('allowMethods', options.allowMethods, DEFAULT_METHODS)
  const listed = tokenList('allowHeaders', options.allowHeaders, undefined)
  const headers =
    listed &&
    [...new Map([...listed, ...SAFELISTED_HEADERS].map((name) => [name.toLowerCase(), name]))].map(
      ([, name]) => name,
    )
  return {
    allows,
    credentials,
    methods: methods?.join(', '),
    methodSet: methods && new Set(methods),
    headers: headers?.join(', '),
    headerSet: headers && new Set(headers.map((name) => name.toLowerCase())),
    expose:
      options.exposeHeaders === '*'
        ? '*'
        : tokenList('exposeHeaders', options.exposeHeaders, []).join(', '),
    maxAge: String(maxAge),
  }
}

function resolveOrigin(
  origin: CORSOptions['origin'],
  credentials: boolean,
): CORSSettings['allows'] {
  if (origin === '*') {
    if (credentials)
      throw new TypeError(
        'cors: `origin: "*"` cannot be used with `credentials: true` (browsers refuse it): list the origins, or give a RegExp or a function',
      )
    return '*'
  }
  if (typeof origin === 'string') {
    const only = checkOrigin(origin)
    return (candidate) => candidate === only
  }
  if (Array.isArray(origin)) {
    if (origin.length === 0) throw new TypeError('cors: `origin` lists no origin')
    const set = new Set((origin as readonly unknown[]).map(checkOrigin))
    return (candidate) => set.has(candidate)
  }
  if (origin instanceof RegExp) {
    if (origin.global || origin.sticky)
      throw new TypeError(
        'cors: an `origin` RegExp must not have the g or y flag (it would keep state)',
      )
    if (!origin.source.startsWith('^') || !origin.source.endsWith('$'))
      throw new TypeError(
        'cors: an `origin` RegExp must be anchored with ^…$, or https://app.example.com.evil.test would match',
      )
    // The anchors above can still leave a branch open (`/^https:\/\/a\.example|https:\/\/b\.example$/`
    // matches `https://a.example.evil.test`), so the whole origin must match, as Starlette's
    // `fullmatch` does.
    const whole = new RegExp(`^(?:${origin.source})$`, origin.flags)
    return (candidate) => whole.test(candidate)
  }
  if (typeof origin === 'function') return (candidate) => origin(candidate) === true
  throw new TypeError(
    'cors: `origin` must be "*", an origin, a list of origins, a RegExp or a function',
  )
}

/** An origin as a browser serializes it in the `Origin` header, or a `TypeError` saying what to write. */
function checkOrigin(origin: unknown): string {
  if (typeof origin !== 'string' || origin === '')
    throw new TypeError('cors: each `origin` must be a non-empty string')
  if (origin === '*') throw new TypeError('cors: `"*"` cannot be one entry of an `origin` list')
  if (origin === 'null')
    throw new TypeError(
      'cors: the "null" origin is sent by sandboxed and file: documents and proves nothing; use a function if you must allow it',
    )
  if (origin.includes(','))
    throw new TypeError(
      `cors: \`origin\` ${JSON.stringify(origin)} holds a comma: give several origins as a list, e.g. ["https://a.example", "https://b.example"]`,
    )
  const problem = originProblem(origin)
  if (problem !== undefined)
    throw new TypeError(`cors: \`origin\` ${JSON.stringify(origin)} ${problem}`)
  return origin
}

/** The names of a list option, checked; `undefined` for `'*'`. */
function tokenList<D extends readonly string[] | undefined>(
  name: string,
  value: readonly string[] | '*' | undefined,
  fallback: D,
): readonly string[] | D {
  if (value === undefined) return fallback
  if (value === '*') return undefined as D
  if (!Array.isArray(value)) throw new TypeError(`cors: \`${name}\` must be a list of names or "*"`)
  for (const item of value as readonly unknown[]) {
    // `*` is a token, but in a list it would go out as the Fetch wildcard, which browsers take
    // literally once credentials are involved: the string '*' (echo, or all) says what is meant.
    if (item === '*')
      throw new TypeError(
        `cors: \`${name}\` lists "*": give the string "*" instead of a list, or name the entries`,
      )
    if (typeof item !== 'string' || !TOKEN.test(item))
      throw new TypeError(
        `cors: \`${name}\` has an entry that is not a header or method name: ${JSON.stringify(item)}`,
      )
  }
  return value
}
