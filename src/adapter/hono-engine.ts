import { Hono } from 'hono'
import { WebRequestView } from '../core/run/request-view.js'
import { type Reply, toResponse } from '../core/run/respond.js'
import {
  allowedMethods,
  type EngineHooks,
  type EngineRoute,
  methodNotAllowed,
} from './engine-route.js'

/**
 * Build the Hono application for a route table: the Web-standard engine behind `app.fetch` (any
 * runtime, and the in-process test client). Routes are added in declaration order, then one
 * catch-all per path answers 405 with `Allow`, so a method mismatch is decided before any
 * dependency runs. Only the adapter folder imports `hono`.
 */
export function createHonoEngine(
  routes: readonly EngineRoute[],
  hooks: EngineHooks,
): (request: Request) => Response | Promise<Response> {
  const hono = new Hono({ strict: true })
  for (const route of routes) {
    hono.on(route.method, route.enginePath, (c) =>
      respond(route.handle(new WebRequestView(c.req.raw), c.req.param())),
    )
  }
  for (const [enginePath, allow] of allowedMethods(routes))
    hono.all(enginePath, () => toResponse(methodNotAllowed(allow)))
  hono.notFound((c) => toResponse(hooks.notFound(new WebRequestView(c.req.raw))))
  hono.onError((error) => toResponse(hooks.onError(error)))
  return (request) => hono.fetch(request)
}

function respond(reply: Reply | Promise<Reply>): Response | Promise<Response> {
  return reply instanceof Promise ? reply.then(toResponse) : toResponse(reply)
}
