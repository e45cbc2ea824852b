import { SecurityScheme, type SecuritySchemeObject } from '../core/declare/security-scheme.js'
import type { RequestView } from '../core/run/request-view.js'
import { frozenModel, missing, requireString, schemeSettings } from './internal/scheme.js'
import type { SchemeOptions, SchemeValue } from './scheme-options.js'

/** Options of {@link APIKeyHeader}, {@link APIKeyQuery} and {@link APIKeyCookie}. */
export interface APIKeyOptions<A extends boolean = true> extends SchemeOptions<A> {
  /** The header, query parameter or cookie that carries the key. */
  name: string
}

type Location = 'header' | 'query' | 'cookie'

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** The API key schemes differ only in where they read the key. */
abstract class APIKeyBase<A extends boolean> extends SecurityScheme<SchemeValue<string, A>> {
  readonly schemeName: string
  readonly autoError: A
  readonly model: SecuritySchemeObject
  /** Where the key is read from, as the OpenAPI `name` says. */
  readonly name: string

  constructor(owner: string, location: Location, options: APIKeyOptions<A>) {
    super()
    const settings = schemeSettings(owner, options)
    const name = requireString(owner, 'name', options.name)
    if (location === 'header' && !HEADER_NAME.test(name))
      throw new TypeError(`${owner}: \`name\` must be a valid header name`)
    this.schemeName = settings.schemeName
    this.autoError = settings.autoError as A
    this.name = name
    this.model = frozenModel({ type: 'apiKey', ...settings.docs, in: location, name })
  }

  protected abstract read(request: RequestView): string | undefined

  /** The key, or `undefined`/401 `WWW-Authenticate: APIKey` when it is missing or empty. */
  extract(request: RequestView): SchemeValue<string, A> {
    return this.read(request) || missing(this.autoError, 'APIKey')
  }
}

/**
 * An API key in a request header.
 * @example
 * const apiKey = new APIKeyHeader({ name: 'X-API-Key' })
 * app.get('/items', { inputs: { key: apiKey } }, ({ key }) => ...)
 */
export class APIKeyHeader<A extends boolean = true> extends APIKeyBase<A> {
  constructor(options: APIKeyOptions<A>) {
    super(new.target.name, 'header', options)
  }

  protected read(request: RequestView): string | undefined {
    return request.header(this.name)
  }
}

/**
 * An API key in a query parameter (the last one wins when repeated).
 * @example const apiKey = new APIKeyQuery({ name: 'api_key' })
 */
export class APIKeyQuery<A extends boolean = true> extends APIKeyBase<A> {
  constructor(options: APIKeyOptions<A>) {
    super(new.target.name, 'query', options)
  }

  protected read(request: RequestView): string | undefined {
    return request.query(this.name)
  }
}

/**
 * An API key in a cookie.
 * @example const apiKey = new APIKeyCookie({ name: 'session' })
 */
export class APIKeyCookie<A extends boolean = true> extends APIKeyBase<A> {
  constructor(options: APIKeyOptions<A>) {
    super(new.target.name, 'cookie', options)
  }

  protected read(request: RequestView): string | undefined {
    return request.cookie(this.name)
  }
}
