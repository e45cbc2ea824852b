import {
  cors,
  Gatehouse,
  mountProtectedResourceMetadata,
  type RequestView,
  Security,
} from 'gatehouse'
import {
  type AuthorizationServer,
  type AuthorizationServerStore,
  createAuthorizationServer,
} from 'gatehouse/authorization-server'

/** The scopes the server grants, with the descriptions the consent page and OpenAPI show. */
export const SCOPES = {
  read: 'Read your data',
  write: 'Change your data',
  admin: 'Administer the API (only for clients allowed it)',
}

/** Swagger UI's public client: the docs' Authorize dialog uses it with PKCE. */
export const SWAGGER_UI_CLIENT = 'swagger-ui'

/**
 * The authorization server at the root of `issuer` and a protected API beside it under `/api`,
 * the resource `{issuer}/api` (RFC 8707), whose RFC 9728 metadata names the server.
 */
export function createAuthorizationServerApp(options: {
  issuer: string
  store: AuthorizationServerStore
  /** Where login throttling reads the client's address; default the socket's peer. */
  clientAddress?: ((request: RequestView) => string | undefined) | undefined
  /** Browser apps on other origins that may call the server and the API (CORS); default none. */
  allowedOrigins?: readonly string[] | undefined
}): { app: Gatehouse; server: AuthorizationServer; resource: string } {
  const { issuer, store, clientAddress, allowedOrigins } = options
  const resource = `${issuer}/api`
  const server = createAuthorizationServer({
    issuer,
    store,
    scopes: SCOPES,
    defaultScopes: ['read'],
    // Tokens asked for without `resource` are for the API; `resource` may name it too.
    audience: resource,
    resources: [resource],
    // All four grants are on by default, the password grant included.
    // Open dynamic client registration (RFC 7591): registered clients may get `read` only.
    registration: { scopes: ['read'] },
    // Behind a load balancer (CLIENT_ADDRESS_HEADER), the address it saw.
    ...(clientAddress ? { clientAddress } : {}),
  })

  const app = new Gatehouse({
    title: 'Gatehouse authorization server',
    description: 'An OAuth 2.1 authorization server and the API it protects.',
    swaggerUiInitOAuth: { clientId: SWAGGER_UI_CLIENT, usePkceWithAuthorizationCodeGrant: true },
  })
  // Browser clients elsewhere (their preflights, and reading the answers and challenges); no
  // credentials: the endpoints take none from cookies across origins.
  if (allowedOrigins !== undefined)
    app.use(cors({ origin: allowedOrigins, exposeHeaders: ['WWW-Authenticate', 'Retry-After'] }))
  app.include(server.router)

  const resourceMetadata = mountProtectedResourceMetadata(app, {
    resource,
    authorizationServers: [issuer],
  })
  const principal = server.principal({ resourceMetadata })
  app.get(
    '/api/whoami',
    {
      inputs: { me: Security(principal, { scopes: ['read'] }) },
      summary: 'Who the token speaks for',
      tags: ['API'],
    },
    ({ me }) => ({ subject: me.subject, client_id: me.clientId, scopes: me.scopes }),
  )
  return { app, server, resource }
}
