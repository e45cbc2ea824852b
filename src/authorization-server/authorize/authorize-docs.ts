const HTML = { 'text/html': { schema: { type: 'string' } } }
const html = (description: string) => ({ description, content: HTML })
/** The 200 response replaces the generated JSON one (`null` removes a key of the generated operation). */
const htmlSuccess = (description: string) => ({
  description,
  content: { 'application/json': null, ...HTML },
})

const query = (name: string, schema: object, description: string, required = false) => ({
  name,
  in: 'query',
  required,
  schema,
  description,
})

const REDIRECT = {
  description:
    'To the redirect URI: `code`, `state` and `iss` (RFC 9207), or `error`, `error_description`, `state` and `iss` (RFC 6749 §4.1.2.1)',
  headers: { Location: { schema: { type: 'string', format: 'uri' } } },
}

/** The OpenAPI details of `GET /authorize`, merged into its operation. */
export const authorizeDocs = {
  parameters: [
    query('response_type', { const: 'code' }, 'Only the authorization code flow', true),
    query('client_id', { type: 'string' }, 'The registered client', true),
    query(
      'redirect_uri',
      { type: 'string', format: 'uri' },
      'One of the redirect URIs registered for the client, exactly; optional when it has one',
    ),
    query('scope', { type: 'string' }, "Space-separated scopes; default: the server's default"),
    query('state', { type: 'string' }, 'Returned unchanged with the response'),
    query(
      'code_challenge',
      { type: 'string' },
      'PKCE (RFC 7636): BASE64URL(SHA256(verifier))',
      true,
    ),
    query('code_challenge_method', { const: 'S256' }, 'PKCE method; plain is refused', true),
    {
      ...query(
        'resource',
        { type: 'array', items: { type: 'string', format: 'uri' } },
        "RFC 8707 resource indicators: the tokens' audiences",
      ),
      style: 'form',
      explode: true,
    },
    query(
      'prompt',
      { type: 'string' },
      '`none` (no page: `login_required` or `consent_required`), `login`, `consent`',
    ),
  ],
  responses: {
    '200': htmlSuccess('The login page, or the consent page listing the requested scopes'),
    '302': REDIRECT,
    '400': html('An error page: the client or the redirect URI is unknown'),
  },
}

/** The OpenAPI details of `POST /authorize`. */
export const authorizeFormDocs = {
  requestBody: {
    required: true,
    content: {
      'application/x-www-form-urlencoded': {
        schema: {
          type: 'object',
          required: ['step', 'request', 'csrf_token'],
          properties: {
            step: { enum: ['login', 'consent'] },
            request: { type: 'string', description: 'The pending request, sealed by the page' },
            csrf_token: { type: 'string', description: "Matches the page's CSRF cookie" },
            username: { type: 'string' },
            password: { type: 'string', format: 'password' },
            decision: { enum: ['allow', 'deny'] },
          },
        },
      },
    },
  },
  responses: {
    '200': htmlSuccess('The login page again, with what went wrong'),
    '303': {
      description: 'After login: back to the authorization request. After consent: as GET 302',
      headers: REDIRECT.headers,
    },
    '400': html('An error page, or the login page after a wrong password'),
    '403': html('An error page: CSRF check failed, or the form came from another site'),
    '422': null,
    '429': html('The login page: too many failed sign-ins, with Retry-After'),
  },
}
