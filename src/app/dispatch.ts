import { createRouteTable, type TableEntry } from '../adapter/route-table.js'
import type { Dispatch } from '../adapter/web-engine.js'
import { HTTPException } from '../core/errors/index.js'
import type { BaseRequestView } from '../core/run/request-view.js'
import { jsonReply, type PlainReply, type Reply } from '../core/run/respond.js'
import { composeMiddleware, type Middleware } from './middleware.js'

/** What a table entry leads to: a route, a documentation page, a mounted application. */
export type Target = (
  view: BaseRequestView,
  params: Record<string, string>,
) => Reply | Promise<Reply>

export interface DispatchSettings {
  readonly entries: readonly TableEntry<Target>[]
  readonly middleware: readonly Middleware[]
  /** Turns an error into the answer: the app's exception handlers (or its mounting app's). */
  readonly answerError: (
    error: unknown,
    view: BaseRequestView,
    where: string,
  ) => Reply | Promise<Reply>
  /** No exception handler could change the router's own 404 and 405: send them as they are. */
  readonly plainRefusals: boolean
  /** The other form of a path (with or without its trailing slash) when only that one is a route. */
  readonly slashRedirect: ((path: string) => string | undefined) | undefined
  /** What the browser sees in front of every path: the root path behind a proxy (`/api`). */
  readonly rootPath: string
  /** The most a read of the whole body with no limit of its own takes before routing (413 beyond). */
  readonly bodyCeiling: number
  /** The app mounted at `/`: it answers what would otherwise be this app's 404. */
  readonly fallback?: Target | undefined
}

const NOT_FOUND = jsonReply({ detail: 'Not Found' }, 404)

/**
 * An app's one dispatch function, the same for both engines: the route table (404, 405 with
 * `Allow`, 307 slash redirects), decided before any dependency runs, wrapped in the middleware.
 */
export function createDispatch(settings: DispatchSettings): Dispatch {
  const table = createRouteTable(settings.entries)
  const { answerError, plainRefusals } = settings
  const refusals = new Map<string, PlainReply>()

  const run = (target: Target, view: BaseRequestView, params: Record<string, string>) => {
    try {
      const reply = target(view, params)
      return reply instanceof Promise
        ? reply.catch((error: unknown) => answerError(error, view, 'a route'))
        : reply
    } catch (error) {
      return answerError(error, view, 'a route')
    }
  }

  const route = (view: BaseRequestView): Reply | Promise<Reply> => {
    const match = table.match(view.method, view.path)
    if (match.kind === 'found') return run(match.target, view, match.params)
    if (match.kind === 'method-not-allowed') {
      if (!plainRefusals)
        return answerError(
          new HTTPException(405, { headers: { allow: match.allow } }),
          view,
          'the router',
        )
      let reply = refusals.get(match.allow)
      if (reply === undefined) {
        reply = jsonReply({ detail: 'Method Not Allowed' }, 405, { allow: match.allow })
        refusals.set(match.allow, reply)
      }
      return reply
    }
    const other = settings.slashRedirect?.(view.path)
    // Relative, so a forged Host header can never send the client elsewhere; and never starting
    // with `//` or `/\`, which a browser reads as another host (RFC 3986 §4.2, WHATWG URL): a
    // path like `//evil.example/edit` is answered 404, not sent there.
    const target = other === undefined ? undefined : `${settings.rootPath}${other}`
    if (target !== undefined && !/^\/[/\\]/.test(target)) {
      const query = view.queryString()
      const location = `${target}${query === '' ? '' : `?${query}`}`
      return { status: 307, headers: { location }, body: null }
    }
    // Last, so a mount at `/` never hides a route, whatever the order they were registered in.
    if (settings.fallback !== undefined) return run(settings.fallback, view, {})
    if (!plainRefusals) return answerError(new HTTPException(404), view, 'the router')
    return NOT_FOUND
  }

  const dispatch =
    settings.middleware.length === 0
      ? route
      : composeMiddleware(settings.middleware, route, (error, view) =>
          answerError(error, view, 'a middleware'),
        )
  const { bodyCeiling } = settings
  return (view) => {
    // A middleware's `await ctx.request.request.text()` runs before any route's limit is known.
    view.limitBody(bodyCeiling)
    return dispatch(view)
  }
}
