import type { HTTPMethod } from '../core/declare/route-options.js'
import type { BaseRequestView } from '../core/run/request-view.js'
import type { PlainReply, Reply } from '../core/run/respond.js'

/** One route as an engine sees it: a pattern and a function from request view to reply. */
export interface EngineRoute {
  readonly method: HTTPMethod
  /** Hono syntax (`/items/:id`). */
  readonly enginePath: string
  handle(view: BaseRequestView, params: Record<string, string>): Reply | Promise<Reply>
}

export interface EngineHooks {
  /** Nothing matched the path (after method routes and 405s). */
  notFound(view: BaseRequestView): PlainReply
  /** The engine itself failed; should not happen. */
  onError(error: unknown): PlainReply
}

/** The methods each path answers, for `405 Method Not Allowed` with `Allow`, in declaration order. */
export function allowedMethods(routes: readonly EngineRoute[]): Map<string, string> {
  const allowed = new Map<string, Set<string>>()
  for (const route of routes) {
    const methods = allowed.get(route.enginePath) ?? new Set<string>()
    allowed.set(route.enginePath, methods)
    methods.add(route.method)
    if (route.method === 'GET') methods.add('HEAD')
  }
  return new Map([...allowed].map(([path, methods]) => [path, [...methods].join(', ')]))
}

export function methodNotAllowed(allow: string): PlainReply {
  return {
    status: 405,
    headers: { 'content-type': 'application/json', allow },
    body: '{"detail":"Method Not Allowed"}',
  }
}
