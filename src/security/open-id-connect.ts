import { SecurityScheme, type SecuritySchemeObject } from '../core/declare/security-scheme.js'
import type { RequestView } from '../core/run/request-view.js'
import { frozenModel, missing, requireString, schemeSettings } from './internal/scheme.js'
import type { SchemeOptions, SchemeValue } from './scheme-options.js'

/** Options of {@link OpenIdConnect}. */
export interface OpenIdConnectOptions<A extends boolean = true> extends SchemeOptions<A> {
  /** The OpenID Connect discovery document (`.../.well-known/openid-configuration`). */
  openIdConnectUrl: string
}

/**
 * OpenID Connect: documents the provider's discovery URL and gives the raw `Authorization` header
 * (as FastAPI does), or 401 with `WWW-Authenticate: Bearer` when there is none.
 * @example
 * const oidc = new OpenIdConnect({ openIdConnectUrl: 'https://id.example.com/.well-known/openid-configuration' })
 */
export class OpenIdConnect<A extends boolean = true> extends SecurityScheme<
  SchemeValue<string, A>
> {
  readonly schemeName: string
  readonly autoError: A
  readonly model: SecuritySchemeObject

  constructor(options: OpenIdConnectOptions<A>) {
    super()
    const owner = new.target.name
    const settings = schemeSettings(owner, options)
    const openIdConnectUrl = requireString(owner, 'openIdConnectUrl', options.openIdConnectUrl)
    this.schemeName = settings.schemeName
    this.autoError = settings.autoError as A
    this.model = frozenModel({ type: 'openIdConnect', ...settings.docs, openIdConnectUrl })
  }

  /** The `Authorization` header as sent, or `undefined`/401 when there is none. */
  extract(request: RequestView): SchemeValue<string, A> {
    return request.header('authorization') || missing(this.autoError, 'Bearer')
  }
}
