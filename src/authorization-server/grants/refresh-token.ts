import type { AuthenticatedClient } from '../clients/client-authentication.js'
import type { ServerContext } from '../context.js'
import type { Parameters } from '../endpoints/parameters.js'
import { oauthError } from '../errors.js'
import { requestedResources } from '../resources.js'
import { parseScope, refreshScopes } from '../scopes.js'
import { type IssuedTokens, issueAccessToken, successorOf } from './issue.js'

/**
 * The refresh token grant (RFC 6749 §6) with rotation: each use returns a new refresh token and
 * retires the old one; using a retired one again revokes the whole family (RFC 9700 §4.14.2),
 * except within the optional grace window, where a retry gets the same new token.
 */
export async function refreshTokenGrant(
  context: ServerContext,
  params: Parameters,
  { client }: AuthenticatedClient,
): Promise<IssuedTokens> {
  const token = params.get('refresh_token')
  if (token === undefined)
    throw oauthError('invalid_request', 'The refresh_token parameter is required')
  const { store, settings } = context
  const hasher = await context.hasher()
  const hash = hasher.hash('refresh-token', token)
  const found = await store.findRefreshToken(hash)
  const invalid = () => oauthError('invalid_grant', 'The refresh token is invalid or expired')
  // Bound to its client: another client's attempt fails without touching the token.
  if (!found || found.family.clientId !== client.id) throw invalid()
  const { family } = found
  const requested = parseScope(params.get('scope'))
  const user = await store.findUserById(family.subject)
  if (!user || user.disabled) {
    await store.revokeFamily(family.id, settings.now())
    throw oauthError('invalid_grant', 'The user can no longer be issued tokens')
  }
  const scopes = refreshScopes(family.scopes, requested, [client.scopes, user.scopes])
  const resources = requestedResources(
    context.resourcePolicy,
    params.getAll('resource'),
    family.resources,
  )

  const now = settings.now()
  const successor = successorOf(hasher, token)
  const outcome = await store.rotateRefreshToken({
    hash,
    next: {
      hash: hasher.hash('refresh-token', successor),
      expiresAt: Math.min(now + settings.refreshTokenTTL, family.expiresAt),
    },
    now,
    graceSeconds: settings.refreshGraceSeconds,
  })
  if (outcome.outcome === 'reused')
    throw oauthError('invalid_grant', 'The refresh token was already used; the grant is revoked')
  if (outcome.outcome === 'invalid') throw invalid()
  const access = await issueAccessToken(context, {
    clientId: client.id,
    subject: family.subject,
    scopes,
    resources,
    family: outcome.family,
  })
  return { accessToken: access.token, expiresIn: access.expiresIn, scopes, refreshToken: successor }
}
