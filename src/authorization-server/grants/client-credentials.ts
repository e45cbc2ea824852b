import type { AuthenticatedClient } from '../clients/client-authentication.js'
import type { ServerContext } from '../context.js'
import type { Parameters } from '../endpoints/parameters.js'
import { oauthError } from '../errors.js'
import { requestedResources } from '../resources.js'
import { grantScopes, parseScope } from '../scopes.js'
import { type IssuedTokens, issueAccessToken } from './issue.js'

/**
 * The client credentials grant (RFC 6749 §4.4): confidential clients only, an access token whose
 * `sub` is the client (RFC 9068 §2.2), no refresh token (§4.4.3).
 */
export async function clientCredentialsGrant(
  context: ServerContext,
  params: Parameters,
  { client, method }: AuthenticatedClient,
): Promise<IssuedTokens> {
  if (method === 'none')
    throw oauthError(
      'unauthorized_client',
      'Public clients cannot use the client_credentials grant',
    )
  const requested = parseScope(params.get('scope'))
  const scopes = grantScopes(context.scopePolicy, requested, [client.scopes])
  const resources = requestedResources(context.resourcePolicy, params.getAll('resource'), undefined)
  const access = await issueAccessToken(context, {
    clientId: client.id,
    subject: client.id,
    scopes,
    resources,
  })
  return { accessToken: access.token, expiresIn: access.expiresIn, scopes }
}
