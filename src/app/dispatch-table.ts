import type { TableEntry } from '../adapter/route-table.js'
import type { CompiledRoute } from '../core/compile/compile-route.js'
import { refusesMethod } from '../core/declare/refuses-method.js'
import {
  handleRequest,
  type RouteRuntime,
  type RuntimeSettings,
} from '../core/run/route-runtime.js'
import type { Target } from './dispatch.js'
import type { DocumentationRoute } from './documentation.js'
import { type Mounted, mountTarget } from './mount.js'

/** What an app registered, in order: its routes and its mounts. */
export type TableItem = { readonly route: CompiledRoute } | { readonly mount: Mounted }

/** The route table's entries for an app, and the app mounted at `/` if any. */
export interface AppEntries {
  readonly entries: TableEntry<Target>[]
  readonly fallback: Target | undefined
  /** The documentation pages' paths, which slash redirects find too. */
  readonly pages: ReadonlySet<string>
}

/**
 * The route table of an app: each route with its current plan (`runtimes`, when dependency
 * overrides replanned it), each mount under its prefix and everything below, then the
 * documentation pages. A mount at `/` is not an entry but the fallback for what none answers.
 */
export function appEntries(
  table: readonly TableItem[],
  runtimes: ReadonlyMap<CompiledRoute, RouteRuntime>,
  settings: RuntimeSettings,
  documentation: readonly DocumentationRoute[],
): AppEntries {
  const entries: TableEntry<Target>[] = []
  let fallback: Target | undefined
  for (const item of table) {
    if ('route' in item) {
      const runtime = runtimes.get(item.route) ?? item.route.runtime
      const { path } = item.route.path
      const target: Target = (view, params) => {
        view.routed({ path, params })
        return handleRequest(runtime, view, params, settings)
      }
      entries.push({
        method: item.route.method,
        pattern: item.route.path.enginePath,
        target,
        advertised: !refusesMethod(item.route.options),
      })
    } else if (item.mount.prefix === '/') fallback = mountTarget(item.mount)
    else {
      const target = mountTarget(item.mount)
      entries.push({ method: 'ALL', pattern: item.mount.prefix, target })
      entries.push({ method: 'ALL', pattern: `${item.mount.prefix}/*`, target })
    }
  }
  const pages = new Set<string>()
  for (const page of documentation) {
    entries.push({ method: 'GET', pattern: page.path, target: (view) => page.handle(view) })
    pages.add(page.path)
  }
  return { entries, fallback, pages }
}

/**
 * FastAPI's `redirect_slashes`: the other form of a path (with or without its trailing slash)
 * when that one is a route or a documentation page (`/docs/` finds `/docs`).
 */
export function slashRedirect(
  routes: readonly CompiledRoute[],
  pages: ReadonlySet<string>,
): (path: string) => string | undefined {
  return (path) => {
    const other = path.endsWith('/') ? path.slice(0, -1) : `${path}/`
    if (other === '') return undefined
    if (pages.has(other)) return other
    return routes.some((route) => route.path.matcher.test(other)) ? other : undefined
  }
}
