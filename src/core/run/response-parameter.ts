import { refuseUnknownOptions } from '../declare/known-options.js'

/** Attributes of a cookie set through the {@link ResponseParameter}. */
export interface CookieOptions {
  /** Seconds until the cookie expires; 0 or less deletes it. */
  maxAge?: number | undefined
  expires?: Date | undefined
  /** Default `/`. */
  path?: string | undefined
  domain?: string | undefined
  /** Default: on, except for plain-HTTP requests to localhost (so local development works). */
  secure?: boolean | undefined
  /** Default `true`: scripts cannot read the cookie. */
  httpOnly?: boolean | undefined
  /** Default `'lax'`. `'none'` requires `secure`. */
  sameSite?: 'lax' | 'strict' | 'none' | undefined
  partitioned?: boolean | undefined
}

const COOKIE_OPTIONS = new Set([
  'maxAge',
  'expires',
  'path',
  'domain',
  'secure',
  'httpOnly',
  'sameSite',
  'partitioned',
])
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** Attribute values: no `;` and no control characters (checked by code point, see `isAttribute`). */
function isAttribute(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code < 0x20 || code === 0x7f || code === 0x3b) return false
  }
  return true
}

/** Framework-internal (not exported by the package): add headers known to be valid, see below. */
export const addTrustedHeaders: unique symbol = Symbol('gatehouse.addTrustedHeaders')
/** Framework-internal: what was set, without making a `Headers` that nothing set. */
export const setHeaders: unique symbol = Symbol('gatehouse.setHeaders')

/**
 * The response parameter (FastAPI's `response: Response`): declare `{ response: Response }` and set
 * the status, headers and cookies of the answer while still returning data, which the route's
 * response model validates and strips as usual. Errors (4xx/5xx answers) do not carry what was set
 * here, except cookies deleted or set before the error, which FastAPI drops too: they are dropped.
 * @example
 * app.post('/login', { inputs: { response: Response, form: OAuth2PasswordRequestForm }, response: User },
 *   ({ response, form }) => { response.setCookie('session', id); return user })
 */
export class ResponseParameter {
  #status: number | undefined

  /** The success status; default the route's `status`. */
  get status(): number | undefined {
    return this.#status
  }

  /** @throws TypeError for anything but an integer from 200 to 599 (or `undefined`, the default). */
  set status(status: number | undefined) {
    // 1xx are interim answers, never the final one (RFC 9110 §15.2); errors are thrown, not set.
    if (status !== undefined && (!Number.isInteger(status) || status < 200 || status > 599))
      throw new TypeError('response.status must be an integer from 200 to 599')
    this.#status = status
  }
  // Made when first asked for: most routes that declare the parameter set a status or a cookie,
  // or (the authorization server) only fixed headers, and a `Headers` checks every name and value.
  #headers: Headers | undefined
  #trusted: Readonly<Record<string, string>> | undefined

  /** Headers added to the answer (`set-cookie` goes through `setCookie`). */
  get headers(): Headers {
    this.#headers ??= new Headers()
    return this.#headers
  }

  /**
   * Headers the framework's own code adds, lower-case names and values it wrote itself (the token
   * endpoints' `Cache-Control: no-store`), so no `Headers` has to check them on every request.
   * What `headers` sets wins over them.
   */
  [addTrustedHeaders](headers: Readonly<Record<string, string>>): void {
    this.#trusted = this.#trusted === undefined ? headers : { ...this.#trusted, ...headers }
  }

