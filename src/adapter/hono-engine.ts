import { Hono } from 'hono'
import type { HTTPMethod } from '../core/route-options.js'

/** One route as the engine sees it: a pattern and a function from request to response. */
export interface EngineRoute {
  readonly method: HTTPMethod
  /** Hono syntax (`/items/:id`). */
  readonly enginePath: string
  handle(request: Request, params: Record<string, string>): Promise<Response> | Response
}

export interface EngineHooks {
  /** Nothing matched the path (after method routes and 405s). */
  notFound(request: Request): Response
  /** The engine itself failed; should not happen. */
  onError(error: unknown, request: Request): Response
}

/**
 * Build the Hono application for a route table. This is the only module that imports `hono`: the
 * core never does, so another engine needs only another file like this one. Routes are added in
 * declaration order, then one catch-all per path answers 405 with `Allow`, so a method mismatch is
 * decided before any dependency runs.
 */
export function createHonoEngine(
  routes: readonly EngineRoute[],
  hooks: EngineHooks,
): (request: Request) => Response | Promise<Response> {
  const hono = new Hono({ strict: true })
  const allowed = new Map<string, Set<string>>()
  for (const route of routes) {
    hono.on(route.method, route.enginePath, (c) => route.handle(c.req.raw, c.req.param()))
    const methods = allowed.get(route.enginePath) ?? new Set<string>()
    allowed.set(route.enginePath, methods)
    methods.add(route.method)
    if (route.method === 'GET') methods.add('HEAD')
  }
  for (const [enginePath, methods] of allowed) {
    const allow = [...methods].join(', ')
    hono.all(enginePath, () =>
      Response.json({ detail: 'Method Not Allowed' }, { status: 405, headers: { allow } }),
    )
  }
  hono.notFound((c) => hooks.notFound(c.req.raw))
  hono.onError((error, c) => hooks.onError(error, c.req.raw))
  return (request) => hono.fetch(request)
}
