import { BaseRequestView, type MatchedRoute } from '../core/run/request-view.js'
import type { Reply } from '../core/run/respond.js'
import { pathBelow } from './path-below.js'

/**
 * The request as a mounted sub-application sees it: the same request, routed on the path below the
 * mount point. Everything is read from the parent view, so the body is read once and the engine
 * writes the answer as usual; what the sub-application queues for after the response is handed back
 * to the parent by the mount.
 */
export class MountedRequestView extends BaseRequestView {
  readonly #parent: BaseRequestView
  readonly #prefix: string
  readonly path: string

  constructor(parent: BaseRequestView, prefix: string) {
    super()
    this.#parent = parent
    this.#prefix = prefix
    this.path = pathBelow(parent.path, prefix)
    this.basePath = parent.basePath + prefix
    // One object for both apps, made now when the parent's middleware made none: what the mounted
    // app's middleware, dependencies and handler leave reaches the parent's exception handlers.
    parent.state ??= {}
    this.state = parent.state
  }

  /** The mounting app's middleware sees the route too, behind the mount prefix. */
  override routed(route: MatchedRoute): void {
    super.routed(route)
    this.#parent.routed({ path: this.#prefix + route.path, params: route.params })
  }

  /** The mounting app's middleware may answer an error instead of this app's answer too. */
  override get replacedBy(): unknown {
    return super.replacedBy ?? this.#parent.replacedBy
  }
  override set replacedBy(error: unknown) {
    super.replacedBy = error
  }

  /** The request as the mounting app sees it (its whole path), for that app's exception handlers. */
  get outer(): BaseRequestView {
    return this.#parent
  }

  get method(): string {
    return this.#parent.method
  }

  get secure(): boolean {
    return this.#parent.secure
  }

  get request(): Request {
    return this.#parent.request
  }

  queryString(): string {
    return this.#parent.queryString()
  }

  header(name: string): string | undefined {
    return this.#parent.header(name)
  }

  headerNames(): string[] {
    return this.#parent.headerNames()
  }

  override query(name: string): string | undefined {
    return this.#parent.query(name)
  }

  override queryAll(name: string): string[] {
    return this.#parent.queryAll(name)
  }

  override queryNames(): string[] {
    return this.#parent.queryNames()
  }

  override cookie(name: string): string | undefined {
    return this.#parent.cookie(name)
  }

  override cookieNames(): string[] {
    return this.#parent.cookieNames()
  }

  readBody(limit: number): Promise<Uint8Array> {
    return this.#parent.readBody(limit)
  }

  limitBody(limit: number): void {
    this.#parent.limitBody(limit)
  }
}

/**
 * Route `view` below `prefix` (a mount point, a root path the request still carries): `dispatch`
 * sees the path under it, and what it queues for after the response goes back to `view`, whose
 * engine finishes the request.
 */
export function dispatchBelow(
  view: BaseRequestView,
  prefix: string,
  dispatch: (inner: BaseRequestView) => Reply | Promise<Reply>,
): Reply | Promise<Reply> {
  const inner = new MountedRequestView(view, prefix)
  const handOver = (reply: Reply): Reply => {
    if (inner.afterResponse !== undefined) view.defer(...inner.afterResponse)
    return reply
  }
  const reply = dispatch(inner)
  return reply instanceof Promise ? reply.then(handOver) : handOver(reply)
}
