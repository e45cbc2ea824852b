import { isScopeToken } from '../core/errors/challenge-params.js'
import { oauthError } from './errors.js'

export { isScopeToken }

/** Scope names and what they let a client do, shown on consent pages and in OpenAPI. */
export type ScopeDescriptions = Readonly<Record<string, string>>

/** What a grant may give: the known scopes, the default for an empty request. */
export interface ScopePolicy {
  readonly known: ReadonlySet<string>
  /** `undefined`: an empty request is refused with `invalid_scope`. */
  readonly defaults: readonly string[] | undefined
}

/**
 * The `scope` parameter as a list (RFC 6749 §3.3: space-delimited, order irrelevant, each a
 * scope token), duplicates removed; `invalid_scope` when a token is malformed.
 */
export function parseScope(raw: string | undefined): string[] {
  if (raw === undefined) return []
  const names = raw.split(' ').filter((name) => name !== '')
  for (const name of names)
    if (!isScopeToken(name)) throw oauthError('invalid_scope', 'The scope parameter is malformed')
  return [...new Set(names)]
}

/**
 * The scopes to grant: every requested scope must be known and allowed to the client and (when
 * there is one) the user, else `invalid_scope`; an empty request gets the default, narrowed to
 * what the client and user may have (`invalid_scope` if that leaves none). Never more than both
 * allow.
 */
export function grantScopes(
  policy: ScopePolicy,
  requested: readonly string[],
  allowed: readonly (readonly string[])[],
): string[] {
  const permitted = (scope: string) => allowed.every((list) => list.includes(scope))
  if (requested.length === 0) {
    if (policy.defaults === undefined)
      throw oauthError('invalid_scope', 'The scope parameter is required')
    // RFC 6749 §3.3: the default, or invalid_scope; a token with an empty scope is neither.
    const defaults = policy.defaults.filter(permitted)
    if (defaults.length === 0)
      throw oauthError('invalid_scope', 'No default scope is one this client or user may have')
    return defaults
  }
  for (const scope of requested) {
    if (!policy.known.has(scope))
      throw oauthError('invalid_scope', 'The request names a scope this server does not know')
    if (!permitted(scope))
      throw oauthError(
        'invalid_scope',
        'The request names a scope this client or user may not have',
      )
  }
  return [...requested]
}

/**
 * The scopes of a refreshed token (RFC 6749 §6): the requested ones, which must all be in the
 * original grant, or the original grant when none are requested; narrowed to what the client and
 * user may still have (`invalid_grant` if that leaves none).
 */
export function refreshScopes(
  granted: readonly string[],
  requested: readonly string[],
  allowed: readonly (readonly string[])[],
): string[] {
  for (const scope of requested)
    if (!granted.includes(scope))
      throw oauthError('invalid_scope', 'The request names a scope the original grant did not have')
  const wanted = requested.length === 0 ? granted : requested
  const scopes = wanted.filter((scope) => allowed.every((list) => list.includes(scope)))
  if (scopes.length === 0) throw noScopeLeft()
  return scopes
}

/** A grant whose scopes the client and user have all lost since: nothing is left to issue. */
export function noScopeLeft() {
  return oauthError(
    'invalid_grant',
    'The grant no longer gives any scope the client and user may have',
  )
}
