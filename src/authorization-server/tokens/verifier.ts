import { type JWTHeaderParameters, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose'
import {
  type GatehouseError,
  InvalidTokenError,
  isGatehouseError,
} from '../../core/errors/index.js'
import { isCanonicalCompactJWS } from '../../jwt/compact.js'
import type { VerifiedToken } from '../../jwt/index.js'
import { VerifiedTokenCache } from '../../jwt/verified-cache.js'
import { SIGNING_ALGORITHMS } from '../keys/key-material.js'
import type { KeyRing } from '../keys/key-ring.js'
import type { TokenStore } from '../store/store.js'

/** How {@link AccessTokenVerifier.verify} checks a token besides its signature and times. */
export interface VerifyOptions {
  /** The token's `aud` must name one of these; `undefined` accepts any audience. */
  readonly audience?: readonly string[] | undefined
  /** Also refuse revoked tokens (`token_inactive`); default true. */
  readonly checkRevocation?: boolean
}

/** Verifies this server's access tokens against its own keys. */
export interface AccessTokenVerifier {
  verify(token: string, options?: VerifyOptions): Promise<VerifiedToken>
  /** Whether a verified token was revoked, itself or through its grant. */
  isRevoked(token: VerifiedToken): Promise<boolean>
}

/** Verified tokens remembered per verifier (each a few hundred bytes). */
const CACHE_SIZE = 1_000

/**
 * A verifier over the key ring with jose: `typ: at+jwt`, this issuer, the `kid`'s own algorithm,
 * `exp`, `iat`, `jti`, `client_id`, `scope` and `sub` required, and (by default) not revoked.
 * A token that passed is remembered with the audiences it was checked against, keyed by the whole
 * token, so the next check of the same bytes skips the signature (an Ed25519 verification costs
 * ~100 µs) but still checks `exp` against the clock and, by default, revocation.
 */
export function createAccessTokenVerifier(settings: {
  readonly issuer: string
  readonly keys: KeyRing
  readonly store: TokenStore
  readonly now: () => number
  readonly clockTolerance: number
}): AccessTokenVerifier {
  const { issuer, keys, store, now, clockTolerance } = settings
  const resolveKey = async (header: JWTHeaderParameters) => {
    if (typeof header.kid !== 'string') throw new InvalidTokenError('token_claim_invalid', 'kid')
    const found = await keys.verificationKey(header.kid)
    if (!found) throw new InvalidTokenError('token_key_unknown', 'kid')
    if (header.alg !== found.algorithm) throw new InvalidTokenError('token_algorithm_invalid')
    return found.key
  }
  const isRevoked = ({ payload }: VerifiedToken) =>
    store.isAccessTokenRevoked(payload.jti as string, payload.grant_id as string | undefined)
  const cache = new VerifiedTokenCache(CACHE_SIZE, clockTolerance)
  return {
    isRevoked,
    async verify(token, options = {}) {
      // Canonical base64url only: jose would also take a signature with other trailing bits.
      if (typeof token !== 'string' || token.length > 16_384 || !isCanonicalCompactJWS(token))
        throw new InvalidTokenError('token_malformed')
      // The audiences are part of the key: a token checked for one is not thereby good for another.
      const key = `${options.audience?.join(' ') ?? '*'}\n${token}`
      const cached = cache.get(key, now())
      if (cached !== undefined) {
        if (options.checkRevocation !== false && (await isRevoked(cached)))
          throw new InvalidTokenError('token_inactive')
        return cached
      }
      let payload: JWTPayload
      try {
        ;({ payload } = await jwtVerify(token, resolveKey, {
          issuer,
          typ: 'at+jwt',
          algorithms: [...SIGNING_ALGORITHMS],
          requiredClaims: ['exp', 'iat', 'jti', 'sub'],
          clockTolerance,
          currentDate: new Date(now() * 1000),
          ...(options.audience === undefined ? {} : { audience: [...options.audience] }),
        }))
      } catch (error) {
        throw asInvalidToken(error)
      }
      const { sub, jti, client_id: clientId, scope, grant_id: grantId } = payload
      if (typeof clientId !== 'string')
        throw new InvalidTokenError('token_claim_invalid', 'client_id')
      if (typeof scope !== 'string') throw new InvalidTokenError('token_claim_invalid', 'scope')
      if (grantId !== undefined && typeof grantId !== 'string')
        throw new InvalidTokenError('token_claim_invalid', 'grant_id')
      if (typeof jti !== 'string') throw new InvalidTokenError('token_claim_invalid', 'jti')
      if (typeof sub !== 'string' || sub === '')
        throw new InvalidTokenError('token_claim_invalid', 'sub')
      const verified = cache.set(key, {
        subject: sub,
        scopes: scope === '' ? [] : scope.split(' '),
        payload,
      })
      if (options.checkRevocation !== false && (await isRevoked(verified)))
        throw new InvalidTokenError('token_inactive')
      return verified
    },
  }
}

/** jose's errors as Gatehouse's; ours (a 503 from the store reading keys) pass unchanged. */
function asInvalidToken(error: unknown): GatehouseError {
  if (isGatehouseError(error)) return error
  if (error instanceof joseErrors.JWTExpired) return new InvalidTokenError('token_expired', 'exp')
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'typ') return new InvalidTokenError('token_type_invalid')
    if (error.claim === 'nbf' || error.claim === 'iat')
      return error.reason === 'check_failed'
        ? new InvalidTokenError('token_not_yet_valid', error.claim)
        : new InvalidTokenError('token_claim_invalid', error.claim)
    return new InvalidTokenError('token_claim_invalid', error.claim)
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return new InvalidTokenError('token_signature_invalid')
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return new InvalidTokenError('token_algorithm_invalid')
  return new InvalidTokenError('token_malformed')
}
