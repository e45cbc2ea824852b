import type { Router } from '../../core/declare/router.js'
import {
  authenticateClient,
  type ClientAuthenticationScheme,
} from '../clients/client-authentication.js'
import type { ServerContext } from '../context.js'
import { asOAuthError, invalidClient, noStore, oauthError } from '../errors.js'
import type { IntrospectedToken } from '../options.js'
import { CLIENT_ENDPOINT_ERRORS } from './error-docs.js'
import { formParameters } from './parameters.js'
import { holdersMayUse } from './token-holders.js'
import { isRefreshTokenActive, lookUpToken } from './token-lookup.js'

const INACTIVE = { active: false }

/**
 * `POST {issuer}/introspect` (RFC 7662), for confidential clients (resource servers): whether a
 * token is active and, if so, its claims. Revoked, expired, used and unknown tokens are all
 * `{"active": false}` and nothing more, and so are tokens of a disabled user or a deleted client. A client that registered itself (open registration: anyone)
 * learns only about its own tokens; any other is inactive to it (RFC 7662 §2.1's token scanning).
 * `introspection.allowed` narrows who learns what further (RFC 7662 §4).
 */
export function addIntrospectionEndpoint(
  router: Router,
  context: ServerContext,
  clientAuth: ClientAuthenticationScheme,
): void {
  const { settings } = context
  router.post(
    `${settings.basePath}/introspect`,
    {
      inputs: {
        params: formParameters(['token', 'token_type_hint', 'client_id', 'client_secret']),
        request: clientAuth,
        response: Response,
      },
      bodyLimit: settings.bodyLimit,
      mapError: asOAuthError,
      summary: 'Introspection endpoint',
      description:
        'Tells a confidential client whether a token is active, and its claims (RFC 7662).',
      operationId: `oauth2Introspect${settings.operationSuffix}`,
      openapiExtra: introspectionDocs,
    },
    async function introspect({ params, request, response }) {
      const { client, method } = await authenticateClient(request, params, {
        store: context.clients,
        uncached: context.store,
        hasher: await context.hasher(),
        realm: settings.issuer,
      })
      if (method === 'none')
        throw invalidClient('Introspection requires client authentication', settings.issuer)
      const token = params.get('token')
      if (token === undefined)
        throw oauthError('invalid_request', 'The token parameter is required')
      const known = await lookUpToken(context, token)
      let answer: Record<string, unknown> = INACTIVE
      let seen: IntrospectedToken | undefined
      if (known?.type === 'access_token' && !known.revoked) {
        const { iss, sub, aud, client_id, scope, jti, iat, exp } = known.token.payload
        seen = {
          type: 'access_token',
          clientId: String(client_id),
          subject: known.token.subject,
          scopes: known.token.scopes,
          audience: aud === undefined ? [] : Array.isArray(aud) ? aud : [aud],
        }
        answer = {
          active: true,
          token_type: 'Bearer',
          scope,
          client_id,
          sub,
          aud,
          iss,
          jti,
          iat,
          exp,
        }
      } else if (known?.type === 'refresh_token' && isRefreshTokenActive(known, settings.now())) {
        const { record, family } = known
        seen = {
          type: 'refresh_token',
          clientId: family.clientId,
          subject: family.subject,
          scopes: family.scopes,
          audience: [],
        }
        answer = {
          active: true,
          // Said, so that a resource server introspecting what it was sent refuses a refresh
          // token as a bearer token (RFC 6749 §1.5: they are never sent to resource servers).
          token_type: 'refresh_token',
          scope: family.scopes.join(' '),
          client_id: family.clientId,
          sub: family.subject,
          iss: settings.issuer,
          iat: record.issuedAt,
          exp: record.expiresAt,
        }
      }
      noStore(response)
      if (seen === undefined) return INACTIVE
      if (client.selfRegistered === true && seen.clientId !== client.id) return INACTIVE
      // A disabled user's or deleted client's token is no longer usable (RFC 7662 §2.2).
      if (!(await holdersMayUse(context, seen))) return INACTIVE
      const allowed = settings.introspectionAllowed
      if (allowed !== undefined && (await allowed({ client, token: seen })) !== true)
        return INACTIVE
      return answer
    },
  )
}

const introspectionDocs = {
  requestBody: {
    required: true,
    content: {
      'application/x-www-form-urlencoded': {
        schema: {
          type: 'object',
          required: ['token'],
          properties: {
            token: { type: 'string' },
            token_type_hint: { enum: ['access_token', 'refresh_token'] },
            client_id: { type: 'string' },
            client_secret: { type: 'string', format: 'password' },
          },
        },
      },
    },
  },
  responses: {
    '200': {
      description: "The token's state (RFC 7662 §2.2)",
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['active'],
            properties: {
              active: { type: 'boolean' },
              scope: { type: 'string' },
              client_id: { type: 'string' },
              sub: { type: 'string' },
              aud: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
              iss: { type: 'string' },
              jti: { type: 'string' },
              iat: { type: 'integer' },
              exp: { type: 'integer' },
              token_type: { type: 'string' },
            },
          },
        },
      },
    },
    ...CLIENT_ENDPOINT_ERRORS,
  },
}
