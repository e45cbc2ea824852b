import type { IncomingMessage, ServerResponse } from 'node:http'
import { InFlight } from '../adapter/in-flight.js'
import { createNodeListener } from '../adapter/node-engine.js'
import { createWebEngine, type Dispatch, type WebOutcome } from '../adapter/web-engine.js'
import { type CompiledRoute, compileRoute } from '../core/compile/compile-route.js'
import { compilePlan } from '../core/compile/plan.js'
import { MAX_TIMER, refuseUnknownOptions } from '../core/declare/known-options.js'
import {
  applyInclude,
  checkIncluded,
  checkIncludeOptions,
  type IncludeOptions,
  RouteCollector,
} from '../core/declare/route-collector.js'
import type { RouteRecord } from '../core/declare/route-options.js'
import type { Router } from '../core/declare/router.js'
import { ServiceUnavailableError } from '../core/errors/index.js'
import type { BaseRequestView } from '../core/run/request-view.js'
import { consoleLogger, errorReply, type Logger, type Reply } from '../core/run/respond.js'
import type { RouteRuntime, RuntimeSettings } from '../core/run/route-runtime.js'
import { generateOpenAPI, type OpenAPIDocument } from '../openapi/document.js'
import { placeAnchored } from './anchored-routes.js'
import { LOGGER } from './app-logger.js'
import type { AppOptions, Fetchable, ShutdownOptions } from './app-options.js'
import { readAppOptions } from './app-settings.js'
import { createDispatch } from './dispatch.js'
import { appEntries, slashRedirect, type TableItem } from './dispatch-table.js'
import {
  type DocumentationSettings,
  documentationPaths,
  documentationRoutes,
  resolveDocumentation,
} from './documentation.js'
import {
  defaultExceptionHandler,
  type ErrorClass,
  type ExceptionHandler,
  ExceptionHandlers,
} from './exception-handlers.js'
import { LifespanRunner } from './lifespan.js'
import type { Middleware } from './middleware.js'
import {
  BODY_CEILING,
  checkMountPrefix,
  isRoutable,
  type Mounted,
  mountBase,
  PASSES_ERRORS,
  ROUTED,
} from './mount.js'
import { mountedLifespans } from './mount-lifespan.js'
import { dispatchBelow, MountedRequestView } from './mounted-view.js'
import { DependencyOverrides } from './overrides.js'
import { RouteRegistry } from './route-registry.js'

// RFC 8414 §3.1 puts the metadata at the origin's `/.well-known/…`, outside any mount prefix, so
// the mounting app would never pass it on: the top app must hold the router.
const IN_MOUNTED_APP =
  "an authorization server's router goes in the top app, not one that is mounted: its RFC 8414 metadata sits at the origin's /.well-known/..., which a mount never sees (behind a proxy that strips the issuer path, give the top app that rootPath)"

/** What `shutdown()` waits for requests in flight by default: `serve()`'s `drainTimeout`. */
const DRAIN_TIMEOUT = 10_000
const SHUTDOWN_OPTIONS = new Set(['drainTimeout'])

/**
 * A Gatehouse application: declare routes (or include routers), then serve `app.fetch` with any Web
 * standard server, `serve(app)` on Node, or call `app.request()` in tests.
 * @example
 * const app = new Gatehouse({ title: 'Items' })
 * app.get('/items/{item_id}', { inputs: { item_id: Path(z.number()) } }, ({ item_id }) => ({ item_id }))
 * serve(app, { port: 8000 })
 */
export class Gatehouse<S = undefined> extends RouteCollector implements Fetchable {
  /**
   * Replacements for dependencies and security schemes (FastAPI's `app.dependency_overrides`): the
   * replacement runs in the original's place with the same `SecurityScopes`. The OpenAPI document
   * keeps describing the originals.
   * @example app.dependencyOverrides.set(getCurrentUser, dependency({}, () => testUser))
   */
  readonly dependencyOverrides: DependencyOverrides
  readonly #options: AppOptions<S>
  readonly #settings: RuntimeSettings
  readonly #docs: DocumentationSettings
  readonly #rootPath: string
  readonly #table: TableItem[] = []
  readonly #routes: CompiledRoute[] = []
  readonly #registry: RouteRegistry
  readonly #middleware: Middleware[] = []
  readonly #handlers = new ExceptionHandlers()
  readonly #lifespan: LifespanRunner<S>
  readonly #inFlight = new InFlight()
  #runtimes: Map<CompiledRoute, RouteRuntime> | undefined
  // The mounting app and the prefix there, not the resulting path: that app may be mounted later.
  #mountedIn: { readonly parent: Gatehouse<unknown>; readonly prefix: string } | undefined
  #passesErrors = false
  /** Whether an authorization server's (anchored) routes were included. */
  #anchored = false
  #dispatch: Dispatch | undefined
  #web: ((request: Request) => Promise<WebOutcome>) | undefined
  #node: ((incoming: IncomingMessage, outgoing: ServerResponse) => void) | undefined
  #openapi: OpenAPIDocument | undefined

