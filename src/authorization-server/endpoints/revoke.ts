import type { Router } from '../../core/declare/router.js'
import {
  authenticateClient,
  type ClientAuthenticationScheme,
} from '../clients/client-authentication.js'
import type { ServerContext } from '../context.js'
import { asOAuthError, oauthError } from '../errors.js'
import { CLIENT_ENDPOINT_ERRORS } from './error-docs.js'
import { formParameters } from './parameters.js'
import { lookUpToken } from './token-lookup.js'

/**
 * `POST {issuer}/revoke` (RFC 7009): the client revokes one of its own tokens. A refresh token
 * revokes its whole family (and so every access token issued from it); an access token is
 * remembered as revoked until it expires. Unknown or invalid tokens answer 200 as well (§2.2).
 */
export function addRevocationEndpoint(
  router: Router,
  context: ServerContext,
  clientAuth: ClientAuthenticationScheme,
): void {
  const { settings, store } = context
  router.post(
    `${settings.basePath}/revoke`,
    {
      inputs: {
        params: formParameters(['token', 'token_type_hint', 'client_id', 'client_secret']),
        request: clientAuth,
      },
      bodyLimit: settings.bodyLimit,
      mapError: asOAuthError,
      summary: 'Revocation endpoint',
      description: 'Revokes an access or refresh token of the authenticated client (RFC 7009).',
      operationId: `oauth2Revoke${settings.operationSuffix}`,
      openapiExtra: revocationDocs,
    },
    async function revoke({ params, request }) {
      const { client } = await authenticateClient(request, params, {
        store: context.clients,
        uncached: context.store,
        hasher: await context.hasher(),
        realm: settings.issuer,
      })
      const token = params.get('token')
      if (token === undefined)
        throw oauthError('invalid_request', 'The token parameter is required')
      const known = await lookUpToken(context, token)
      if (known?.type === 'refresh_token') {
        if (known.family.clientId !== client.id)
          throw oauthError('invalid_request', 'The token was not issued to this client')
        await store.revokeFamily(known.family.id, settings.now())
      } else if (known?.type === 'access_token') {
        const {
          jti,
          exp,
          client_id: owner,
        } = known.token.payload as {
          jti: string
          exp: number
          client_id: string
        }
        if (owner !== client.id)
          throw oauthError('invalid_request', 'The token was not issued to this client')
        await store.revokeAccessToken(jti, exp)
      }
      return new Response(null, {
        status: 200,
        headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
      })
    },
  )
}

const revocationDocs = {
  requestBody: {
    required: true,
    content: {
      'application/x-www-form-urlencoded': {
        schema: {
          type: 'object',
          required: ['token'],
          properties: {
            token: { type: 'string', description: 'The access or refresh token to revoke' },
            token_type_hint: { enum: ['access_token', 'refresh_token'] },
            client_id: { type: 'string' },
            client_secret: { type: 'string', format: 'password' },
          },
        },
      },
    },
  },
  responses: {
    '200': { description: 'Revoked, or the token was unknown (RFC 7009 §2.2)' },
    ...CLIENT_ENDPOINT_ERRORS,
  },
}
