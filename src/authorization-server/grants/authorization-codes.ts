import { isRegisteredRedirect } from '../authorize/redirect-uri.js'
import type { ServerContext } from '../context.js'
import { oauthError } from '../errors.js'
import { randomSecret } from '../keys/secret-hasher.js'
import { requestedResources } from '../resources.js'
import { grantScopes } from '../scopes.js'
import { isS256Challenge } from './pkce.js'

/** What `/authorize` hands over once the user has logged in and consented. */
export interface AuthorizationCodeRequest {
  readonly clientId: string
  /** The user's id (`UserRecord.id`). */
  readonly userId: string
  /**
   * The `redirect_uri` of the authorization request, exactly as sent, or `null` when it named
   * none (allowed only for a client with one registered redirect URI).
   */
  readonly redirectUri: string | null
  /** The scopes the user consented to; empty means the server's default. */
  readonly scopes: readonly string[]
  /** RFC 8707 `resource` parameters of the authorization request. */
  readonly resources?: readonly string[] | undefined
  readonly codeChallenge: string
  /** Must be `S256`: `plain` (and no PKCE) is refused for every client. */
  readonly codeChallengeMethod: string
}

/**
 * Issues a single-use authorization code bound to the client, the redirect URI, the PKCE
 * challenge and the granted scopes; stored hashed, valid `codeTTL` seconds. Request problems
 * throw an `OAuth2Error` (`unauthorized_client`, `invalid_request`, `invalid_scope`,
 * `invalid_target`, `access_denied`).
 */
export async function issueAuthorizationCode(
  context: ServerContext,
  request: AuthorizationCodeRequest,
): Promise<string> {
  const { store, settings } = context
  if (!settings.grantTypes.includes('authorization_code'))
    throw oauthError('unauthorized_client', 'The authorization_code grant is turned off')
  const client = await store.findClient(request.clientId)
  if (!client?.grantTypes.includes('authorization_code'))
    throw oauthError('unauthorized_client', 'The client may not use the authorization_code grant')
  if (request.redirectUri === null) {
    if (client.redirectUris.length !== 1)
      throw oauthError('invalid_request', 'The redirect_uri parameter is required for this client')
  } else if (!isRegisteredRedirect(client.redirectUris, request.redirectUri))
    throw oauthError('invalid_request', 'The redirect_uri is not registered for this client')
  if (request.codeChallengeMethod !== 'S256')
    throw oauthError('invalid_request', 'PKCE with code_challenge_method S256 is required')
  if (typeof request.codeChallenge !== 'string' || !isS256Challenge(request.codeChallenge))
    throw oauthError('invalid_request', 'The code_challenge is not an S256 challenge')
  const user = await store.findUserById(request.userId)
  if (!user || user.disabled) throw oauthError('access_denied', 'The user cannot authorize clients')
  const scopes = grantScopes(
    context.scopePolicy,
    [...new Set(request.scopes)],
    [client.scopes, user.scopes],
  )
  const resources = requestedResources(context.resourcePolicy, request.resources ?? [], undefined)
  const code = randomSecret()
  const now = settings.now()
  await store.createCode({
    hash: (await context.hasher()).hash('code', code),
    clientId: client.id,
    subject: user.id,
    redirectUri: request.redirectUri,
    scopes,
    resources,
    codeChallenge: request.codeChallenge,
    createdAt: now,
    expiresAt: now + settings.codeTTL,
    usedAt: null,
    familyId: null,
  })
  return code
}
