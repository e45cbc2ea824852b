import { OAUTH2_ERROR } from '../endpoints/error-docs.js'

const uris = { type: 'array', items: { type: 'string', format: 'uri' } }

const METADATA_PROPERTIES = {
  redirect_uris: { ...uris, description: 'https, or http on a loopback host; no fragment' },
  token_endpoint_auth_method: {
    enum: ['client_secret_basic', 'client_secret_post', 'none'],
    description: '`none` registers a public client (no secret, PKCE)',
  },
  grant_types: { type: 'array', items: { type: 'string' } },
  response_types: { type: 'array', items: { const: 'code' } },
  scope: {
    type: 'string',
    description: 'Space-separated; default: every scope registration allows',
  },
  client_name: { type: 'string', maxLength: 200 },
}

/** The OpenAPI details of `POST /register`. */
export const registrationDocs = {
  requestBody: {
    required: true,
    content: {
      'application/json': {
        schema: { type: 'object', properties: METADATA_PROPERTIES },
      },
    },
  },
  responses: {
    '200': null,
    '201': {
      description: 'The registered client (RFC 7591 §3.2.1); the secret is shown only here',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['client_id', 'client_id_issued_at'],
            properties: {
              client_id: { type: 'string' },
              client_secret: { type: 'string' },
              client_id_issued_at: { type: 'integer' },
              client_secret_expires_at: { const: 0 },
              ...METADATA_PROPERTIES,
            },
          },
        },
      },
    },
    '400': {
      description: 'invalid_redirect_uri or invalid_client_metadata (RFC 7591 §3.2.2)',
      content: { 'application/json': { schema: OAUTH2_ERROR } },
    },
    '413': { description: 'The body is larger than the endpoint accepts' },
    '422': null,
    '429': {
      description: 'Too many registrations from this address, with Retry-After',
      content: { 'application/json': { schema: OAUTH2_ERROR } },
    },
  },
}
