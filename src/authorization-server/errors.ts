import type { OAuth2ErrorCode } from '../core/errors/index.js'
import {
  BadRequestError,
  BodyTooLargeError,
  OAuth2Error,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnsupportedContentEncodingError,
} from '../core/errors/index.js'
import { addTrustedHeaders, type ResponseParameter } from '../core/run/response-parameter.js'

const NO_STORE = Object.freeze({ 'cache-control': 'no-store', pragma: 'no-cache' })

/**
 * Marks a successful answer as never to be cached (RFC 6749 §5.1), through the response
 * parameter, so the endpoint returns data rather than a Web `Response` (the Node engine's fast
 * path).
 */
export function noStore(response: ResponseParameter): void {
  response[addTrustedHeaders](NO_STORE)
}

/**
 * An RFC 6749 §5.2 error from one of the server's endpoints, never cached. `description` is for
 * developers and never holds a value from the request; `status` replaces the code's usual one.
 */
export function oauthError(
  code: OAuth2ErrorCode,
  description: string,
  status?: number,
): OAuth2Error {
  return new OAuth2Error(code, description, {
    headers: NO_STORE,
    ...(status === undefined ? {} : { status }),
  })
}

/**
 * The endpoints' `mapError`: what the framework refuses before an endpoint runs (a body over the
 * limit, a malformed request) is answered as an OAuth 2.0 error too, so a client parses every
 * answer of the endpoint alike. 413 keeps its status, with `invalid_request` (RFC 6749 §5.2: a
 * malformed request); a 503 keeps its status and `Retry-After`. Anything else is left as it is.
 */
export function asOAuthError(error: unknown): unknown {
  if (error instanceof BodyTooLargeError)
    return oauthError('invalid_request', 'The request body is too large', 413)
  if (error instanceof BadRequestError) return oauthError('invalid_request', error.reason)
  if (error instanceof UnsupportedContentEncodingError)
    return oauthError('invalid_request', 'The request body must not be compressed', 415)
  if (error instanceof ServiceUnavailableError && !(error instanceof TemporarilyUnavailableError))
    return new TemporarilyUnavailableError(error)
  return error
}

/**
 * A 503 of an endpoint (the store busy or closed, the hashing queue full), kept with its
 * `Retry-After`, in the shape of the endpoint's other errors and never cached. RFC 6749 §5.2 has
 * no code for it; `temporarily_unavailable` (§4.1.2.1's, for the authorization endpoint) is what
 * clients read as "try again later", as for the login throttle's 429.
 */
class TemporarilyUnavailableError extends ServiceUnavailableError {
  constructor(original: ServiceUnavailableError) {
    super(original.retryAfter, original.message, { cause: original })
  }

  override get headers(): Readonly<Record<string, string>> {
    return { ...super.headers, ...NO_STORE }
  }

  override body(): unknown {
    return retryLater('The server cannot answer now', this.retryAfter)
  }
}

/** `invalid_client` (401), with the `Basic` challenge that says how to authenticate (§5.2). */
export function invalidClient(description: string, realm: string): OAuth2Error {
  return new OAuth2Error('invalid_client', description, {
    headers: NO_STORE,
    challenge: `Basic realm="${realm.replace(/[\\"]/g, '\\$&')}"`,
  })
}

/**
 * Too many failed logins for a username or from an address: 429 with `Retry-After`, and an
 * RFC 6749-shaped body (`temporarily_unavailable`, the registered code clients treat as "try
 * again later") so token-endpoint clients parse it like every other error of the endpoint.
 * @example
 * try { await server.authenticateUser(login) } catch (error) {
 *   if (error instanceof LoginThrottledError) return page(`Try again in ${error.retryAfter} s`)
 * }
 */
export class LoginThrottledError extends TooManyRequestsError {
  constructor(retryAfter: number) {
    super(retryAfter, 'Too many failed login attempts')
  }

  override get headers(): Readonly<Record<string, string>> {
    return { ...super.headers, ...NO_STORE }
  }

  override body(): unknown {
    return retryLater('Too many failed login attempts', this.retryAfter)
  }
}

/** Too many registrations from one address (RFC 7591 endpoint): 429 with `Retry-After`. */
export class RegistrationThrottledError extends TooManyRequestsError {
  constructor(retryAfter: number) {
    super(retryAfter, 'Too many client registrations')
  }

  override get headers(): Readonly<Record<string, string>> {
    return { ...super.headers, ...NO_STORE }
  }

  override body(): unknown {
    return retryLater('Too many client registrations', this.retryAfter)
  }
}

/** The RFC 6749-shaped body of every "try again later" answer of the endpoints. */
function retryLater(reason: string, retryAfter: number) {
  const seconds = `${retryAfter} second${retryAfter === 1 ? '' : 's'}`
  return { error: 'temporarily_unavailable', error_description: `${reason}; retry in ${seconds}` }
}
