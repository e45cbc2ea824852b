import type { JWTPayload } from 'jose'
import { InvalidTokenError } from '../core/errors/index.js'
import { decodeJSONObject } from './compact.js'
import { readScopes, type ScopeRule } from './scopes.js'

/** What a verifier checks in a claims set once the signature holds. */
export interface ClaimRules {
  /** `iss` must equal this; `undefined` leaves `iss` unchecked. */
  issuer: string | undefined
  /**
   * `aud` must contain one of these. `undefined` means no audience is configured, and then a token
   * carrying any `aud` is refused (RFC 7519 §4.1.3: the recipient does not identify with it).
   */
  audience: readonly string[] | undefined
  scopes: ScopeRule
  clockTolerance: number
  /**
   * RFC 9068 §2.2: an access token profiled as `at+jwt` also carries `client_id`, `iat` and `jti`
   * (besides `iss`, `exp`, `aud` and `sub`, checked anyway); set when the verifier requires that `typ`.
   */
  accessTokenClaims?: boolean
}

/**
 * An access token that passed every check: its subject, its granted scopes and the whole claims set.
 */
export interface VerifiedToken {
  subject: string
  scopes: string[]
  payload: JWTPayload
}

/**
 * Decodes and checks the claims set of a token whose signature was verified (see
 * {@link checkClaims}).
 */
export function validateClaims(segment: string, rules: ClaimRules, now: number): VerifiedToken {
  const payload = decodeJSONObject(segment) as JWTPayload | undefined
  if (payload === undefined) throw new InvalidTokenError('token_malformed')
  return checkClaims(payload, rules, now, true)
}

/**
 * Checks a claims set: `exp` required (when `requireExp`), `exp`/`nbf`/`iat` finite numbers when
 * present, `iat` not beyond the clock tolerance in the future, `iss` and `aud` as configured, `sub`
 * a non-empty string, scopes well typed. Issuer and audience come before the clock, so
 * `token_expired` means a refresh may help.
 */
export function checkClaims(
  payload: JWTPayload,
  rules: ClaimRules,
  now: number,
  requireExp: boolean,
): VerifiedToken {
  const { exp, nbf, iat, iss, aud, sub } = payload
  if (exp === undefined ? requireExp : !isTime(exp))
    throw new InvalidTokenError('token_claim_invalid', 'exp')
  if (nbf !== undefined && !isTime(nbf)) throw new InvalidTokenError('token_claim_invalid', 'nbf')
  if (iat !== undefined && !isTime(iat)) throw new InvalidTokenError('token_claim_invalid', 'iat')
  if (rules.issuer !== undefined && iss !== rules.issuer)
    throw new InvalidTokenError('token_claim_invalid', 'iss')
  if (rules.audience === undefined ? aud !== undefined : !hasAudience(aud, rules.audience))
    throw new InvalidTokenError('token_claim_invalid', 'aud')
  const tolerance = rules.clockTolerance
  if (exp !== undefined && exp <= now - tolerance)
    throw new InvalidTokenError('token_expired', 'exp')
  if (nbf !== undefined && nbf > now + tolerance)
    throw new InvalidTokenError('token_not_yet_valid', 'nbf')
  // A token issued in the future comes from a broken or hostile clock (RFC 7519 §4.1.6).
  if (iat !== undefined && iat > now + tolerance)
    throw new InvalidTokenError('token_not_yet_valid', 'iat')
  if (typeof sub !== 'string' || sub === '')
    throw new InvalidTokenError('token_claim_invalid', 'sub')
  if (rules.accessTokenClaims === true) {
    if (iat === undefined) throw new InvalidTokenError('token_claim_invalid', 'iat')
    for (const claim of ['client_id', 'jti'] as const) {
      const value = payload[claim]
      if (typeof value !== 'string' || value === '')
        throw new InvalidTokenError('token_claim_invalid', claim)
    }
  }
  return { subject: sub, scopes: readScopes(payload, rules.scopes), payload }
}

/** A NumericDate: a finite number (`1e400` parses to `Infinity`, which would never expire). */
function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function hasAudience(aud: unknown, accepted: readonly string[]): boolean {
  if (typeof aud === 'string') return accepted.includes(aud)
  return (
    Array.isArray(aud) && aud.some((item) => typeof item === 'string' && accepted.includes(item))
  )
}
