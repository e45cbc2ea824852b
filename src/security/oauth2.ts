import { SecurityScheme, type SecuritySchemeObject } from '../core/declare/security-scheme.js'
import type { RequestView } from '../core/run/request-view.js'
import { normalizeFlows } from './internal/flows.js'
import { frozenModel, missing, schemeSettings } from './internal/scheme.js'
import type { SchemeOptions, SchemeValue } from './scheme-options.js'

/** Scope names and their descriptions, as Swagger UI lists them. */
export type OAuth2Scopes = Readonly<Record<string, string>>

/** What every flow may carry besides its URLs. */
export interface OAuth2FlowBase {
  /** The scopes the flow can grant; default none. */
  scopes?: OAuth2Scopes | undefined
  /** Where tokens are refreshed, when it differs from `tokenUrl`. */
  refreshUrl?: string | undefined
}

/** The implicit flow: the token comes back from `authorizationUrl` (OpenAPI OAuth Flow Object). */
export interface OAuth2ImplicitFlow extends OAuth2FlowBase {
  authorizationUrl: string
}
/** The password flow: the client sends the user's name and password to `tokenUrl`. */
export interface OAuth2PasswordFlow extends OAuth2FlowBase {
  tokenUrl: string
}
/** The client credentials flow: a client authenticates itself at `tokenUrl`. */
export interface OAuth2ClientCredentialsFlow extends OAuth2FlowBase {
  tokenUrl: string
}
/** The authorization code flow: authorize at `authorizationUrl`, redeem the code at `tokenUrl`. */
export interface OAuth2AuthorizationCodeFlow extends OAuth2FlowBase {
  authorizationUrl: string
  tokenUrl: string
}

/** The flows an OAuth2 scheme supports; at least one. */
export interface OAuth2Flows {
  implicit?: OAuth2ImplicitFlow | undefined
  password?: OAuth2PasswordFlow | undefined
  clientCredentials?: OAuth2ClientCredentialsFlow | undefined
  authorizationCode?: OAuth2AuthorizationCodeFlow | undefined
}

/** Options of {@link OAuth2}. */
export interface OAuth2Options<A extends boolean = true> extends SchemeOptions<A> {
  /** The flows the API supports, each with its URLs and scopes. */
  flows: OAuth2Flows
}

/**
 * An OAuth2 security scheme with any flows (implicit, password, clientCredentials,
 * authorizationCode). As an input it gives the raw `Authorization` header, like FastAPI's `OAuth2`;
 * the bearer classes built on it give the token alone.
 * @example
 * const oauth2 = new OAuth2({
 *   flows: { implicit: { authorizationUrl: 'https://auth.example.com/authorize', scopes: { read: 'Read' } } },
 * })
 * app.get('/me', { inputs: { authorization: oauth2 } }, ({ authorization }) => ...)
 */
export class OAuth2<A extends boolean = true> extends SecurityScheme<SchemeValue<string, A>> {
  readonly schemeName: string
  readonly autoError: A
  readonly model: SecuritySchemeObject

  constructor(options: OAuth2Options<A>) {
    super()
    const owner = new.target.name
    const settings = schemeSettings(owner, options)
    const flows = normalizeFlows(owner, options.flows, (flow) => `flows.${flow}.`)
    this.schemeName = settings.schemeName
    this.autoError = settings.autoError as A
    this.model = frozenModel({ type: 'oauth2', ...settings.docs, flows })
  }

  /** The `Authorization` header as sent, or a 401 `Bearer` challenge when there is none. */
  extract(request: RequestView): SchemeValue<string, A> {
    const authorization = request.header('authorization')
    if (authorization) return authorization
    return missing(this.autoError, 'Bearer')
  }
}
