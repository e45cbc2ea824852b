import { AnchoredRouter, type Router } from '../core/declare/router.js'
import { WebRequestView } from '../core/run/request-view.js'
import { type Administration, createAdministration } from './admin.js'
import { addAuthorizationEndpoint } from './authorize/authorize-endpoint.js'
import { ClientAuthenticationScheme } from './clients/client-authentication.js'
import { createContext } from './context.js'
import {
  type AuthorizationServerMetadata,
  addDiscoveryEndpoints,
  metadataOf,
} from './endpoints/discovery.js'
import { addIntrospectionEndpoint } from './endpoints/introspect.js'
import { refuseOtherMethods } from './endpoints/method-not-allowed.js'
import { addRevocationEndpoint } from './endpoints/revoke.js'
import { addTokenEndpoint } from './endpoints/token.js'
import {
  type AuthorizationCodeRequest,
  issueAuthorizationCode,
} from './grants/authorization-codes.js'
import type { SigningKeyInfo } from './keys/key-ring.js'
import { type AuthorizationServerOptions, resolveSettings } from './options.js'
import {
  AuthorizationServerBearer,
  createPrincipalDependency,
  type PrincipalDependency,
  type PrincipalOptions,
  type TokenPrincipal,
} from './principal.js'
import { addRegistrationEndpoint } from './registration/registration-endpoint.js'
import { grantScopes, parseScope } from './scopes.js'
import type { ClientRecord, UserRecord } from './store/records.js'
import type { AuthorizationServerStore } from './store/store.js'
import type { AccessTokenVerifier } from './tokens/verifier.js'
import type { LoginResult, PasswordLogin } from './users/password-login.js'

/** A mounted OAuth 2.0 authorization server and what an app needs from it. */
export interface AuthorizationServer {
  readonly issuer: string
  /** The endpoints: mount with `app.include(server.router)`. */
  readonly router: Router
  /** The bearer scheme of APIs protected by this server (OAuth2 in OpenAPI, with its flows). */
  readonly scheme: AuthorizationServerBearer
  /**
   * The resource-server dependency: the token's principal, its scopes checked against the
   * route's through `SecurityScopes`, revoked tokens refused.
   */
  readonly currentPrincipal: PrincipalDependency<TokenPrincipal>
  /**
   * Another resource-server dependency, with your own audience or error style: its value is the
   * token's principal, or with `loadPrincipal` yours (a principal type needs its loader).
   */
  principal(
    options?: PrincipalOptions<TokenPrincipal> & { loadPrincipal?: undefined },
  ): PrincipalDependency<TokenPrincipal>
  principal<P>(
    options: PrincipalOptions<P> & {
      loadPrincipal: NonNullable<PrincipalOptions<P>['loadPrincipal']>
    },
  ): PrincipalDependency<P>
  /** Options whose loader may be absent (a `PrincipalOptions` variable): either principal. */
  principal<P = TokenPrincipal>(
    options?: PrincipalOptions<P>,
  ): PrincipalDependency<P | TokenPrincipal>
  /** Verifies this server's access tokens (default audience, revocation checked). */
  readonly verifier: AccessTokenVerifier
  /** The RFC 8414 metadata document. */
  readonly metadata: AuthorizationServerMetadata
  /** The store given in the options. */
  readonly store: AuthorizationServerStore
  /** Creating users and clients. */
  readonly admin: Administration
  readonly keys: {
    /** Retires the active signing key (it stays in the JWKS while its tokens live). */
    rotate(): Promise<SigningKeyInfo>
    list(): Promise<SigningKeyInfo[]>
  }
  /** Issues a code once the user has logged in and consented, as `/authorize` does. */
  issueAuthorizationCode(request: AuthorizationCodeRequest): Promise<string>
  /**
   * Hands a user your own login page signed in back to `/authorize` (`login.url`): starts the
   * built-in login session for `userId` and answers 303 to `returnTo`, which must be the
   * `return_to` the server sent (an authorization URL of this server; anything else is a 400).
   * Not needed when `login.authenticate` reads your own session.
   */
  completeLogin(login: { userId: string; returnTo: string }): Promise<Response>
  /**
   * For login pages: a throttled password check; throws `LoginThrottledError` while delayed. Pass
   * the route's `request: Request` input as `request`: the client's address then comes from it as
   * the built-in page reads it (`clientAddress`, by default the socket's peer), so guesses from
   * elsewhere never lock the user out. Without an address (neither `request` nor
   * `clientAddress`), every attempt for a username shares one counter.
   * @example
   * const result = await server.authenticateUser({ username, password, request })
   */
  authenticateUser(
    login: PasswordLogin & { readonly request?: Request | undefined },
  ): Promise<LoginResult>
  /** A registered client, for `/authorize`'s checks and consent page. */
  findClient(clientId: string): Promise<ClientRecord | undefined>
  /**
   * The scopes a consent page should offer for a `scope` parameter: each known and allowed to
   * the client and user, or the default for none; throws `invalid_scope` otherwise.
   */
  grantableScopes(request: {
    client: ClientRecord
    user: UserRecord
    scope: string | undefined
  }): string[]
}

