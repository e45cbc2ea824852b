import type { VerifiedToken } from './claims.js'

/**
 * Anything that turns a bearer token into a {@link VerifiedToken} or refuses it: a JWT codec, a JWT
 * verifier over an issuer's keys, an introspection client, or your own. It throws
 * `InvalidTokenError` for a bad token and `KeySourceUnavailableError` when it cannot decide right
 * now; anything else it throws is a server fault (500).
 *
 * @example
 * ```ts
 * const verifier: TokenVerifier = createJWTVerifier({ issuer, audience, jwksUri })
 * const { subject, scopes } = await verifier.verify(token)
 * ```
 */
export interface TokenVerifier {
  verify(token: string): Promise<VerifiedToken>
  /**
   * The same check, answering synchronously when it can (a cached token, an HMAC or a key already
   * at hand) and with a promise otherwise; it may also throw. `createCurrentPrincipal` prefers it,
   * so a request whose every step is synchronous never waits on a promise.
   */
  verifyNow?(token: string): VerifiedToken | Promise<VerifiedToken>
}
