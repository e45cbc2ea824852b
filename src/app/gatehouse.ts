import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EngineHooks, EngineRoute } from '../adapter/engine-route.js'
import { createHonoEngine } from '../adapter/hono-engine.js'
import { createNodeListener } from '../adapter/node-engine.js'
import { type CompiledRoute, compileRoute } from '../core/compile/compile-route.js'
import type { InputLike } from '../core/declare/dependency.js'
import {
  applyInclude,
  type IncludeOptions,
  RouteCollector,
} from '../core/declare/route-collector.js'
import type { RouteRecord } from '../core/declare/route-options.js'
import type { Router } from '../core/declare/router.js'
import type { BaseRequestView } from '../core/run/request-view.js'
import {
  consoleLogger,
  errorReply,
  jsonReply,
  type Logger,
  type PlainReply,
} from '../core/run/respond.js'
import { handleRequest, type RuntimeSettings } from '../core/run/route-runtime.js'
import { createDocsRoutes } from '../docs/index.js'
import { generateOpenAPI, type OpenAPIDocument, type OpenAPIInfo } from '../openapi/document.js'

/** Settings of a {@link Gatehouse} app. Every URL may be `null` to turn that page off. */
export interface AppOptions {
  title?: string
  version?: string
  description?: string
  summary?: string
  servers?: OpenAPIInfo['servers']
  /** Descriptions for tags, listed in this order in the docs. */
  openapiTags?: OpenAPIInfo['tags']
  /** Default `/openapi.json`; `null` disables it and the docs pages. */
  openapiUrl?: string | null
  /** Swagger UI; default `/docs`. */
  docsUrl?: string | null
  /** ReDoc; default `/redoc`. */
  redocUrl?: string | null
  /** Swagger UI's OAuth2 redirect page; default `/docs/oauth2-redirect`. */
  swaggerUiOAuth2RedirectUrl?: string | null
  swaggerUiParameters?: Record<string, unknown>
  swaggerUiInitOAuth?: Record<string, unknown>
  /** Run before every route's own dependencies. */
  dependencies?: readonly InputLike[]
  /** Largest accepted request body in bytes; default 1 MiB. Larger bodies get 413. */
  bodyLimit?: number
  /** Redirect `/items` to `/items/` (and back) with 307 when only the other form exists. Default true. */
  redirectSlashes?: boolean
  /** Where unexpected errors are reported; default `console.error`. */
  logger?: Logger
}

const MiB = 1024 * 1024

/**
 * A Gatehouse application: declare routes (or include routers), then serve `app.fetch` with any Web
 * standard server, `serve(app)` on Node, or call `app.request()` in tests.
 * @example
 * const app = new Gatehouse({ title: 'Items' })
 * app.get('/items/{item_id}', { inputs: { item_id: Path(z.number()) } }, ({ item_id }) => ({ item_id }))
 * serve(app, { port: 8000 })
 */
export class Gatehouse extends RouteCollector {
  readonly #options: AppOptions
  readonly #routes: CompiledRoute[] = []
  readonly #operationIds = new Set<string>()
  readonly #settings: RuntimeSettings
  #engine: ((request: Request) => Response | Promise<Response>) | undefined
  #nodeListener: ((incoming: IncomingMessage, outgoing: ServerResponse) => void) | undefined
  #openapi: OpenAPIDocument | undefined

