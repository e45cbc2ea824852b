/**
 * Every stable error code Gatehouse raises, one closed union so a caller can switch over all of them.
 *
 * - Requests: `http_exception` (an `HTTPException`, its own status), `request_validation_failed`,
 *   `body_too_large`, `request_timeout`, `unsupported_media_type`, `bad_request` (a malformed
 *   request head), `request_aborted` (the client closed the connection mid-request),
 *   `too_many_requests`, `service_unavailable`.
 * - Server bugs: `response_validation_failed` (a handler returned what its `response` refuses).
 * - Bearer tokens (RFC 6750 `invalid_token`): the `token_*` codes; `insufficient_scope`;
 *   `key_source_unavailable` when the keys or the introspection endpoint cannot be reached.
 * - OAuth 2.0 endpoints, with their RFC `error` values: RFC 6749 §4.1.2.1 and §5.2, RFC 7009,
 *   RFC 7591 and RFC 8707.
 */
export type GatehouseErrorCode =
  | 'http_exception'
  | 'request_validation_failed'
  | 'response_validation_failed'
  | 'body_too_large'
  | 'request_timeout'
  | 'unsupported_media_type'
  | 'bad_request'
  | 'request_aborted'
  | 'too_many_requests'
  | 'service_unavailable'
  | InvalidTokenCode
  | 'insufficient_scope'
  | 'key_source_unavailable'
  | OAuth2ErrorCode

/**
 * Why a bearer token was refused.
 *
 * - `token_malformed`: not a compact JWS with a JSON header and claims set, or an unsupported header.
 * - `token_signature_invalid`: the signature does not match the key.
 * - `token_expired`: `exp` is in the past.
 * - `token_not_yet_valid`: `nbf` (or `iat`) is in the future.
 * - `token_claim_invalid`: a claim (or the `kid` header) is missing, has the wrong type or value.
 * - `token_algorithm_invalid`: the header's `alg` is not one the verifier allows.
 * - `token_key_unknown`: no verification key has the token's `kid`.
 * - `token_type_invalid`: the header's `typ` is not the required one (RFC 9068 `at+jwt`).
 * - `token_inactive`: introspection answered `active: false`, or the token was revoked.
 */
export type InvalidTokenCode =
  | 'token_malformed'
  | 'token_signature_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_claim_invalid'
  | 'token_algorithm_invalid'
  | 'token_key_unknown'
  | 'token_type_invalid'
  | 'token_inactive'

/** The `error` values of OAuth 2.0 endpoints (RFC 6749 §4.1.2.1, §5.2; RFC 7009; RFC 7591; RFC 8707). */
export type OAuth2ErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'unsupported_token_type'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_target'

/** How an error code is answered when nothing overrides it (an entry of `ERROR_ANSWERS`). */
export interface CodeAnswer {
  /** The HTTP status. */
  readonly status: number
  /** A server fault: logged once, answered with a bare 500 that shows nothing of the error. */
  readonly internal?: true
  /** Nobody is listening for the answer (the client went away): log at debug level at most. */
  readonly quiet?: true
}

const TOKEN: CodeAnswer = { status: 401 }
const OAUTH2: CodeAnswer = { status: 400 }

/** The one table from error code to HTTP answer. */
export const ERROR_ANSWERS: Readonly<Record<GatehouseErrorCode, CodeAnswer>> = Object.freeze({
  http_exception: { status: 500 },
  request_validation_failed: { status: 422 },
  response_validation_failed: { status: 500, internal: true },
  body_too_large: { status: 413 },
  request_timeout: { status: 408 },
  unsupported_media_type: { status: 415 },
  bad_request: { status: 400 },
  request_aborted: { status: 400, quiet: true },
  too_many_requests: { status: 429 },
  service_unavailable: { status: 503 },
  token_malformed: TOKEN,
  token_signature_invalid: TOKEN,
  token_expired: TOKEN,
  token_not_yet_valid: TOKEN,
  token_claim_invalid: TOKEN,
  token_algorithm_invalid: TOKEN,
  token_key_unknown: TOKEN,
  token_type_invalid: TOKEN,
  token_inactive: TOKEN,
  insufficient_scope: { status: 403 },
  key_source_unavailable: { status: 503 },
  invalid_request: OAUTH2,
  invalid_client: { status: 401 },
  invalid_grant: OAUTH2,
  unauthorized_client: OAUTH2,
  unsupported_grant_type: OAUTH2,
  invalid_scope: OAUTH2,
  access_denied: { status: 403 },
  unsupported_response_type: OAUTH2,
  server_error: { status: 500 },
  temporarily_unavailable: { status: 503 },
  unsupported_token_type: OAUTH2,
  invalid_redirect_uri: OAUTH2,
  invalid_client_metadata: OAUTH2,
  invalid_target: OAUTH2,
})

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({})

/**
 * Base of every error Gatehouse raises on purpose: a literal `name`, a stable `code` from
 * {@link GatehouseErrorCode}, structured fields on each subclass, and a default HTTP answer read
 * from {@link ERROR_ANSWERS}. Messages never contain tokens, passwords, secrets or header values.
 * Anything thrown that is not a `GatehouseError` is a 500, logged once.
 * @example
 * if (isGatehouseError(error) && error.code === 'token_expired') return refresh()
 */
export abstract class GatehouseError extends Error {
  abstract override readonly name: string
  abstract readonly code: GatehouseErrorCode

  /** The HTTP status this error is answered with. */
  get status(): number {
    return ERROR_ANSWERS[this.code].status
  }

  /** Whether this is a server fault (logged; a bare 500 is sent) rather than the client's. */
  get internal(): boolean {
    return ERROR_ANSWERS[this.code].internal === true
  }

  /** Whether nobody awaits the answer (the client went away): not worth an error log. */
  get quiet(): boolean {
    return ERROR_ANSWERS[this.code].quiet === true
  }

  /** Headers of the default answer (a challenge, `Retry-After`, ...). */
  get headers(): Readonly<Record<string, string>> {
    return NO_HEADERS
  }

  /** The JSON body of the default answer; FastAPI's `{"detail": …}` unless a subclass says otherwise. */
  body(): unknown {
    return { detail: this.message }
  }
}

/**
 * Tells whether a value is a {@link GatehouseError}, also across two copies of the package (it checks
 * the code against the table rather than the class).
 */
export function isGatehouseError(value: unknown): value is GatehouseError {
  return (
    value instanceof GatehouseError ||
    (value instanceof Error &&
      typeof (value as { code?: unknown }).code === 'string' &&
      Object.hasOwn(ERROR_ANSWERS, (value as unknown as { code: string }).code) &&
      typeof (value as { body?: unknown }).body === 'function')
  )
}
