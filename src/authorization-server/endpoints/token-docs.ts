import type { Settings } from '../options.js'
import type { GrantType } from '../store/records.js'
import { errorResponse } from './error-docs.js'

const text = (description: string) => ({ type: 'string', description })

const CLIENT_FIELDS = {
  client_id: text('The client, when it does not authenticate with HTTP Basic'),
  client_secret: {
    ...text('The client secret (client_secret_post), instead of HTTP Basic'),
    format: 'password',
  },
}

const SCOPE = text("Requested scopes, space-separated; default: the server's default scopes")
const RESOURCE = {
  type: 'array',
  items: { type: 'string', format: 'uri' },
  description: "RFC 8707 resource indicators: the token's audiences (repeat the parameter)",
}

const GRANT_FORMS: Readonly<
  Record<GrantType, { title: string; required: string[]; properties: object }>
> = {
  authorization_code: {
    title: 'Authorization code grant (RFC 6749 §4.1.3, PKCE RFC 7636)',
    required: ['grant_type', 'code', 'code_verifier'],
    properties: {
      code: text('The authorization code'),
      redirect_uri: text('The redirect_uri of the authorization request, if it had one'),
      code_verifier: text('The PKCE code verifier (43 to 128 characters)'),
      resource: RESOURCE,
    },
  },
  client_credentials: {
    title: 'Client credentials grant (RFC 6749 §4.4)',
    required: ['grant_type'],
    properties: { scope: SCOPE, resource: RESOURCE },
  },
  password: {
    title: 'Resource owner password credentials grant (RFC 6749 §4.3)',
    required: ['grant_type', 'username', 'password'],
    properties: {
      username: text("The user's name"),
      password: { ...text("The user's password"), format: 'password' },
      scope: SCOPE,
      resource: RESOURCE,
    },
  },
  refresh_token: {
    title: 'Refresh token grant (RFC 6749 §6)',
    required: ['grant_type', 'refresh_token'],
    properties: {
      refresh_token: text('The refresh token; a new one is returned and this one retires'),
      scope: text('Fewer scopes than the original grant; default: all of them'),
      resource: RESOURCE,
    },
  },
}

/**
 * The token endpoint's OpenAPI details, merged into its operation: the form body of each enabled
 * grant (one schema per `grant_type`, chosen by it) and the RFC 6749 responses.
 */
export function tokenEndpointDocs(settings: Settings): Record<string, unknown> {
  const forms = settings.grantTypes.map((grant) => {
    const form = GRANT_FORMS[grant]
    return {
      title: form.title,
      type: 'object',
      required: form.required,
      properties: { grant_type: { const: grant }, ...form.properties, ...CLIENT_FIELDS },
    }
  })
  return {
    requestBody: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': {
          schema: forms.length === 1 ? forms[0] : { oneOf: forms },
          encoding: { resource: { style: 'form', explode: true } },
        },
      },
    },
    responses: {
      '200': {
        description: 'Tokens (RFC 6749 §5.1), with Cache-Control: no-store',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['access_token', 'token_type', 'expires_in', 'scope'],
              properties: {
                access_token: { type: 'string', description: 'An RFC 9068 JWT' },
                token_type: { const: 'Bearer' },
                expires_in: { type: 'integer' },
                scope: { type: 'string' },
                refresh_token: { type: 'string' },
              },
            },
          },
        },
      },
      '400': errorResponse(
        'invalid_request, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope or invalid_target',
      ),
      '401': errorResponse('invalid_client, with a WWW-Authenticate: Basic challenge'),
      '413': { description: 'The body is larger than the endpoint accepts' },
      '422': null,
      '429': errorResponse('Too many failed logins (password grant), with Retry-After'),
    },
  }
}