/**
 * Creates an OAuth 2.1 authorization server: the authorization endpoint with its login and
 * consent pages, the token endpoint (authorization code with PKCE, client credentials, refresh
 * with rotation, and password), revocation, introspection, optional dynamic client
 * registration, RFC 8414 metadata and JWKS, issuing RFC 9068 JWT access tokens signed with
 * rotating keys, plus the resource-server dependency that accepts them.
 * @example
 * const server = createAuthorizationServer({
 *   issuer: 'https://auth.example.com',
 *   store: await openSQLiteStore('auth.db'),
 *   scopes: { read: 'Read your data', write: 'Change your data' },
 *   defaultScopes: ['read'],
 * })
 * app.include(server.router)
 * app.get('/me', { inputs: { me: Security(server.currentPrincipal, { scopes: ['read'] }) } }, ({ me }) => me)
 */
export function createAuthorizationServer(
  options: AuthorizationServerOptions,
): AuthorizationServer {
  const settings = resolveSettings(options)
  const context = createContext(settings)
  const router = new AnchoredRouter(settings.basePath, { tags: [...settings.tags] })
  const clientAuth = new ClientAuthenticationScheme(
    'OAuth2ClientAuthentication',
    settings.clientAddress,
  )
  const admin = createAdministration({
    store: settings.store,
    scopes: Object.keys(settings.scopes),
    now: settings.now,
    ...(settings.passwords ? { passwords: settings.passwords } : {}),
  })
  const authorization = settings.grantTypes.includes('authorization_code')
    ? addAuthorizationEndpoint(router, context, clientAuth)
    : undefined
  addTokenEndpoint(router, context, clientAuth)
  addRevocationEndpoint(router, context, clientAuth)
  addIntrospectionEndpoint(router, context, clientAuth)
  if (settings.registration)
    addRegistrationEndpoint(router, context, clientAuth, admin, settings.registration)
  for (const endpoint of [
    'token',
    'revoke',
    'introspect',
    ...(settings.registration ? ['register'] : []),
  ])
    refuseOtherMethods(router, `${settings.basePath}/${endpoint}`)
  addDiscoveryEndpoints(router, context)

  const scheme = new AuthorizationServerBearer(settings)
  const principal = <P>(principalOptions?: PrincipalOptions<P>) =>
    createPrincipalDependency<P>(scheme, context.verifier, settings, principalOptions)
  return {
    issuer: settings.issuer,
    router,
    scheme,
    currentPrincipal: principal<TokenPrincipal>(),
    principal,
    verifier: {
      verify: (token, verifyOptions) =>
        context.verifier.verify(token, { audience: [settings.audience], ...verifyOptions }),
      isRevoked: (token) => context.verifier.isRevoked(token),
    },
    metadata: metadataOf(context),
    store: settings.store,
    admin,
    keys: { rotate: () => context.keys.rotate(), list: () => context.keys.list() },
    issueAuthorizationCode: (request) => issueAuthorizationCode(context, request),
    async completeLogin(login) {
      if (!authorization)
        throw new TypeError('completeLogin: the authorization_code grant is turned off')
      return authorization.completeLogin(login)
    },
    authenticateUser: ({ request, ...login }) =>
      context.login(
        request === undefined || login.clientAddress !== undefined
          ? login
          : { ...login, clientAddress: settings.clientAddress(new WebRequestView(request)) },
      ),
    findClient: (clientId) => settings.store.findClient(clientId),
    grantableScopes: ({ client, user, scope }) =>
      grantScopes(context.scopePolicy, parseScope(scope), [client.scopes, user.scopes]),
  }
}
