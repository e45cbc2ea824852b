/**
 * How the authorization server's endpoints document their errors: an RFC 6749 §5.2 body. They
 * never answer the framework's 422 (bad input is `invalid_request`), so that one is taken out.
 */
export const OAUTH2_ERROR = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'string', description: 'An RFC 6749 §5.2 error code' },
    error_description: { type: 'string' },
  },
}

/** An error response whose body is {@link OAUTH2_ERROR}. */
export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: OAUTH2_ERROR } },
})

/** The answers every client-authenticated endpoint shares; `422: null` removes the framework's. */
export const CLIENT_ENDPOINT_ERRORS = {
  '400': errorResponse('invalid_request: a parameter is missing, repeated or malformed'),
  '401': errorResponse('invalid_client, with a WWW-Authenticate challenge when Basic was used'),
  '413': { description: 'The body is larger than the endpoint accepts' },
  '422': null,
}
