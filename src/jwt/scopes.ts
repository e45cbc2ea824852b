import type { JWTPayload } from 'jose'
import { InvalidTokenError } from '../core/errors/index.js'

/**
 * Reads the granted scopes from a verified claims set.
 *
 * With `scopeClaim` configured, that claim alone is read (an array of strings or a space-separated
 * string; absent means no scopes). Otherwise a `scopes` array of strings wins over an RFC 9068
 * `scope` string. A scope claim that is present with another type is refused, never ignored.
 */
export function readScopes(payload: JWTPayload, scopeClaim: string | undefined): string[] {
  if (scopeClaim !== undefined) {
    const value = payload[scopeClaim]
    if (value === undefined) return []
    if (typeof value === 'string') return splitScope(value)
    if (isStringArray(value)) return [...value]
    throw new InvalidTokenError('token_claim_invalid', scopeClaim)
  }
  const { scopes, scope } = payload
  if (scopes !== undefined && !isStringArray(scopes)) {
    throw new InvalidTokenError('token_claim_invalid', 'scopes')
  }
  if (scope !== undefined && typeof scope !== 'string') {
    throw new InvalidTokenError('token_claim_invalid', 'scope')
  }
  if (scopes !== undefined) return [...scopes]
  return scope === undefined ? [] : splitScope(scope)
}

function splitScope(value: string): string[] {
  return value.split(/\s+/).filter((scope) => scope !== '')
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}