  constructor(options: AppOptions = {}) {
    super()
    const bodyLimit = options.bodyLimit ?? MiB
    if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 0)
      throw new TypeError('Gatehouse: `bodyLimit` must be a non-negative integer')
    this.#options = { ...options }
    this.#settings = { bodyLimit, logger: options.logger ?? consoleLogger }
  }

  /** The compiled routes, in declaration order. */
  get routes(): readonly CompiledRoute[] {
    return this.#routes
  }

  /** Add a router's routes, optionally under a further prefix, tags and dependencies. */
  include(router: Router, options: IncludeOptions = {}): this {
    for (const record of router.routes) this.addRoute(applyInclude(record, options))
    return this
  }

  protected addRoute(record: RouteRecord): void {
    this.#routes.push(compileRoute(record, this.#options.dependencies, this.#operationIds))
    this.#engine = undefined
    this.#nodeListener = undefined
    this.#openapi = undefined
  }

  /** The OpenAPI 3.1 document, generated once from the routes and cached. */
  openapi(): OpenAPIDocument {
    this.#openapi ??= generateOpenAPI(
      {
        title: this.#options.title ?? 'Gatehouse',
        version: this.#options.version ?? '0.1.0',
        ...(this.#options.description ? { description: this.#options.description } : {}),
        ...(this.#options.summary ? { summary: this.#options.summary } : {}),
        ...(this.#options.servers ? { servers: this.#options.servers } : {}),
        ...(this.#options.openapiTags ? { tags: this.#options.openapiTags } : {}),
      },
      this.#routes,
    )
    return this.#openapi
  }

  /** The Web standard entry point: `Request` in, `Response` out. */
  readonly fetch = async (request: Request): Promise<Response> => {
    this.#engine ??= this.#buildEngine()
    return this.#engine(request)
  }

  /**
   * Send a request in-process, for tests: a path (resolved against `http://localhost`), a URL or a
   * `Request`, with optional `RequestInit`.
   * @example const res = await app.request('/items/1?q=x', { headers: { authorization: 'Bearer …' } })
   */
  request(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    if (input instanceof Request) return this.fetch(init ? new Request(input, init) : input)
    const url =
      typeof input === 'string' && input.startsWith('/') ? `http://localhost${input}` : input
    return this.fetch(new Request(url, init))
  }

  /**
   * A `node:http` request listener for this app, used by `serve()`: it reads Node's request and
   * writes Node's response directly, without a Web `Request`/`Response` per request.
   * @example http.createServer(app.nodeListener()).listen(8000)
   */
  nodeListener(): (incoming: IncomingMessage, outgoing: ServerResponse) => void {
    return (incoming, outgoing) => {
      // Built on first use and again after routes are added.
      this.#nodeListener ??= createNodeListener(this.#engineRoutes(), this.#engineHooks())
      this.#nodeListener(incoming, outgoing)
    }
  }

  #buildEngine(): (request: Request) => Response | Promise<Response> {
    return createHonoEngine(this.#engineRoutes(), this.#engineHooks())
  }

  #engineRoutes(): EngineRoute[] {
    const settings = this.#settings
    const routes: EngineRoute[] = this.#routes.map((route) => ({
      method: route.method,
      enginePath: route.path.enginePath,
      handle: (view, params) => handleRequest(route.runtime, view, params, settings),
    }))
    routes.push(...this.#documentationRoutes())
    return routes
  }

  #engineHooks(): EngineHooks {
    const logger = this.#settings.logger
    return {
      notFound: (view) => this.#notFound(view),
      onError: (error) => errorReply(error, logger, 'the router'),
    }
  }

  #documentationRoutes(): EngineRoute[] {
    const openapiUrl =
      this.#options.openapiUrl === undefined ? '/openapi.json' : this.#options.openapiUrl
    if (openapiUrl === null) return []
    const routes: EngineRoute[] = [
      { method: 'GET', enginePath: openapiUrl, handle: () => jsonReply(this.openapi()) },
    ]
    const docsUrl = this.#options.docsUrl === undefined ? '/docs' : this.#options.docsUrl
    const redirect = this.#options.swaggerUiOAuth2RedirectUrl
    for (const route of createDocsRoutes({
      title: this.#options.title ?? 'Gatehouse',
      openapiUrl,
      docsUrl,
      redocUrl: this.#options.redocUrl === undefined ? '/redoc' : this.#options.redocUrl,
      oauth2RedirectUrl:
        docsUrl === null ? null : redirect === undefined ? `${docsUrl}/oauth2-redirect` : redirect,
      ...(this.#options.swaggerUiParameters
        ? { swaggerUiParameters: this.#options.swaggerUiParameters }
        : {}),
      ...(this.#options.swaggerUiInitOAuth
        ? { swaggerUiInitOAuth: this.#options.swaggerUiInitOAuth }
        : {}),
    })) {
      routes.push({
        method: 'GET',
        enginePath: route.path,
        handle: (view) => route.handle(view.request),
      })
    }
    return routes
  }

  /** 404, unless the path with or without its trailing slash is a route: then 307 there (FastAPI). */
  #notFound(view: BaseRequestView): PlainReply {
    if (this.#options.redirectSlashes !== false) {
      const url = new URL(view.request.url)
      const path = url.pathname
      const other = path.endsWith('/') ? path.slice(0, -1) : `${path}/`
      if (other !== '' && this.#routes.some((route) => route.path.matcher.test(other))) {
        url.pathname = other
        return { status: 307, headers: { location: url.toString() }, body: null }
      }
    }
    return jsonReply({ detail: 'Not Found' }, 404)
  }
}
