import type { Router } from '../../core/declare/router.js'
import {
  authenticateClient,
  type ClientAuthenticationScheme,
} from '../clients/client-authentication.js'
import type { ServerContext } from '../context.js'
import { asOAuthError, noStore, oauthError } from '../errors.js'
import { authorizationCodeGrant } from '../grants/authorization-code.js'
import { clientCredentialsGrant } from '../grants/client-credentials.js'
import { type IssuedTokens, tokenBody } from '../grants/issue.js'
import { passwordGrant } from '../grants/password.js'
import { refreshTokenGrant } from '../grants/refresh-token.js'
import type { GrantType } from '../store/records.js'
import { formParameters } from './parameters.js'
import { tokenEndpointDocs } from './token-docs.js'

const TOKEN_PARAMETERS = [
  'grant_type',
  'code',
  'redirect_uri',
  'code_verifier',
  'refresh_token',
  'username',
  'password',
  'scope',
  'resource',
  'client_id',
  'client_secret',
]

const GRANTS: Readonly<Record<GrantType, typeof passwordGrant>> = {
  password: passwordGrant,
  client_credentials: clientCredentialsGrant,
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
}

/**
 * `POST {issuer}/token` (RFC 6749 §3.2): the grant type is checked, then the client
 * authenticated, then the grant runs. Every failure is an RFC 6749 §5.2 error; a success is
 * `{access_token, token_type, expires_in, scope, refresh_token?}` with `Cache-Control: no-store`.
 */
export function addTokenEndpoint(
  router: Router,
  context: ServerContext,
  clientAuth: ClientAuthenticationScheme,
): void {
  const { settings } = context
  router.post(
    `${settings.basePath}/token`,
    {
      inputs: {
        params: formParameters(TOKEN_PARAMETERS, ['resource']),
        request: clientAuth,
        response: Response,
      },
      bodyLimit: settings.bodyLimit,
      mapError: asOAuthError,
      summary: 'Token endpoint',
      description:
        'Issues tokens (RFC 6749 §3.2). The form body depends on `grant_type`; errors follow RFC 6749 §5.2.',
      operationId: `oauth2Token${settings.operationSuffix}`,
      openapiExtra: tokenEndpointDocs(settings),
    },
    async function token({ params, request, response }) {
      context.maintain()
      const grantType = params.get('grant_type')
      if (grantType === undefined)
        throw oauthError('invalid_request', 'The grant_type parameter is required')
      const grant = Object.hasOwn(GRANTS, grantType) ? (grantType as GrantType) : undefined
      if (grant === undefined || !settings.grantTypes.includes(grant))
        throw oauthError('unsupported_grant_type', 'This server does not support the grant type')
      const client = await authenticateClient(request, params, {
        store: context.clients,
        uncached: context.store,
        hasher: await context.hasher(),
        realm: settings.issuer,
      })
      if (!client.client.grantTypes.includes(grant))
        throw oauthError('unauthorized_client', 'The client may not use this grant type')
      const issued: IssuedTokens = await GRANTS[grant](context, params, client, request.address)
      noStore(response)
      return tokenBody(issued)
    },
  )
}
