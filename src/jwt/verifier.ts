import { InvalidTokenError } from '../core/errors/index.js'
import type { JWTVerifierAlgorithm } from './algorithms.js'
import { type ClaimRules, type VerifiedToken, validateClaims } from './claims.js'
import { createCompactParser } from './compact.js'
import { DiscoveredKeySource } from './issuer-discovery.js'
import { type KeySource, localKeySource, readKeySet } from './key-set.js'
import { RemoteKeySet, type RemoteKeySetSettings } from './remote-key-set.js'
import type { TokenVerifier } from './token-verifier.js'
import { type CryptoRuntime, defaultRuntime } from './verification-key.js'
import { VerifiedTokenCache } from './verified-cache.js'
import {
  type JWTVerifierOptions,
  type ResolvedVerifierOptions,
  resolveVerifierOptions,
} from './verifier-options.js'

/**
 * Creates a verifier for access tokens from an issuer: keys from a JWKS given in code, a `jwksUri`
 * (fetched, cached by `kid`, refetched on rotation) or the issuer's RFC 8414 / OpenID metadata;
 * algorithms allow-listed (never taken from the token alone) and matched against each key's
 * `kty`, `crv` and `alg`; `iss`, `aud` (required), `exp` (required), `nbf`, `iat` and optionally the
 * RFC 9068 `typ` checked; scopes read from `scope`, `scp` or the claim you name.
 *
 * @example
 * ```ts
 * const verifier = createJWTVerifier({
 *   issuer: 'https://auth.example.com/',
 *   audience: 'https://api.example.com',
 * })
 * const getCurrentUser = createCurrentPrincipal({ scheme, jwt: verifier, loadPrincipal })
 * ```
 */
export function createJWTVerifier(options: JWTVerifierOptions): TokenVerifier {
  return buildJWTVerifier(options, defaultRuntime)
}

/** {@link createJWTVerifier} with the crypto runtime chosen, so tests can run both paths. */
export function buildJWTVerifier(
  options: JWTVerifierOptions,
  runtime: CryptoRuntime,
): TokenVerifier {
  const resolved = resolveVerifierOptions(options)
  const parse = createCompactParser({ algorithms: resolved.algorithms, typ: resolved.typ })
  const clock = () => {
    const seconds = resolved.now()
    // A broken clock must not make every `exp` look fine (NaN compares false).
    if (!Number.isFinite(seconds))
      throw new TypeError('createJWTVerifier: "now" must return seconds')
    return seconds
  }
  const keys = keySource(resolved, runtime, clock)
  const rules: ClaimRules = {
    issuer: resolved.issuer,
    audience: resolved.audience,
    scopes: resolved.scopeClaims,
    clockTolerance: resolved.clockTolerance,
    accessTokenClaims:
      resolved.typ !== undefined && /^(?:application\/)?at\+jwt$/i.test(resolved.typ),
  }
  const cache = new VerifiedTokenCache(resolved.cacheSize, resolved.clockTolerance)

  /** Checks the signature with `key`, then the claims: synchronously unless the check is async. */
  const checkWith = (
    token: string,
    parts: ReturnType<typeof parse>,
    key: Awaited<ReturnType<KeySource['key']>>,
  ): VerifiedToken | Promise<VerifiedToken> => {
    const alg = parts.alg as JWTVerifierAlgorithm
    const accept = (valid: boolean) => {
      if (!valid) throw new InvalidTokenError('token_signature_invalid')
      return cache.set(token, validateClaims(parts.payload, rules, clock()))
    }
    const checked = key.verify(alg, parts.signingInput, parts.signature)
    return checked instanceof Promise ? checked.then(accept) : accept(checked)
  }

  const verifyNow = (token: string): VerifiedToken | Promise<VerifiedToken> => {
    if (typeof token === 'string') {
      const cached = cache.get(token, clock())
      if (cached !== undefined) return cached
    }
    const parts = parse(token)
    const found = keys.key(parts.kid, parts.alg as JWTVerifierAlgorithm)
    return found instanceof Promise
      ? found.then((key) => checkWith(token, parts, key))
      : checkWith(token, parts, found)
  }

  return {
    async verify(token) {
      return verifyNow(token)
    },
    verifyNow,
  }
}

function keySource(
  resolved: ResolvedVerifierOptions,
  runtime: CryptoRuntime,
  now: () => number,
): KeySource {
  if (resolved.keys !== undefined) {
    const strict = { owner: 'createJWTVerifier', algorithms: resolved.algorithms }
    return localKeySource(readKeySet(resolved.keys, runtime, strict))
  }
  const { allowHTTP, ...limits } = resolved.remote
  const settings: RemoteKeySetSettings = { ...limits, now, runtime }
  if (resolved.jwksUri !== undefined) return new RemoteKeySet(resolved.jwksUri, settings)
  return new DiscoveredKeySource(resolved.issuer, { ...settings, allowHTTP })
}
