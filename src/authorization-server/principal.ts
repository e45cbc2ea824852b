import type { JWTPayload } from 'jose'
import type { Dependency } from '../core/declare/dependency.js'
import { refuseUnknownOptions } from '../core/declare/known-options.js'
import { SecurityScheme, type SecuritySchemeObject } from '../core/declare/security-scheme.js'
import type { SecurityScopes } from '../core/declare/security-scopes.js'
import { checkRealm } from '../core/errors/challenge-params.js'
import { HTTPException } from '../core/errors/index.js'
import type { RequestView } from '../core/run/request-view.js'
import type { VerifiedToken } from '../jwt/index.js'
import { createCurrentPrincipal, type ErrorStyle } from '../resource-server/index.js'
import type { Settings } from './options.js'
import type { AccessTokenVerifier } from './tokens/verifier.js'

/** Who a valid access token of this server speaks for. */
export interface TokenPrincipal {
  /** `sub`: the user's id, or the client's for the client credentials grant. */
  readonly subject: string
  readonly clientId: string
  readonly scopes: readonly string[]
  /** Every claim of the token. */
  readonly claims: JWTPayload
}

/** Options of `server.principal()`. */
export interface PrincipalOptions<P> {
  /** Turn the verified token into your principal; `undefined`/`null` answers like an invalid token. */
  loadPrincipal?:
    | ((token: VerifiedToken) => P | null | undefined | Promise<P | null | undefined>)
    | undefined
  /** Accepted audiences; default the server's default audience. */
  audience?: string | readonly string[] | undefined
  /** `'rfc6750'` (default) or FastAPI's tutorial answers. */
  errors?: ErrorStyle | undefined
  /** Added to RFC 6750 challenges. */
  realm?: string | undefined
  /**
   * The URL of the API's RFC 9728 metadata (what `mountProtectedResourceMetadata` returns),
   * named as `resource_metadata` in every challenge.
   */
  resourceMetadata?: string | undefined
}

/** The dependency type `server.principal()` returns. */
export type PrincipalDependency<P> = Dependency<
  P,
  { securityScopes: typeof SecurityScopes; token: SecurityScheme<string> }
>

/**
 * The bearer scheme of APIs protected by this server: `Authorization: Bearer <token>`, documented
 * in OpenAPI as OAuth2 with this server's flows and scopes, so Swagger UI's Authorize dialog
 * talks to it directly.
 * @example
 * app.get('/raw', { inputs: { token: server.scheme } }, ({ token }) => server.verifier.verify(token))
 */
export class AuthorizationServerBearer extends SecurityScheme<string> {
  readonly schemeName: string
  readonly autoError = true
  readonly model: SecuritySchemeObject

  constructor(settings: Settings) {
    super()
    this.schemeName = settings.schemeName
    const { issuer, endpointBase, scopes, grantTypes } = settings
    const tokenUrl = `${endpointBase}/token`
    const refresh = grantTypes.includes('refresh_token') ? { refreshUrl: tokenUrl } : {}
    const flows: Record<string, unknown> = {}
    if (grantTypes.includes('authorization_code'))
      flows.authorizationCode = {
        authorizationUrl: `${endpointBase}/authorize`,
        tokenUrl,
        ...refresh,
        scopes,
      }
    if (grantTypes.includes('password')) flows.password = { tokenUrl, ...refresh, scopes }
    if (grantTypes.includes('client_credentials')) flows.clientCredentials = { tokenUrl, scopes }
    this.model = Object.freeze({
      type: 'oauth2',
      description: `Access tokens issued by ${issuer}`,
      flows,
    })
  }

  extract(request: RequestView): string {
    const header = request.header('authorization')
    const space = header?.indexOf(' ') ?? -1
    const token = header !== undefined && space > 0 ? header.slice(space + 1).trim() : ''
    if (header === undefined || header.slice(0, space).toLowerCase() !== 'bearer' || token === '')
      throw new HTTPException(401, {
        detail: 'Not authenticated',
        headers: { 'WWW-Authenticate': 'Bearer' },
      })
    return token
  }
}

const PRINCIPAL_OPTIONS = new Set([
  'loadPrincipal',
  'audience',
  'errors',
  'realm',
  'resourceMetadata',
])

/**
 * A resource-server dependency bound to this server: verifies its access tokens (signature,
 * issuer, audience, expiry, `typ`, revocation), then checks the scopes the route requires
 * through `SecurityScopes`.
 */
export function createPrincipalDependency<P>(
  scheme: AuthorizationServerBearer,
  verifier: AccessTokenVerifier,
  server: Pick<Settings, 'audience' | 'resources'>,
  options: PrincipalOptions<P> = {},
): PrincipalDependency<P> {
  refuseUnknownOptions('server.principal()', options, PRINCIPAL_OPTIONS)
  const audience =
    options.audience === undefined
      ? [server.audience]
      : typeof options.audience === 'string'
        ? [options.audience]
        : [...options.audience]
  if (audience.length === 0 || !audience.every((a) => typeof a === 'string' && a !== ''))
    throw new TypeError('server.principal(): `audience` must be non-empty strings')
  // This server's tokens carry only these: another audience would refuse every one of them.
  const issued = [server.audience, ...server.resources]
  for (const each of audience)
    if (!issued.includes(each))
      throw new TypeError(
        `server.principal(): \`audience\` "${each}" is none this server issues tokens for (${issued.join(', ')})`,
      )
  const realm = checkRealm('server.principal()', options.realm)
  const load = options.loadPrincipal ?? ((token: VerifiedToken) => toPrincipal(token) as P)
  if (typeof load !== 'function')
    throw new TypeError('server.principal(): `loadPrincipal` must be a function')
  return createCurrentPrincipal<P>({
    scheme,
    jwt: {
      verify: (token: string) => verifier.verify(token, { audience, checkRevocation: false }),
    },
    // Revocation is checked here, not in `verify`: a store that cannot answer is then a 503,
    // not a "bad token" that makes clients throw their tokens away.
    loadPrincipal: async (_subject, token) =>
      (await verifier.isRevoked(token)) ? undefined : load(token),
    errors: options.errors ?? 'rfc6750',
    ...(realm === undefined ? {} : { realm }),
    ...(options.resourceMetadata === undefined
      ? {}
      : { resourceMetadata: options.resourceMetadata }),
    name: 'authorizationServerPrincipal',
  })
}

/** The default principal: what the token says. */
export function toPrincipal(token: VerifiedToken): TokenPrincipal {
  return {
    subject: token.subject,
    clientId: String(token.payload.client_id),
    scopes: token.scopes,
    claims: token.payload,
  }
}
