import {
  createCurrentPrincipal,
  dependency,
  Gatehouse,
  HTTPException,
  mountProtectedResourceMetadata,
  OAuth2AuthorizationCodeBearer,
  OAuth2PasswordBearer,
  Security,
  type TokenVerifier,
} from 'gatehouse'
import { User } from '../scopes/app.js'
import type { UserStore } from '../scopes/users.js'

export interface ExternalIssuerAppOptions {
  users: UserStore
  /** Verifies the issuer's access tokens (a `createJWTVerifier` over its JWKS). */
  verifier: TokenVerifier
  /** This API's resource identifier, as tokens name it in `aud`. */
  resource: string
  /** The issuer, advertised as this API's authorization server (RFC 9728). */
  issuer: string
  /** Where clients get tokens, from the issuer's metadata, for the docs' Authorize dialog. */
  tokenUrl: string
  authorizationUrl?: string | undefined
}

const scopes = { me: 'Read information about the current user.', items: 'Read items.' }

/**
 * The OAuth2-scopes tutorial's routes, protected by tokens from an external issuer: `sub` names the
 * tutorial user, the RFC 9068 `scope` claim grants `me` and `items`, and the API advertises the
 * issuer at `/.well-known/oauth-protected-resource`.
 */
export function createExternalIssuerApp(options: ExternalIssuerAppOptions) {
  const { users, verifier, resource, issuer, tokenUrl, authorizationUrl } = options
  const app = new Gatehouse({ title: 'Tutorial API behind an external issuer', version: '0.1.0' })

  const scheme = authorizationUrl
    ? new OAuth2AuthorizationCodeBearer({ authorizationUrl, tokenUrl, scopes })
    : new OAuth2PasswordBearer({ tokenUrl, scopes })
  const resourceMetadata = mountProtectedResourceMetadata(app, {
    resource,
    authorizationServers: [issuer],
    resourceName: 'Gatehouse tutorial API',
  })

  // The tutorial's get_current_user, for any issuer: verified token, user by `sub`, scopes.
  const getCurrentUser = createCurrentPrincipal({
    scheme,
    jwt: verifier,
    loadPrincipal: (username) => users.find(username),
    errors: 'rfc6750',
    resourceMetadata,
    name: 'getCurrentUser',
  })

  const getCurrentActiveUser = dependency(
    { currentUser: Security(getCurrentUser, { scopes: ['me'] }) },
    ({ currentUser }) => {
      if (currentUser.disabled) throw new HTTPException(400, { detail: 'Inactive user' })
      return currentUser
    },
  )

  app.get(
    '/users/me/',
    { inputs: { currentUser: getCurrentActiveUser }, response: User },
    function readUsersMe({ currentUser }) {
      return currentUser
    },
  )

  app.get(
    '/users/me/items/',
    { inputs: { currentUser: Security(getCurrentActiveUser, { scopes: ['items'] }) } },
    function readOwnItems({ currentUser }) {
      return [{ item_id: 'Foo', owner: currentUser.username }]
    },
  )

  app.get('/status/', { inputs: { currentUser: getCurrentUser } }, function readSystemStatus() {
    return { status: 'ok' }
  })

  return app
}
