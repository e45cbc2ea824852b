import type { AuthenticatedClient } from '../clients/client-authentication.js'
import type { ServerContext } from '../context.js'
import type { Parameters } from '../endpoints/parameters.js'
import { oauthError } from '../errors.js'
import { requestedResources } from '../resources.js'
import { noScopeLeft } from '../scopes.js'
import {
  type IssuedTokens,
  issueAccessToken,
  mayRefresh,
  newFamily,
  newRefreshToken,
} from './issue.js'
import { isCodeVerifier, verifiesS256 } from './pkce.js'

/**
 * The authorization code grant with PKCE (RFC 6749 §4.1.3, RFC 7636 §4.6): the code must be
 * this client's, for the same redirect URI, with a verifier matching its S256 challenge, and
 * unused. Redeeming it twice revokes the tokens the first redemption issued.
 */
export async function authorizationCodeGrant(
  context: ServerContext,
  params: Parameters,
  { client }: AuthenticatedClient,
): Promise<IssuedTokens> {
  const code = params.get('code')
  const verifier = params.get('code_verifier')
  if (code === undefined) throw oauthError('invalid_request', 'The code parameter is required')
  if (verifier === undefined)
    throw oauthError('invalid_request', 'The code_verifier parameter is required (PKCE)')
  if (!isCodeVerifier(verifier))
    throw oauthError('invalid_request', 'The code_verifier is not a valid PKCE verifier')
  const { store, settings } = context
  const hasher = await context.hasher()
  const hash = hasher.hash('code', code)
  const record = await store.findCode(hash)
  const invalid = () => oauthError('invalid_grant', 'The authorization code is invalid or expired')
  if (!record || record.clientId !== client.id) throw invalid()
  const redirectUri = params.get('redirect_uri')
  const redirectMismatch = () =>
    oauthError('invalid_grant', 'The redirect_uri does not match the authorization request')
  if (record.redirectUri !== null) {
    if (redirectUri === undefined)
      throw oauthError('invalid_request', 'The redirect_uri parameter is required')
    if (redirectUri !== record.redirectUri) throw redirectMismatch()
  } else if (redirectUri !== undefined && !client.redirectUris.includes(redirectUri)) {
    // Left out of the authorization request, the code went to the client's one registered URI:
    // one sent now (RFC 6749 §4.1.3 asks for none) must be that one, never any value at all.
    throw redirectMismatch()
  }
  if (!verifiesS256(verifier, record.codeChallenge))
    throw oauthError('invalid_grant', 'The code_verifier does not match the code challenge')
  const resources = requestedResources(
    context.resourcePolicy,
    params.getAll('resource'),
    record.resources,
  )

  const user = await store.findUserById(record.subject)
  // What the client and the user may still have; a grant never widens.
  const scopes = record.scopes.filter(
    (scope) => client.scopes.includes(scope) && (user?.scopes.includes(scope) ?? false),
  )
  if (scopes.length === 0 && user && !user.disabled) throw noScopeLeft()
  const refreshable = mayRefresh(context, client)
  const family = newFamily(
    context,
    { clientId: client.id, subject: record.subject, scopes, resources: record.resources },
    refreshable,
  )
  const refresh = refreshable ? newRefreshToken(context, hasher, family) : undefined
  const outcome = await store.redeemCode({
    hash,
    now: settings.now(),
    family,
    ...(refresh ? { refreshToken: refresh.record } : {}),
  })
  if (outcome.outcome === 'reused')
    throw oauthError('invalid_grant', 'The authorization code was already used')
  if (outcome.outcome === 'invalid') throw invalid()
  if (!user || user.disabled) {
    await store.revokeFamily(family.id, settings.now())
    throw oauthError('invalid_grant', 'The user can no longer be issued tokens')
  }
  const access = await issueAccessToken(context, {
    clientId: client.id,
    subject: record.subject,
    scopes,
    resources,
    family,
  })
  return {
    accessToken: access.token,
    expiresIn: access.expiresIn,
    scopes,
    ...(refresh ? { refreshToken: refresh.token } : {}),
  }
}
