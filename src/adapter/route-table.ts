import { RegExpRouter } from 'hono/router/reg-exp-router'
import { SmartRouter } from 'hono/router/smart-router'
import { TrieRouter } from 'hono/router/trie-router'
import { getPath, tryDecodeURIComponent } from 'hono/utils/url'

/** One entry of a route table: a method (or `ALL`), a pattern in Hono's syntax, and what it leads to. */
export interface TableEntry<T> {
  readonly method: string
  /** Hono syntax: `/items/:id`, `/files/:path{.+}`, `/static/*`. */
  readonly pattern: string
  readonly target: T
  /** `false` for a route that only refuses its method: it is left out of the path's `Allow`. */
  readonly advertised?: boolean
}

/** What a request matched: a target with its decoded path parameters, a known path with other methods, or nothing. */
export type TableMatch<T> =
  | { readonly kind: 'found'; readonly target: T; readonly params: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allow: string }
  | { readonly kind: 'not-found' }

/** Matches requests to targets; the same table serves both engines, so both route alike. */
export interface RouteTable<T> {
  match(method: string, path: string): TableMatch<T>
}

type Slot<T> = { readonly found: T } | { readonly allow: string }

const NOT_FOUND = { kind: 'not-found' } as const

/**
 * Hono's own router (the fast RegExpRouter, or the TrieRouter for patterns it cannot compile),
 * loaded with the entries in order and then one catch-all per pattern answering 405 with the methods
 * it has (`GET` implies `HEAD`; entries not `advertised` are left out). A `HEAD` request is routed as `GET` when no `HEAD` entry exists.
 */
export function createRouteTable<T>(entries: readonly TableEntry<T>[]): RouteTable<T> {
  const router = new SmartRouter<Slot<T>>({ routers: [new RegExpRouter(), new TrieRouter()] })
  const methods = new Map<string, Set<string>>()
  const heads = new Set<string>()
  for (const entry of entries) {
    router.add(entry.method, entry.pattern, { found: entry.target })
    if (entry.method === 'ALL' || entry.advertised === false) continue
    const known = methods.get(entry.pattern) ?? new Set<string>()
    methods.set(entry.pattern, known)
    known.add(entry.method)
    if (entry.method === 'GET') known.add('HEAD')
    if (entry.method === 'HEAD') heads.add(entry.pattern)
  }
  for (const [pattern, allowed] of methods)
    router.add('ALL', pattern, { allow: [...allowed].join(', ') })
  const hasHeadRoutes = heads.size > 0

  return {
    match(method, rawPath) {
      const path = rawPath.includes('%')
        ? getPath({ url: `http://h${rawPath}` } as Request)
        : rawPath
      let result: ReturnType<typeof lookup<T>>
      if (method === 'HEAD' && hasHeadRoutes) {
        result = lookup(router, 'HEAD', path)
        if (result !== undefined && !('found' in result[0])) result = undefined
      }
      result ??= lookup(router, method === 'HEAD' ? 'GET' : method, path)
      if (result === undefined) return NOT_FOUND
      const [slot, params] = result
      if ('allow' in slot) return { kind: 'method-not-allowed', allow: slot.allow }
      return { kind: 'found', target: slot.found, params }
    },
  }
}

function lookup<T>(
  router: SmartRouter<Slot<T>>,
  method: string,
  path: string,
): [Slot<T>, Record<string, string>] | undefined {
  const [matches, stash] = router.match(method, path)
  const first = matches[0]
  if (first === undefined) return undefined
  const [slot, paramMap] = first
  const params: Record<string, string> = {}
  for (const name in paramMap) {
    const raw = stash ? stash[paramMap[name] as number] : (paramMap[name] as unknown as string)
    if (raw !== undefined) params[name] = raw.includes('%') ? tryDecodeURIComponent(raw) : raw
  }
  return [slot, params]
}
