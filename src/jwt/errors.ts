/**
 * Why a token was refused. A closed union, so a caller can map every code to an HTTP answer.
 *
 * - `token_malformed`: not a compact JWS with a JSON header and claims set, or an unsupported header.
 * - `token_signature_invalid`: the signature does not match the key.
 * - `token_expired`: `exp` is in the past.
 * - `token_not_yet_valid`: `nbf` is in the future.
 * - `token_claim_invalid`: a claim (or the `kid` header) is missing, has the wrong type or value.
 * - `token_algorithm_invalid`: the header's `alg` is not the one the codec is pinned to.
 */
export type InvalidTokenCode =
  | 'token_malformed'
  | 'token_signature_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_claim_invalid'
  | 'token_algorithm_invalid'

const messages: Record<InvalidTokenCode, string> = {
  token_malformed: 'Token is malformed',
  token_signature_invalid: 'Token signature is invalid',
  token_expired: 'Token has expired',
  token_not_yet_valid: 'Token is not yet valid',
  token_claim_invalid: 'Token claim is invalid',
  token_algorithm_invalid: 'Token algorithm is not allowed',
}

/**
 * Thrown by `verify` when an access token is refused. The message never contains the token, any part
 * of it, a claim value or the key.
 *
 * @example
 * ```ts
 * try {
 *   await codec.verify(token)
 * } catch (error) {
 *   if (isInvalidTokenError(error) && error.code === 'token_expired') return refresh()
 *   throw error
 * }
 * ```
 */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError'
  /** Stable reason for the refusal. */
  readonly code: InvalidTokenCode
  /** The claim (or header parameter) at fault, when there is one. */
  readonly claim: string | undefined

  constructor(code: InvalidTokenCode, claim?: string) {
    // Only names of claims appear in messages, never their values.
    super(claim === undefined ? messages[code] : `${messages[code]} ("${claim}")`)
    this.code = code
    this.claim = claim
  }
}

/**
 * Tells whether a value is an {@link InvalidTokenError}, also across copies of the package.
 *
 * @example
 * ```ts
 * if (isInvalidTokenError(error)) return c.json({ error: 'invalid_token' }, 401)
 * ```
 */
export function isInvalidTokenError(value: unknown): value is InvalidTokenError {
  return (
    value instanceof InvalidTokenError ||
    (value instanceof Error &&
      value.name === 'InvalidTokenError' &&
      Object.hasOwn(messages, String((value as { code?: unknown }).code)))
  )
}
