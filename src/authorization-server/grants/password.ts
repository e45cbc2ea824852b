import type { AuthenticatedClient } from '../clients/client-authentication.js'
import type { ServerContext } from '../context.js'
import type { Parameters } from '../endpoints/parameters.js'
import { oauthError } from '../errors.js'
import { requestedResources } from '../resources.js'
import { grantScopes, parseScope } from '../scopes.js'
import {
  type IssuedTokens,
  issueAccessToken,
  mayRefresh,
  newFamily,
  newRefreshToken,
} from './issue.js'

/**
 * The resource owner password credentials grant (RFC 6749 §4.3): a throttled login, then tokens
 * for the requested scopes the client and the user may both have.
 */
export async function passwordGrant(
  context: ServerContext,
  params: Parameters,
  { client }: AuthenticatedClient,
  clientAddress: string | undefined,
): Promise<IssuedTokens> {
  const username = params.get('username')
  const password = params.get('password')
  if (username === undefined || password === undefined)
    throw oauthError('invalid_request', 'The username and password parameters are required')
  // What needs no user is checked first, so a malformed request costs no password check.
  const requested = parseScope(params.get('scope'))
  for (const scope of requested)
    if (!context.scopePolicy.known.has(scope))
      throw oauthError('invalid_scope', 'The request names a scope this server does not know')
  const resources = requestedResources(context.resourcePolicy, params.getAll('resource'), undefined)

  const login = await context.login({ username, password, clientAddress })
  // One answer for unknown users, wrong passwords and disabled users (whatever their password).
  if (!login.ok) throw oauthError('invalid_grant', 'The username or password is wrong')
  const { user } = login
  const scopes = grantScopes(context.scopePolicy, requested, [client.scopes, user.scopes])
  const grant = { clientId: client.id, subject: user.id, scopes, resources }
  if (!mayRefresh(context, client)) {
    const access = await issueAccessToken(context, grant)
    return { accessToken: access.token, expiresIn: access.expiresIn, scopes }
  }
  const family = newFamily(context, grant, true)
  const refresh = newRefreshToken(context, await context.hasher(), family)
  await context.store.createFamily(family, refresh.record)
  const access = await issueAccessToken(context, { ...grant, family })
  return {
    accessToken: access.token,
    expiresIn: access.expiresIn,
    scopes,
    refreshToken: refresh.token,
  }
}
