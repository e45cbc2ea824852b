import type { JWTPayload } from 'jose'
import { InvalidTokenError } from '../core/errors/index.js'
import { decodeJSONObject } from './compact.js'
import { readScopes } from './scopes.js'

/** What a codec checks in a claims set once the signature holds. */
export interface ClaimRules {
  issuer: string | undefined
  audience: readonly string[] | undefined
  scopeClaim: string | undefined
  clockTolerance: number
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
 * Decodes and checks the claims set of a token whose signature was verified: `exp` required, `nbf`
 * and `iat` numbers when present, `iss`/`aud` when configured, `sub` a non-empty string, scopes well
 * typed. Issuer and audience come before the clock, so `token_expired` means a refresh may help.
 */
export function validateClaims(segment: string, rules: ClaimRules, now: number): VerifiedToken {
  const payload = decodeJSONObject(segment) as JWTPayload | undefined
  if (payload === undefined) throw new InvalidTokenError('token_malformed')
  const { exp, nbf, iat, iss, aud, sub } = payload
  if (typeof exp !== 'number') throw new InvalidTokenError('token_claim_invalid', 'exp')
  if (nbf !== undefined && typeof nbf !== 'number') {
    throw new InvalidTokenError('token_claim_invalid', 'nbf')
  }
  if (iat !== undefined && typeof iat !== 'number') {
    throw new InvalidTokenError('token_claim_invalid', 'iat')
  }
  if (rules.issuer !== undefined && iss !== rules.issuer) {
    throw new InvalidTokenError('token_claim_invalid', 'iss')
  }
  if (rules.audience !== undefined && !hasAudience(aud, rules.audience)) {
    throw new InvalidTokenError('token_claim_invalid', 'aud')
  }
  if (exp <= now - rules.clockTolerance) throw new InvalidTokenError('token_expired', 'exp')
  if (nbf !== undefined && nbf > now + rules.clockTolerance) {
    throw new InvalidTokenError('token_not_yet_valid', 'nbf')
  }
  if (typeof sub !== 'string' || sub === '')
    throw new InvalidTokenError('token_claim_invalid', 'sub')
  return { subject: sub, scopes: readScopes(payload, rules.scopeClaim), payload }
}

function hasAudience(aud: unknown, accepted: readonly string[]): boolean {
  if (typeof aud === 'string') return accepted.includes(aud)
  return (
    Array.isArray(aud) && aud.some((item) => typeof item === 'string' && accepted.includes(item))
  )
}
