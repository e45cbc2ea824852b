import type { CompiledRoute } from '../core/compile/compile-route.js'
import type { SecurityScheme } from '../core/declare/security-scheme.js'

/**
 * What an app's routes must not share, checked as each is added so a clash throws at
 * registration, naming the route: one route per method and path, no route on a documentation
 * page's path, one security scheme per component name, unique operation ids.
 */
export class RouteRegistry {
  /** Filled by `compileRoute`, which refuses an operation id already taken. */
  readonly operationIds = new Set<string>()
  readonly #docPaths: ReadonlyMap<string, string>
  readonly #schemes = new Map<string, SecurityScheme>()
  readonly #routeKeys = new Map<string, string>()

  /** `docPaths`: the documentation pages' paths, each with the option that put it there. */
  constructor(docPaths: ReadonlyMap<string, string>) {
    this.#docPaths = docPaths
  }

  /** Records `route`, or throws if it clashes with one already registered. */
  register(route: CompiledRoute): void {
    const name = route.runtime.name
    // Parameter names do not tell routes apart: `/a/{x}` and `/a/{y}` are one path.
    const key = `${route.method} ${route.path.enginePath.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, ':')}`
    const taken = this.#routeKeys.get(key)
    if (taken !== undefined)
      throw new TypeError(
        `${name}: already registered as ${taken}; each method and path is one route`,
      )
    const documentation = this.#docPaths.get(route.path.path)
    if (documentation !== undefined && (route.method === 'GET' || route.method === 'HEAD'))
      throw new TypeError(
        `${name}: the path is taken by \`${documentation}\`; move the route or that page`,
      )
    for (const { scheme } of route.runtime.plan.security) this.#registerScheme(name, scheme)
    this.#routeKeys.set(key, name)
  }

  /**
   * A mount is asked before the documentation pages: one at or above a page's path (`/docs`,
   * `/openapi.json`) would answer in its place. The catch-all mount at `/` is asked last.
   */
  checkMount(prefix: string): void {
    if (prefix === '/') return
    const base = prefix.replace(/\/$/, '')
    for (const [path, option] of this.#docPaths)
      if (path === base || path.startsWith(`${base}/`))
        throw new TypeError(
          `mount ${prefix}: the path ${path} is taken by \`${option}\`; mount elsewhere or move that page`,
        )
  }

  /** One component name, one scheme: a second scheme may share a name only if it documents the same. */
  #registerScheme(route: string, scheme: SecurityScheme): void {
    const known = this.#schemes.get(scheme.schemeName)
    if (known === undefined) this.#schemes.set(scheme.schemeName, scheme)
    else if (known !== scheme && JSON.stringify(known.model) !== JSON.stringify(scheme.model))
      throw new TypeError(
        `${route}: two different security schemes are named "${scheme.schemeName}": give one another \`schemeName\``,
      )
  }
}
