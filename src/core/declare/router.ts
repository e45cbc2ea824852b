import {
  applyInclude,
  checkIncluded,
  checkIncludeOptions,
  type IncludeOptions,
  RouteCollector,
} from './route-collector.js'
import type { RouteRecord } from './route-options.js'

/**
 * A group of routes with a shared `prefix`, `tags` and `dependencies` (FastAPI's `APIRouter`),
 * added to an app with `app.include(router)`.
 * @example
 * const items = new Router({ prefix: '/items', tags: ['items'], dependencies: [verifyToken] })
 * items.get('/', {}, () => [])
 * app.include(items)
 */
export class Router extends RouteCollector {
  readonly #routes: RouteRecord[] = []
  readonly #options: IncludeOptions

  constructor(options: IncludeOptions = {}) {
    super()
    this.#options = { ...options }
    checkIncludeOptions(this.#options)
  }

  /** The routes as declared, with this router's prefix, tags and dependencies applied. */
  get routes(): readonly RouteRecord[] {
    return this.#routes.map((record) => applyInclude(record, this.#options))
  }

  /** Add another router's routes under this one. */
  include(router: Router, options: IncludeOptions = {}): this {
    checkIncluded(router)
    checkIncludeOptions(options)
    for (const record of router.routes) this.#routes.push(applyInclude(record, options))
    return this
  }

  protected addRoute(record: RouteRecord): void {
    this.#routes.push(record)
  }
}

/**
 * A router whose paths are where a browser finds them, fixed by `anchor` (an authorization
 * server's issuer path): included without a prefix, into an app that is not mounted, and in an app
 * behind a root path that part of the path is the app's, not the route's (see `RouteRecord.anchor`).
 */
export class AnchoredRouter extends Router {
  readonly #anchor: string

  constructor(anchor: string, options: IncludeOptions = {}) {
    super(options)
    this.#anchor = anchor
  }

  override get routes(): readonly RouteRecord[] {
    return super.routes.map((record) => ({ ...record, anchor: this.#anchor }))
  }
}
