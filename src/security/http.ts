import { SecurityScheme, type SecuritySchemeObject } from '../core/declare/security-scheme.js'
import { checkRealm } from '../core/errors/challenge-params.js'
import { HTTPException } from '../core/errors/index.js'
import type { RequestView } from '../core/run/request-view.js'
import {
  authorizationParts,
  frozenModel,
  missing,
  requireString,
  schemeSettings,
} from './internal/scheme.js'
import type { SchemeOptions, SchemeValue } from './scheme-options.js'

/** The scheme and credentials of an `Authorization` header (`Bearer`, `Digest`, ...). */
export interface HTTPAuthorizationCredentials {
  /** The scheme as the client sent it (`Bearer`, `bearer`, ...). */
  readonly scheme: string
  readonly credentials: string
}

/** A user name and password from `Authorization: Basic ...`. */
export interface HTTPBasicCredentials {
  readonly username: string
  readonly password: string
}

/** Options of {@link HTTPBearer}. */
export interface HTTPBearerOptions<A extends boolean = true> extends SchemeOptions<A> {
  /** A hint for clients about the token's format, e.g. `'JWT'` (documentation only). */
  bearerFormat?: string | undefined
}

/** Options of {@link HTTPBasic}. */
export interface HTTPBasicOptions<A extends boolean = true> extends SchemeOptions<A> {
  /** Sent in the challenge, `WWW-Authenticate: Basic realm="..."`. */
  realm?: string | undefined
}

/**
 * The OpenAPI model of an HTTP scheme. Its `scheme` (`'bearer'`, `'digest'`, `'basic'`) is also what
 * tells `HTTPBearer` and `HTTPDigest` apart to the type checker: they give the same credentials.
 */
export type HTTPSchemeObject<S extends string = string> = SecuritySchemeObject & {
  readonly type: 'http'
  readonly scheme: S
}

/** Credentials of the named `Authorization` scheme, or `undefined`. */
function credentialsFor(
  request: RequestView,
  scheme: string,
): HTTPAuthorizationCredentials | undefined {
  const parts = authorizationParts(request.header('authorization'))
  return parts && parts.scheme.toLowerCase() === scheme ? parts : undefined
}

/**
 * HTTP Bearer authentication: gives `{ scheme, credentials }` from `Authorization: Bearer <token>`.
 * Missing credentials, another scheme or an empty token answer 401 with `WWW-Authenticate: Bearer`.
 * @example
 * const bearer = new HTTPBearer({ bearerFormat: 'JWT' })
 * app.get('/me', { inputs: { auth: bearer } }, ({ auth }) => verify(auth.credentials))
 */
export class HTTPBearer<A extends boolean = true> extends SecurityScheme<
  SchemeValue<HTTPAuthorizationCredentials, A>
> {
  readonly schemeName: string
  readonly autoError: A
  readonly model: HTTPSchemeObject<'bearer'>

  constructor(options: HTTPBearerOptions<A> = {}) {
    super()
    const owner = new.target.name
    const settings = schemeSettings(owner, options)
    const { bearerFormat } = options
    this.schemeName = settings.schemeName
    this.autoError = settings.autoError as A
    this.model = frozenModel({
      type: 'http',
      ...settings.docs,
      scheme: 'bearer',
      ...(bearerFormat === undefined
        ? {}
        : { bearerFormat: requireString(owner, 'bearerFormat', bearerFormat) }),
    })
  }

  /** The credentials, or `undefined`/401 when there are none. */
  extract(request: RequestView): SchemeValue<HTTPAuthorizationCredentials, A> {
    return credentialsFor(request, 'bearer') ?? missing(this.autoError, 'Bearer')
  }
}

/**
 * HTTP Digest authentication, documented only: gives the raw `{ scheme, credentials }` of
 * `Authorization: Digest ...` for your code to check, or 401 with `WWW-Authenticate: Digest`.
 * @example const digest = new HTTPDigest()
 */
export class HTTPDigest<A extends boolean = true> extends SecurityScheme<
  SchemeValue<HTTPAuthorizationCredentials, A>
> {
  readonly schemeName: string
  readonly autoError: A
  readonly model: HTTPSchemeObject<'digest'>

  constructor(options: SchemeOptions<A> = {}) {
    super()
    const settings = schemeSettings(new.target.name, options)
    this.schemeName = settings.schemeName
    this.autoError = settings.autoError as A
    this.model = frozenModel({ type: 'http', ...settings.docs, scheme: 'digest' })
  }

  /** The credentials, or `undefined`/401 when there are none. */
  extract(request: RequestView): SchemeValue<HTTPAuthorizationCredentials, A> {
    return credentialsFor(request, 'digest') ?? missing(this.autoError, 'Digest')
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** `user:pass` from base64, split at the first colon; `undefined` when it is not that. */
function decodeBasic(encoded: string): HTTPBasicCredentials | undefined {
  if (!BASE64.test(encoded)) return undefined
  let text: string
  try {
    text = utf8.decode(Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0)))
  } catch {
    return undefined
  }
  const colon = text.indexOf(':')
  if (colon < 0) return undefined
  return { username: text.slice(0, colon), password: text.slice(colon + 1) }
}

/**
 * HTTP Basic authentication: gives `{ username, password }`. Missing credentials answer 401
 * `Not authenticated`; credentials that are not base64 of UTF-8 `user:password` answer 401
 * `Invalid authentication credentials`, also with `autoError: false` (they are present, but
 * broken), as FastAPI's `HTTPBasic` answers them. Both carry `WWW-Authenticate: Basic` (with `realm="..."` when set), so browsers ask.
 * Compare the password in constant time (`crypto.timingSafeEqual`) in your dependency.
 * @example
 * const basic = new HTTPBasic({ realm: 'admin' })
 * app.get('/admin', { inputs: { credentials: basic } }, ({ credentials }) => ...)
 */
export class HTTPBasic<A extends boolean = true> extends SecurityScheme<
  SchemeValue<HTTPBasicCredentials, A>
> {
  readonly schemeName: string
  readonly autoError: A
  readonly model: HTTPSchemeObject<'basic'>
  /** The realm sent in the challenge, if any. */
  readonly realm: string | undefined
  readonly #challenge: string

  constructor(options: HTTPBasicOptions<A> = {}) {
    super()
    const owner = new.target.name
    const settings = schemeSettings(owner, options)
    const realm = checkRealm(owner, options.realm)
    this.schemeName = settings.schemeName
    this.autoError = settings.autoError as A
    this.realm = realm
    this.model = frozenModel({ type: 'http', ...settings.docs, scheme: 'basic' })
    this.#challenge =
      realm === undefined ? 'Basic' : `Basic realm="${realm.replace(/["\\]/g, '\\$&')}"`
  }

  /** The decoded credentials, or `undefined`/401 when there are none; 401 when malformed. */
  extract(request: RequestView): SchemeValue<HTTPBasicCredentials, A> {
    const parts = credentialsFor(request, 'basic')
    if (!parts) return missing(this.autoError, this.#challenge)
    const credentials = decodeBasic(parts.credentials)
    if (credentials) return credentials
    throw new HTTPException(401, {
      detail: 'Invalid authentication credentials',
      headers: { 'WWW-Authenticate': this.#challenge },
    })
  }
}
