import type { BaseRequestView } from '../core/run/request-view.js'
import type { Reply } from '../core/run/respond.js'
import type { Fetchable } from './app-options.js'
import type { Target } from './dispatch.js'
import { dispatchBelow } from './mounted-view.js'
import { pathBelow } from './path-below.js'

/** How a mounting app reaches a mounted Gatehouse app's dispatch, on either engine. */
export const ROUTED = Symbol('gatehouse.routed')

/**
 * Marks a Gatehouse app with no exception handling of its own (`staticFiles`): mounted in another
 * Gatehouse app, its errors are answered by that app's handlers, as a Starlette `StaticFiles`
 * raises `HTTPException(404)` into the app around it.
 */
export const PASSES_ERRORS = Symbol('gatehouse.passesErrors')

/**
 * A Gatehouse app's largest accepted body: its `bodyLimit`, a route's larger one, or a mounted
 * Gatehouse app's. A middleware's own read of the whole body is held to it.
 */
export const BODY_CEILING = Symbol('gatehouse.bodyCeiling')

/** An app that can be dispatched to directly (a Gatehouse app). */
export interface Routable {
  [ROUTED](view: BaseRequestView): Reply | Promise<Reply>
  [BODY_CEILING](): number
}

/** Something mounted under a prefix. */
export interface Mounted {
  readonly prefix: string
  readonly app: Fetchable
}

/** `mount`'s prefix: a plain path, no trailing slash, no pattern; or `/`, the catch-all. */
export function checkMountPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string' || (prefix !== '/' && !/^\/[^{}:*?#]*[^/{}:*?#]$/.test(prefix)))
    throw new TypeError(
      `mount: the prefix must be a plain path such as "/admin" (no trailing "/"), or "/" for everything the app does not route: ${JSON.stringify(prefix)}`,
    )
}

/** What a mount adds in front of the mounted app's paths: nothing for the catch-all at `/`. */
export function mountBase(prefix: string): string {
  return prefix === '/' ? '' : prefix
}

export function isRoutable(app: Fetchable): app is Fetchable & Routable {
  return typeof (app as Partial<Routable>)[ROUTED] === 'function'
}

/**
 * Forward a request under a mount point to the mounted app: a Gatehouse app through its own
 * dispatch, on the same view (no new Request, whichever engine); anything else through `fetch`.
 */
export function mountTarget(mounted: Mounted): Target {
  const { app } = mounted
  const prefix = mountBase(mounted.prefix)
  if (isRoutable(app)) {
    return (view) => dispatchBelow(view, prefix, (inner) => app[ROUTED](inner))
  }
  return async (view) => {
    const original = view.request
    const url = new URL(original.url)
    url.pathname = pathBelow(view.path, prefix)
    return app.fetch(new Request(url, original))
  }
}