  constructor(options: AppOptions<S> = {}) {
    super()
    if (options === null || typeof options !== 'object')
      throw new TypeError('Gatehouse: `options` must be an object')
    const { bodyLimit, rootPath } = readAppOptions(options)
    this.#options = { ...options }
    this.#rootPath = rootPath
    this.#docs = resolveDocumentation(options)
    this.#registry = new RouteRegistry(documentationPaths(this.#docs))
    const logger = options.logger ?? consoleLogger
    this.#lifespan = new LifespanRunner(
      options.lifespan,
      mountedLifespans(() => this.#mounts(), logger),
      logger,
    )
    this.#settings = {
      bodyLimit,
      logger,
      answerError: (error, view, where) => this.#answerError(error, view, where),
    }
    this.dependencyOverrides = new DependencyOverrides(() => this.#replan())
  }

  /** The compiled routes, in declaration order. */
  get routes(): readonly CompiledRoute[] {
    return this.#routes
  }

  /**
   * What the lifespan yielded, once the app has started (`serve()`, the first request, or
   * `await app.startup()`).
   * @throws TypeError before start-up, so a dependency reading it too early fails loudly.
   */
  get state(): S {
    if (!this.#lifespan.live)
      throw new TypeError('app.state: the app has not started (serve() it, or await app.startup())')
    return this.#lifespan.state as S
  }

  /** Add a router's routes, optionally under a further prefix, tags and dependencies. */
  include(router: Router, options: IncludeOptions = {}): this {
    checkIncluded(router)
    checkIncludeOptions(options)
    const records = router.routes.map((record) => applyInclude(record, options))
    const anchored = records.find((record) => record.anchor !== undefined)
    if (anchored !== undefined && this.#mountedIn !== undefined)
      throw new TypeError(`${anchored.method} ${anchored.path}: ${IN_MOUNTED_APP}`)
    for (const record of records) this.addRoute(placeAnchored(record, this.#rootPath))
    if (anchored !== undefined) this.#anchored = true
    return this
  }

  protected addRoute(record: RouteRecord): void {
    const route = compileRoute(record, this.#options.dependencies, this.#registry.operationIds)
    this.#registry.register(route)
    this.#routes.push(route)
    this.#table.push({ route })
    this.#changed()
  }

  /**
   * Serve another app under `prefix` (FastAPI's `app.mount`): every method of `prefix` and below is
   * forwarded to it with the prefix removed from the path. A Gatehouse app keeps its own routes,
   * middleware, exception handlers and docs (at `prefix/docs`); its lifespan runs with this app's.
   * At `'/'` it is the catch-all: asked, whenever it was mounted, only for what this app's routes,
   * other mounts and slash redirects do not answer (a known path with another method stays 405).
   * @example app.mount('/admin', adminApp); app.mount('/static', staticFiles('public'))
   */
  mount(prefix: string, app: Fetchable): this {
    checkMountPrefix(prefix)
    if (app === null || typeof app !== 'object' || typeof app.fetch !== 'function')
      throw new TypeError(
        `mount ${prefix}: give a Gatehouse app or anything with a fetch(request) method`,
      )
    if (app === (this as Fetchable))
      throw new TypeError(`mount ${prefix}: an app cannot mount itself`)
    this.#registry.checkMount(prefix)
    for (const item of this.#table)
      if ('mount' in item && item.mount.prefix === prefix)
        throw new TypeError(`mount ${prefix}: something is already mounted there`)
    if (app instanceof Gatehouse) {
      if (app.#mountedIn !== undefined)
        throw new TypeError(`mount ${prefix}: that app is already mounted at ${app.#browserBase()}`)
      if (this.#within(app))
        throw new TypeError(`mount ${prefix}: that app already mounts this one (directly or not)`)
      if (app.#holdsAnchored()) throw new TypeError(`mount ${prefix}: ${IN_MOUNTED_APP}`)
      app.#mountedIn = { parent: this, prefix: mountBase(prefix) }
      app.#rebased()
    }
    this.#table.push({ mount: { prefix, app } })
    this.#changed()
    return this
  }

  /**
   * Add a middleware (onion model: `await next()`); the first added is the outermost. Middleware run
   * before routing, so they see 404s, 405s and preflight requests too.
   * @example app.use(cors({ origin: ['https://app.example.com'], credentials: true }))
   */
  use(middleware: Middleware): this {
    if (typeof middleware !== 'function')
      throw new TypeError('use: a middleware must be a function')
    this.#middleware.push(middleware)
    this.#changed()
    return this
  }

  /**
   * Answer errors of a class (and its subclasses), or every error answered with a status, your own
   * way. The most specific class wins, then the status; `defaultExceptionHandler` gives the answer
   * Gatehouse would have given. A handler that throws is logged and answered with a bare 500.
   * @example app.exceptionHandler(RequestValidationError, (error) => Response.json({ errors: error.errors }, { status: 400 }))
   */
  exceptionHandler<E>(key: ErrorClass<E>, handler: ExceptionHandler<E>): this
  exceptionHandler(key: number, handler: ExceptionHandler): this
  exceptionHandler(key: ErrorClass<unknown> | number, handler: ExceptionHandler<never>): this {
    this.#handlers.add(key, handler as ExceptionHandler)
    this.#changed()
    return this
  }

  /** The OpenAPI 3.1 document, generated once from the routes and cached. */
  openapi(): OpenAPIDocument {
    const base = this.#browserBase()
    // FastAPI's `root_path_in_servers`: the root path is the first server, before any given.
    const given = this.#options.servers ?? []
    const servers =
      base === '' || given.some((server) => server.url === base)
        ? this.#options.servers
        : [{ url: base }, ...given]
    this.#openapi ??= generateOpenAPI(
      {
        title: this.#options.title ?? 'Gatehouse',
        version: this.#options.version ?? '0.1.0',
        ...(this.#options.description ? { description: this.#options.description } : {}),
        ...(this.#options.summary ? { summary: this.#options.summary } : {}),
        ...(servers ? { servers } : {}),
        ...(this.#options.openapiTags ? { tags: this.#options.openapiTags } : {}),
      },
      this.#routes,
    )
    return this.#openapi
  }

  /**
   * Run the lifespan's set-up, then that of mounted apps, once. `serve()` and the first request do
   * it for you; call it yourself to fail fast, or before `app.state` is read. All or nothing: if a
   * mounted app's set-up throws, what had started is torn down again and this rejects.
   */
  async startup(): Promise<void> {
    await this.#lifespan.start()
  }

  /**
   * Run the lifespan's tear-down (mounted apps first), once. `serve()`'s `close()` does it. New
   * requests are refused (503) from the start; those in flight, with their background tasks and
   * cleanups, are waited for first (up to `drainTimeout`, 10 s), as uvicorn waits for them before
   * the ASGI lifespan shutdown: the tear-down must not close a pool they still use.
   * @example await app.shutdown({ drainTimeout: 5_000 })
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    refuseUnknownOptions('shutdown', options, SHUTDOWN_OPTIONS)
    const drainTimeout = options.drainTimeout ?? DRAIN_TIMEOUT
    if (!Number.isSafeInteger(drainTimeout) || drainTimeout < 0 || drainTimeout > MAX_TIMER)
      throw new TypeError(
        'shutdown: `drainTimeout` must be a non-negative integer of milliseconds up to 2^31 - 1',
      )
    await this.#lifespan.stop(() => this.#drain(drainTimeout))
  }

  /** Wait for the requests in flight; what outlives `timeout` is logged and left behind. */
  async #drain(timeout: number): Promise<void> {
    const abandoned = await this.#inFlight.idle(timeout)
    if (abandoned > 0)
      this.#settings.logger.error(
        `Shut-down abandoned ${abandoned} request${abandoned === 1 ? '' : 's'} still running (being answered, or running background tasks and cleanups) when drainTimeout ran out`,
        { abandoned },
      )
  }

  /** For `serve()`: the logger to report a failed shut-down on a signal to. */
  get [LOGGER](): Logger {
    return this.#settings.logger
  }

  /** The Web standard entry point: `Request` in, `Response` out. */
  readonly fetch = async (request: Request): Promise<Response> => {
    return (await this.#outcome(request)).response
  }

  /**
   * Send a request in-process, for tests: a path (resolved against `http://localhost`), a URL or a
   * `Request`, with optional `RequestInit`. Like FastAPI's `TestClient`, it resolves once the
   * request is over: background tasks and cleanups have run (a streamed body is read to its end).
   * @example const res = await app.request('/items/1?q=x', { headers: { authorization: 'Bearer …' } })
   */
  async request(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    let request: Request
    if (input instanceof Request) request = init ? new Request(input, init) : input
    else {
      const url =
        typeof input === 'string' && input.startsWith('/') ? `http://localhost${input}` : input
      request = new Request(url, init)
    }
    const { response, settled } = await this.#outcome(request)
    if (settled === undefined) return response
    const body = response.body === null ? null : await response.arrayBuffer()
    await settled
    return new Response(body, response)
  }

  /**
   * A `node:http` request listener for this app, used by `serve()`: it reads Node's request and
   * writes Node's response directly, without a Web `Request`/`Response` per request. With your own
   * server it keeps the lifespan as `app.fetch` does: the first request starts it (better: `await
   * app.startup()` before listening, so a failed set-up stops you there), and after `shutdown()`
   * requests are answered 503 until it is started again; stop your server before shutting down.
   * @example http.createServer(app.nodeListener()).listen(8000)
   */
  nodeListener(): (incoming: IncomingMessage, outgoing: ServerResponse) => void {
    return (incoming, outgoing) => {
      if (this.#node === undefined) {
        const dispatch = this.#getDispatch()
        this.#node = createNodeListener(
          (view) =>
            this.#lifespan.phase === 'running'
              ? dispatch(view)
              : this.#whenStarted().then((refusal) => refusal ?? dispatch(view)),
          {
            onError: (error) => errorReply(error, this.#settings.logger, 'the Node engine'),
            inFlight: this.#inFlight,
          },
        )
      }
      this.#node(incoming, outgoing)
    }
  }

  async #outcome(request: Request): Promise<WebOutcome> {
    if (this.#lifespan.phase !== 'running') {
      const refusal = await this.#whenStarted()
      if (refusal !== undefined) return { response: refusal, settled: undefined }
    }
    this.#web ??= createWebEngine(
      this.#getDispatch(),
      (error) => errorReply(error, this.#settings.logger, 'the Web engine'),
      this.#inFlight,
    )
    return this.#web(request)
  }

  /**
   * Start the app for a request that found it not running: `undefined` once it runs, else the 503
   * to answer with. Shut down (by `close()` or `shutdown()`), it is refused until started again
   * (`serve()`, `startup()`); a start that threw is tried again by the next request.
   */
  async #whenStarted(): Promise<Response | undefined> {
    const phase = this.#lifespan.phase
    if (phase === 'stopping' || (phase === 'stopped' && !this.#lifespan.failed))
      return defaultExceptionHandler(
        new ServiceUnavailableError(1, 'The application is shutting down'),
      )
    try {
      await this.startup()
      return undefined
    } catch (error) {
      // Logged, never in the answer: a set-up error may name a database URL with its password.
      this.#settings.logger.error('Lifespan set-up failed', error)
      return defaultExceptionHandler(
        new ServiceUnavailableError(1, 'The application could not start'),
      )
    }
  }

  #mounts(): Mounted[] {
    const mounts: Mounted[] = []
    for (const item of this.#table) if ('mount' in item) mounts.push(item.mount)
    return mounts
  }

  /**
   * Root path and mount points: what the browser sees in front of this app's paths. Worked out from
   * the mounting apps each time (as Starlette reads `root_path` per request), so the order in which
   * apps were mounted into each other does not matter.
   */
  #browserBase(): string {
    const mounted = this.#mountedIn
    return mounted === undefined ? this.#rootPath : mounted.parent.#browserBase() + mounted.prefix
  }

  /**
   * The answer to an error: this app's exception handlers, or for an app that has none of its own
   * (marked with `PASSES_ERRORS`) and is mounted, the mounting app's, given the request it saw.
   */
  #answerError(error: unknown, view: BaseRequestView, where: string): Reply | Promise<Reply> {
    const mounted = this.#passesErrors ? this.#mountedIn : undefined
    if (mounted === undefined)
      return this.#handlers.answer(error, view, where, this.#settings.logger)
    const outer = view instanceof MountedRequestView ? view.outer : view
    return mounted.parent.#answerError(error, outer, where)
  }

  /** Whether this app is `app` or mounted in it, directly or not (a mount would make a loop). */
  #within(app: Gatehouse<unknown>): boolean {
    if (app === this) return true
    const mounted = this.#mountedIn
    return mounted === undefined ? false : mounted.parent.#within(app)
  }

  /** Whether this app, or one it mounts, holds an authorization server's routes. */
  #holdsAnchored(): boolean {
    return (
      this.#anchored ||
      this.#mounts().some(({ app }) => app instanceof Gatehouse && app.#holdsAnchored())
    )
  }

  /** This app (and those it mounts) now sit under another base: rebuild what was built with it. */
  #rebased(): void {
    this.#changed()
    for (const { app } of this.#mounts()) if (app instanceof Gatehouse) app.#rebased()
  }

  /** Engines and documents are rebuilt on next use after the app changed. */
  #changed(): void {
    this.#dispatch = undefined
    this.#web = undefined
    this.#node = undefined
    this.#openapi = undefined
    this.#runtimes = undefined
  }

  /** Plan every route again with the current overrides; throws (naming the route) if one cannot be. */
  #replan(): void {
    const overrides = this.dependencyOverrides
    const runtimes = new Map<CompiledRoute, RouteRuntime>()
    if (overrides.size > 0)
      for (const route of this.#routes)
        runtimes.set(route, {
          ...route.runtime,
          plan: compilePlan({ ...route.planInput, overrides }),
        })
    this.#dispatch = undefined
    this.#web = undefined
    this.#node = undefined
    this.#runtimes = runtimes
  }

  #getDispatch(): Dispatch {
    this.#dispatch ??= this.#createDispatch()
    return this.#dispatch
  }

  #createDispatch(): Dispatch {
    const settings = this.#settings
    if (this.#runtimes === undefined) this.#replan()
    const runtimes = this.#runtimes as Map<CompiledRoute, RouteRuntime>
    const documentation = documentationRoutes(this.#docs, this.#browserBase(), () => this.openapi())
    const { entries, fallback, pages } = appEntries(this.#table, runtimes, settings, documentation)
    const dispatch = createDispatch({
      entries,
      middleware: [...this.#middleware],
      answerError: settings.answerError,
      // Passed on, they may meet the mounting app's handlers, added before or after this dispatch.
      plainRefusals:
        this.#handlers.size === 0 && !(this.#passesErrors && this.#mountedIn !== undefined),
      rootPath: this.#browserBase(),
      bodyCeiling: this[BODY_CEILING](),
      fallback,
      slashRedirect:
        this.#options.redirectSlashes === false ? undefined : slashRedirect(this.#routes, pages),
    })
    return this.#mountedIn === undefined && this.#rootPath !== ''
      ? belowRootPath(dispatch, this.#rootPath)
      : dispatch
  }

  /**
   * The largest body this app accepts anywhere (see `BODY_CEILING`). Another kind of app mounted
   * here reads its own requests: the parent's middleware stays within the parent's limits.
   */
  [BODY_CEILING](): number {
    let ceiling = this.#settings.bodyLimit
    for (const route of this.#routes) ceiling = Math.max(ceiling, route.options.bodyLimit ?? 0)
    for (const { app } of this.#mounts())
      if (isRoutable(app)) ceiling = Math.max(ceiling, app[BODY_CEILING]())
    return ceiling
  }

  /** Leave this app's errors to the app it is mounted in (see `PASSES_ERRORS`); for `staticFiles`. */
  [PASSES_ERRORS](): this {
    this.#passesErrors = true
    this.#changed()
    return this
  }

  /**
   * For a mount: this app's dispatch, given the parent's view of the request. The parent starts and
   * stops it, but it may be between the two (mounted after the parent started, or being stopped
   * before the parent): then it is started, or refused, as a request to it alone would be, so its
   * handlers never run without their state.
   */
  [ROUTED](view: BaseRequestView): Reply | Promise<Reply> {
    if (this.#lifespan.phase === 'running') return this.#getDispatch()(view)
    return this.#whenStarted().then((refusal) => refusal ?? this.#getDispatch()(view))
  }
}

/**
 * A request that still carries the root path (no proxy in front strips it: a developer's own
 * machine, an ingress that passes paths on, Swagger UI's "Try it out" against `servers[0]`) is
 * routed below it, as Starlette routes a path that starts with `root_path`; one without it is
 * routed as it is, as behind a proxy that strips it.
 */
function belowRootPath(dispatch: Dispatch, rootPath: string): Dispatch {
  return (view) =>
    view.path === rootPath || view.path.startsWith(`${rootPath}/`)
      ? dispatchBelow(view, rootPath, dispatch)
      : dispatch(view)
}
