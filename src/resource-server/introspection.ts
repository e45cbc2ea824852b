import type { JWTPayload } from 'jose'
import { InvalidTokenError, KeySourceUnavailableError } from '../core/errors/index.js'
import { type ClaimRules, checkClaims, type VerifiedToken } from '../jwt/claims.js'
import { deepFreeze } from '../jwt/deep-freeze.js'
import { type FetchFailure, fetchFailureOf, fetchJSON } from '../jwt/fetch-json.js'
import type { TokenVerifier } from '../jwt/token-verifier.js'
import {
  type IntrospectionVerifierOptions,
  isClientRefused,
  resolveIntrospection,
} from './introspection-options.js'

interface Entry {
  readonly verified: VerifiedToken
  /** When it was cached (epoch seconds, the verifier's clock). */
  readonly at: number
  /** Epoch seconds after which the answer is asked again. */
  readonly until: number
}

/**
 * Creates a verifier for opaque (or any) access tokens that asks the authorization server (RFC
 * 7662 token introspection, the API authenticated as a client). A revoked token stops working as
 * soon as the server says so, or after `cacheMaxAge` seconds at most when its answer is cached.
 * `active: false` is `token_inactive` (401); an unreachable or broken endpoint is
 * `KeySourceUnavailableError` (503); the API's own credentials refused is a server fault (500).
 * Concurrent checks of one token share one request. Use it as `createCurrentPrincipal`'s `jwt`.
 *
 * @example
 * ```ts
 * const verifier = createIntrospectionVerifier({
 *   endpoint: 'https://auth.example.com/introspect',
 *   clientId: 'orders-api',
 *   clientSecret: process.env.INTROSPECTION_SECRET!,
 *   audience: 'https://orders.example.com',
 * })
 * ```
 */
export function createIntrospectionVerifier(options: IntrospectionVerifierOptions): TokenVerifier {
  const resolved = resolveIntrospection(options)
  const { endpoint, headers, form, limits, now, cacheSize, cacheMaxAge } = resolved
  const rules: ClaimRules = {
    issuer: resolved.issuer,
    audience: resolved.audience,
    scopes: resolved.scopeClaims,
    clockTolerance: resolved.clockTolerance,
  }
  const cache = new Map<string, Entry>()
  const pending = new Map<string, Promise<VerifiedToken>>()
  // One failure stands for the same failure again within a cool-down, so an outage is logged
  // once per 30 s rather than once per request (the default error answer logs each cause once).
  let failure: { readonly error: Error; readonly at: number } | undefined
  const failed = (error: unknown): Error => {
    const described = fetchFailureOf('Token introspection at', endpoint, error)
    const at = now()
    if (
      failure === undefined ||
      failure.error.message !== described.message ||
      at - failure.at >= 30
    )
      failure = { error: described, at }
    return failure.error
  }

  const introspect = async (token: string): Promise<VerifiedToken> => {
    let answer: Record<string, unknown>
    try {
      answer = await fetchJSON(
        endpoint,
        {
          method: 'POST',
          headers: {
            ...headers,
            accept: 'application/json',
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ ...form, token, token_type_hint: 'access_token' }).toString(),
        },
        limits,
      )
    } catch (error) {
      if (isClientRefused(error))
        throw new Error(
          `Token introspection refused this API's client credentials (${(error as FetchFailure).status}): check clientId and clientSecret`,
        )
      throw new KeySourceUnavailableError('Token introspection is unavailable right now', 5, {
        cause: failed(error),
      })
    }
    if (answer.active === false) throw new InvalidTokenError('token_inactive')
    if (answer.active !== true)
      throw new KeySourceUnavailableError('Token introspection answered without "active"', 5, {
        cause: failed(new Error('answered without "active"')),
      })
    // RFC 6749 §1.5, RFC 6750 §1.2: a refresh token is the authorization server's business, never
    // a resource server's; issuers that introspect both kinds (Duende, Ory) say which it is.
    const { token_type: type } = answer
    if (typeof type === 'string' && /^refresh[_-]?token$/i.test(type))
      throw new InvalidTokenError('token_type_invalid', 'token_type')
    // `sub` is optional in RFC 7662; a client's own token (client credentials) often has none,
    // and then speaks for its `client_id`, as RFC 9068 §2.2 writes `sub` for such tokens.
    const claims =
      answer.sub === undefined && typeof answer.client_id === 'string' && answer.client_id !== ''
        ? { ...answer, sub: answer.client_id }
        : answer
    const at = now()
    const verified = checkClaims(claims as JWTPayload, rules, at, false)
    // Shared by every request that hits the cache: nobody may change it for the others.
    deepFreeze(verified)
    if (cacheSize > 0 && cacheMaxAge > 0) {
      const exp = typeof answer.exp === 'number' ? answer.exp : Number.POSITIVE_INFINITY
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string)
      cache.set(token, { verified, at, until: Math.min(exp, at + cacheMaxAge) })
    }
    return verified
  }

  return {
    async verify(token) {
      if (typeof token !== 'string' || token === '') throw new InvalidTokenError('token_malformed')
      const hit = cache.get(token)
      if (hit !== undefined) {
        const at = now()
        // Not before it was cached either: a clock that stepped back must not stretch its age.
        if (hit.at <= at && at < hit.until) return hit.verified
        cache.delete(token)
      }
      let request = pending.get(token)
      if (request === undefined) {
        request = introspect(token).finally(() => pending.delete(token))
        pending.set(token, request)
      }
      return request
    },
  }
}