  [setHeaders](): {
    readonly trusted: Readonly<Record<string, string>> | undefined
    readonly headers: Headers | undefined
  } {
    return { trusted: this.#trusted, headers: this.#headers }
  }
  readonly #cookies: string[] = []
  readonly #secureByDefault: () => boolean

  /**
   * @param secureByDefault whether cookies get `Secure` unless told otherwise; asked only when a
   * cookie is set.
   */
  constructor(secureByDefault: boolean | (() => boolean) = true) {
    this.#secureByDefault =
      typeof secureByDefault === 'function' ? secureByDefault : () => secureByDefault
  }

  /** The `Set-Cookie` header values, in order. */
  get cookies(): readonly string[] {
    return this.#cookies
  }

  /**
   * Set a cookie with safe defaults: `Path=/`, `HttpOnly`, `SameSite=Lax`, and `Secure` unless the
   * request was plain HTTP to localhost. The value is percent-encoded.
   * @throws TypeError for a name that is not a token or an attribute with `;` or control characters.
   */
  setCookie(name: string, value: string, options: CookieOptions = {}): void {
    refuseUnknownOptions('setCookie', options, COOKIE_OPTIONS)
    if (typeof name !== 'string' || !TOKEN.test(name))
      throw new TypeError('setCookie: `name` must be a cookie name (an HTTP token)')
    if (typeof value !== 'string') throw new TypeError('setCookie: `value` must be a string')
    // RFC 6265bis §4.1.3: browsers drop a `__Secure-` cookie without `Secure`, and a `__Host-`
    // one without `Secure`, with a `Domain` or a `Path` other than `/` (they accept `Secure` from
    // http://localhost, so the prefix wins over the local-development default).
    const prefix = /^__(secure|host)-/i.exec(name)?.[1]?.toLowerCase()
    if (prefix !== undefined && options.secure === false)
      throw new TypeError(
        `setCookie: a \`__${prefix === 'host' ? 'Host' : 'Secure'}-\` cookie must be \`secure\``,
      )
    if (prefix === 'host' && (options.domain !== undefined || (options.path ?? '/') !== '/'))
      throw new TypeError('setCookie: a `__Host-` cookie has no `domain` and the path `/`')
    const secure = options.secure ?? (prefix !== undefined || this.#secureByDefault())
    // RFC 6265bis §4.1.2.7 knows these three, in any case (as Starlette takes them); another
    // would be written into the header as given.
    const sameSite = (
      typeof options.sameSite === 'string'
        ? options.sameSite.toLowerCase()
        : (options.sameSite ?? 'lax')
    ) as 'lax' | 'strict' | 'none'
    if (sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none')
      throw new TypeError('setCookie: `sameSite` must be "lax", "strict" or "none"')
    if (sameSite === 'none' && !secure)
      throw new TypeError('setCookie: `sameSite: "none"` requires `secure`')
    const parts = [`${name}=${encodeURIComponent(value)}`]
    const path = attribute('path', options.path ?? '/')
    parts.push(`Path=${path}`)
    if (options.domain !== undefined) parts.push(`Domain=${attribute('domain', options.domain)}`)
    if (options.maxAge !== undefined) {
      if (!Number.isFinite(options.maxAge))
        throw new TypeError('setCookie: `maxAge` must be finite')
      parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAge))}`)
    }
    if (options.expires !== undefined) {
      if (!(options.expires instanceof Date) || Number.isNaN(options.expires.getTime()))
        throw new TypeError('setCookie: `expires` must be a valid Date')
      parts.push(`Expires=${options.expires.toUTCString()}`)
    }
    if (options.httpOnly ?? true) parts.push('HttpOnly')
    if (secure) parts.push('Secure')
    parts.push(`SameSite=${sameSite[0]?.toUpperCase()}${sameSite.slice(1)}`)
    if (options.partitioned) parts.push('Partitioned')
    this.#cookies.push(parts.join('; '))
  }

  /**
   * Delete a cookie: the same name, path and domain with `Max-Age=0`. Takes the options it was set
   * with (their `maxAge` and `expires` are ignored).
   */
  deleteCookie(name: string, options: CookieOptions = {}): void {
    // Set again with the attributes it was set with (a partitioned one only within its partition),
    // so the same options are taken; their lifetime is replaced.
    refuseUnknownOptions('deleteCookie', options, COOKIE_OPTIONS)
    this.setCookie(name, '', { ...options, maxAge: 0, expires: new Date(0) })
  }
}

function attribute(option: string, value: string): string {
  if (typeof value !== 'string' || !isAttribute(value))
    throw new TypeError(`setCookie: \`${option}\` must not contain ";" or control characters`)
  return value
}
