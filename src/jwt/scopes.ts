import type { JWTPayload } from 'jose'
import { InvalidTokenError } from '../core/errors/index.js'

/**
 * Where granted scopes are read: `undefined` for the codec's own format (a `scopes` array, else an
 * RFC 9068 `scope` string), or claim names tried in order, the first one present being read.
 */
export type ScopeRule = readonly string[] | undefined

/**
 * Reads the granted scopes from a verified claims set.
 *
 * With claim names, the first present claim alone is read: an array of strings or a
 * space-separated string (RFC 9068 `scope`, Entra/Okta `scp`, Auth0 `permissions`). Without, a
 * `scopes` array of strings wins over an RFC 9068 `scope` string. A scope claim present with another
 * type is refused, never ignored.
 */
export function readScopes(payload: JWTPayload, rule: ScopeRule): string[] {
  if (rule !== undefined) {
    for (const claim of rule) {
      const value = payload[claim]
      if (value === undefined) continue
      if (typeof value === 'string') return splitScope(value)
      if (isStringArray(value)) return [...value]
      throw new InvalidTokenError('token_claim_invalid', claim)
    }
    return []
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

// RFC 6749 §3.3: scope tokens are separated by SP alone. Another space (a tab, U+00A0) is part of
// a token, so "read\tadmin" is one scope, as Gatehouse's authorization server reads it too.
function splitScope(value: string): string[] {
  return value.split(' ').filter((scope) => scope !== '')
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}
