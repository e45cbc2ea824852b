import type { RequestView } from '../core/run/request-view.js'
import { normalizeFlows } from './internal/flows.js'
import { bearerToken, missing } from './internal/scheme.js'
import { OAuth2, type OAuth2Flows, type OAuth2Options, type OAuth2Scopes } from './oauth2.js'
import type { SchemeOptions, SchemeValue } from './scheme-options.js'

export interface BearerFlowOptions<A extends boolean> extends SchemeOptions<A> {
  /** Scope names and descriptions, offered as checkboxes by Swagger UI. Default none. */
  scopes?: OAuth2Scopes | undefined
  /** Where tokens are refreshed. */
  refreshUrl?: string | undefined
}

/** Options of {@link OAuth2PasswordBearer}. */
export interface OAuth2PasswordBearerOptions<A extends boolean = true>
  extends BearerFlowOptions<A> {
  /** The URL that issues tokens for a username and password (relative to the API, e.g. `'token'`). */
  tokenUrl: string
}

/** Options of {@link OAuth2AuthorizationCodeBearer}. */
export interface OAuth2AuthorizationCodeBearerOptions<A extends boolean = true>
  extends BearerFlowOptions<A> {
  /** Where the user is sent to authorize the client. */
  authorizationUrl: string
  /** Where the client exchanges the code for a token. */
  tokenUrl: string
}

/** Options of {@link OAuth2ClientCredentials}. */
export interface OAuth2ClientCredentialsOptions<A extends boolean = true>
  extends BearerFlowOptions<A> {
  /** Where a client exchanges its credentials for a token. */
  tokenUrl: string
}

type ShorthandOptions = BearerFlowOptions<boolean> & {
  tokenUrl?: string | undefined
  authorizationUrl?: string | undefined
}

/**
 * Split shorthand options into the common ones and one flow, validated here so that a `TypeError`
 * names the option as the user wrote it (`tokenUrl`, not `flows.password.tokenUrl`).
 */
function toOAuth2Options<A extends boolean>(
  owner: string,
  kind: keyof OAuth2Flows,
  options: ShorthandOptions & SchemeOptions<A>,
): OAuth2Options<A> {
  if (options === null || typeof options !== 'object')
    throw new TypeError(`${owner}: \`options\` must be an object`)
  const { tokenUrl, authorizationUrl, refreshUrl, scopes, schemeName, description, autoError } =
    options
  const flow = {
    ...(authorizationUrl === undefined ? {} : { authorizationUrl }),
    ...(tokenUrl === undefined ? {} : { tokenUrl }),
    ...(refreshUrl === undefined ? {} : { refreshUrl }),
    ...(scopes === undefined ? {} : { scopes }),
  }
  const flows = { [kind]: flow } as OAuth2Flows
  normalizeFlows(owner, flows, () => '')
  return {
    ...(schemeName === undefined ? {} : { schemeName }),
    ...(description === undefined ? {} : { description }),
    ...(autoError === undefined ? {} : { autoError }),
    flows,
  }
}

/**
 * OAuth2 with the password flow: reads `Authorization: Bearer <token>` and gives the token. Missing
 * credentials (or another scheme, or an empty token) answer 401 with `WWW-Authenticate: Bearer`.
 * @example
 * const oauth2Scheme = new OAuth2PasswordBearer({ tokenUrl: 'token', scopes: { me: 'Read me' } })
 * app.get('/users/me', { inputs: { token: oauth2Scheme } }, ({ token }) => ...)
 */
export class OAuth2PasswordBearer<A extends boolean = true> extends OAuth2<A> {
  constructor(options: OAuth2PasswordBearerOptions<A>) {
    super(toOAuth2Options(new.target.name, 'password', options))
  }

  /** The bearer token, or `undefined`/401 when there is none. */
  override extract(request: RequestView): SchemeValue<string, A> {
    return bearerToken(request.header('authorization')) ?? missing(this.autoError, 'Bearer')
  }
}

/**
 * OAuth2 with the authorization code flow (FastAPI's `OAuth2AuthorizationCodeBearer`): gives the
 * bearer token, or 401 with `WWW-Authenticate: Bearer`.
 * @example
 * const oauth2 = new OAuth2AuthorizationCodeBearer({
 *   authorizationUrl: 'https://auth.example.com/authorize',
 *   tokenUrl: 'https://auth.example.com/token',
 * })
 */
export class OAuth2AuthorizationCodeBearer<A extends boolean = true> extends OAuth2<A> {
  constructor(options: OAuth2AuthorizationCodeBearerOptions<A>) {
    super(toOAuth2Options(new.target.name, 'authorizationCode', options))
  }

  /** The bearer token, or `undefined`/401 when there is none. */
  override extract(request: RequestView): SchemeValue<string, A> {
    return bearerToken(request.header('authorization')) ?? missing(this.autoError, 'Bearer')
  }
}

/**
 * OAuth2 with the client credentials flow, for machine-to-machine APIs: gives the bearer token, or
 * 401 with `WWW-Authenticate: Bearer`.
 * @example
 * const oauth2 = new OAuth2ClientCredentials({ tokenUrl: 'token', scopes: { 'reports:read': 'Read reports' } })
 */
export class OAuth2ClientCredentials<A extends boolean = true> extends OAuth2<A> {
  constructor(options: OAuth2ClientCredentialsOptions<A>) {
    super(toOAuth2Options(new.target.name, 'clientCredentials', options))
  }

  /** The bearer token, or `undefined`/401 when there is none. */
  override extract(request: RequestView): SchemeValue<string, A> {
    return bearerToken(request.header('authorization')) ?? missing(this.autoError, 'Bearer')
  }
}
