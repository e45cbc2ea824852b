import type { Router } from '../../core/declare/router.js'
import type { ServerContext } from '../context.js'

/** The authorization server metadata (RFC 8414 §2), as `/.well-known/oauth-authorization-server` serves it. */
export interface AuthorizationServerMetadata {
  readonly issuer: string
  readonly authorization_endpoint?: string
  readonly token_endpoint: string
  readonly jwks_uri: string
  readonly scopes_supported?: readonly string[]
  /** Left out when the authorization code grant is off (RFC 8414 §3.2: no empty arrays). */
  readonly response_types_supported?: readonly string[]
  readonly grant_types_supported: readonly string[]
  readonly token_endpoint_auth_methods_supported: readonly string[]
  readonly revocation_endpoint: string
  readonly revocation_endpoint_auth_methods_supported: readonly string[]
  readonly introspection_endpoint: string
  readonly introspection_endpoint_auth_methods_supported: readonly string[]
  readonly code_challenge_methods_supported: readonly string[]
  readonly authorization_response_iss_parameter_supported?: boolean
  /** RFC 9101 §10.5: request objects are refused (`request_not_supported`). */
  readonly request_parameter_supported?: boolean
  /** RFC 9101 §10.5; said out loud, since OpenID Connect Discovery's default is `true`. */
  readonly request_uri_parameter_supported?: boolean
  readonly registration_endpoint?: string
  readonly [extension: string]: unknown
}

/** The metadata of a server (RFC 8414), from its settings. */
export function metadataOf(context: ServerContext): AuthorizationServerMetadata {
  const { issuer, endpointBase, scopes, grantTypes, registration } = context.settings
  const secretMethods = ['client_secret_basic', 'client_secret_post']
  const authorize = grantTypes.includes('authorization_code')
  return withoutEmptyLists({
    issuer,
    ...(authorize ? { authorization_endpoint: `${endpointBase}/authorize` } : {}),
    token_endpoint: `${endpointBase}/token`,
    jwks_uri: `${endpointBase}/.well-known/jwks.json`,
    scopes_supported: Object.keys(scopes),
    response_types_supported: authorize ? ['code'] : [],
    ...(authorize ? { response_modes_supported: ['query'] } : {}),
    grant_types_supported: [...grantTypes],
    token_endpoint_auth_methods_supported: [...secretMethods, 'none'],
    revocation_endpoint: `${endpointBase}/revoke`,
    revocation_endpoint_auth_methods_supported: [...secretMethods, 'none'],
    introspection_endpoint: `${endpointBase}/introspect`,
    introspection_endpoint_auth_methods_supported: secretMethods,
    code_challenge_methods_supported: ['S256'],
    ...(authorize
      ? {
          authorization_response_iss_parameter_supported: true,
          request_parameter_supported: false,
          request_uri_parameter_supported: false,
        }
      : {}),
    ...(registration ? { registration_endpoint: `${endpointBase}/register` } : {}),
  })
}

/**
 * RFC 8414 §3.2: "Claims with zero elements MUST be omitted from the response." That rule wins over
 * `response_types_supported` being REQUIRED: a server without the authorization endpoint supports no
 * response type, and saying `[]` is what the RFC forbids.
 */
function withoutEmptyLists(metadata: AuthorizationServerMetadata): AuthorizationServerMetadata {
  return Object.fromEntries(
    Object.entries(metadata).filter(([, value]) => !(Array.isArray(value) && value.length === 0)),
  ) as AuthorizationServerMetadata
}

const CACHEABLE = 'public, max-age=300'

/**
 * `GET /.well-known/oauth-authorization-server{issuer path}` (RFC 8414 §3) and
 * `GET {issuer}/.well-known/jwks.json` (RFC 7517): the public keys that verify this server's
 * tokens, retired ones included until the last token they signed expired.
 */
export function addDiscoveryEndpoints(router: Router, context: ServerContext): void {
  const { basePath } = context.settings
  const metadata = JSON.stringify(metadataOf(context))
  router.get(
    `/.well-known/oauth-authorization-server${basePath}`,
    {
      summary: 'Authorization server metadata',
      description: 'RFC 8414 metadata: endpoints, grants, scopes and methods.',
      operationId: `oauth2Metadata${context.settings.operationSuffix}`,
    },
    function metadataDocument() {
      return new Response(metadata, {
        headers: { 'content-type': 'application/json', 'cache-control': CACHEABLE },
      })
    },
  )
  router.get(
    `${basePath}/.well-known/jwks.json`,
    {
      summary: 'JSON Web Key Set',
      description: "The public keys that verify this server's access tokens (RFC 7517).",
      operationId: `oauth2JWKS${context.settings.operationSuffix}`,
    },
    async function jwks() {
      context.maintain()
      return new Response(JSON.stringify(await context.keys.jwks()), {
        headers: { 'content-type': 'application/jwk-set+json', 'cache-control': CACHEABLE },
      })
    },
  )
}
