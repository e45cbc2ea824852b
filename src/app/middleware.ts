import type { MatchedRoute, RequestView } from '../core/run/request-view.js'
import { discardReply, type Reply, type ReplyHeaders, toResponse } from '../core/run/respond.js'

/**
 * What a middleware sees of a request and, once `next()` has resolved, of its answer. Reading
 * `response` turns the framework's own reply into a Web `Response` (with mutable headers); setting it
 * replaces the answer. `setHeader` adds a header without touching the body, the cheap way.
 */
export interface MiddlewareContext {
  readonly request: RequestView
  /** Values for the middleware after this one and for the app. */
  readonly state: Record<string, unknown>
  /**
   * The route the request matched, once `next()` has resolved: its path as declared
   * (`/items/{item_id}`, a mounted app's behind its prefix) and its parameters, to label metrics
   * by route rather than by raw path. `undefined` before, and for a 404 or 405.
   */
  readonly route: MatchedRoute | undefined
  /** The answer's status, once there is one (0 before `next()`). */
  readonly status: number
  /** The answer as a Web `Response`; set it to answer yourself or to replace the answer. */
  response: Response
  /** A header of the answer (several values joined with `, `), read without converting it. */
  header(name: string): string | undefined
  /**
   * The answer's body size in bytes when known without reading it (the framework's own replies, a
   * `Content-Length` header, no body), `undefined` for a stream of unknown length.
   */
  readonly bodySize: number | undefined
  /** Set (or with `append`, add) a header of the answer. */
  setHeader(name: string, value: string, options?: { append?: boolean | undefined }): void
}

/**
 * An onion-model middleware (Koa, Hono): code before `await next()` runs before routing, so it sees
 * every request (404s and 405s too), code after it sees the final answer. Not calling `next()`
 * answers without routing, e.g. a CORS preflight.
 * @example
 * app.use(async (ctx, next) => { const start = performance.now(); await next()
 *   ctx.setHeader('server-timing', `app;dur=${performance.now() - start}`) })
 */
export type Middleware = (
  context: MiddlewareContext,
  next: () => Promise<void>,
) => void | Promise<void>

class Context implements MiddlewareContext {
  readonly request: RequestView
  readonly state: Record<string, unknown>
  reply: Reply | undefined
  /** The mutable `Response` made for `reply`, while `reply` is still that answer. */
  #response: Response | undefined

  /** Queues work for after the final answer is written (the request view's `defer`). */
  readonly #defer: (work: () => Promise<void>) => void

  constructor(
    request: RequestView,
    state: Record<string, unknown>,
    defer: (work: () => Promise<void>) => void,
  ) {
    this.request = request
    this.state = state
    this.#defer = defer
  }

  get status(): number {
    return this.reply?.status ?? 0
  }

  get route(): MatchedRoute | undefined {
    return (this.request as { readonly route?: MatchedRoute }).route
  }

  get response(): Response {
    const reply = this.reply
    if (reply === undefined) throw new TypeError('ctx.response: there is no answer before next()')
    // Made again when the answer changed since (an error answered after an inner middleware read it).
    if (reply !== this.#response) {
      this.#response = mutable(toResponse(reply))
      this.reply = this.#response
    }
    return this.#response
  }

  set response(response: Response) {
    if (!(response instanceof Response)) throw new TypeError('ctx.response must be a Response')
    const replaced = this.reply
    this.#response = mutable(response)
    this.reply = this.#response
    // The answer replaced (a 304 for a route's file stream) is never sent: its stream is released
    // once the final answer is written, unless something read it by then (a middleware wrapping
    // it lazily, whose new body pulls from the old one only when sent).
    if (replaced instanceof Response && replaced.body !== null) {
      const kept = this.reply
      this.#defer(async () => discardReply(replaced, kept))
    }
  }

  header(name: string): string | undefined {
    const reply = this.reply
    if (reply === undefined) return undefined
    if (reply instanceof Response) return reply.headers.get(name) ?? undefined
    const value = reply.headers[name.toLowerCase()]
    return value === undefined || typeof value === 'string' ? value : value.join(', ')
  }

  get bodySize(): number | undefined {
    const reply = this.reply
    if (reply === undefined) return undefined
    if (!(reply instanceof Response)) return reply.body === null ? 0 : utf8Length(reply.body)
    if (reply.body === null) return 0
    const declared = reply.headers.get('content-length')
    return declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined
  }

  setHeader(name: string, value: string, options: { append?: boolean | undefined } = {}): void {
    const reply = this.reply
    if (reply === undefined) throw new TypeError('ctx.setHeader: there is no answer before next()')
    if (reply instanceof Response) {
      // A handler's `Response.redirect()` or `fetch()` answer has immutable headers.
      if (reply !== this.#response) {
        this.#response = mutable(reply)
        this.reply = this.#response
      }
      if (options.append) this.#response.headers.append(name, value)
      else this.#response.headers.set(name, value)
      return
    }
    const key = name.toLowerCase()
    const headers: Record<string, string | readonly string[]> = { ...reply.headers }
    const current = headers[key]
    headers[key] =
      !options.append || current === undefined
        ? value
        : key === 'set-cookie'
          ? [...(typeof current === 'string' ? [current] : current), value]
          : `${typeof current === 'string' ? current : current.join(', ')}, ${value}`
    this.reply = { ...reply, headers: headers as ReplyHeaders }
  }
}

/** The UTF-8 size of a string, as `TextEncoder` would make it (lone surrogates become 3 bytes). */
function utf8Length(text: string): number {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) continue
    if (code < 0x800) {
      bytes += 1
      continue
    }
    bytes += 2
    // A surrogate pair is two code units and four bytes.
    const next = text.charCodeAt(i + 1)
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++
  }
  return bytes
}

/** Headers of a `Response` made by `Response.redirect()` or `fetch()` are immutable: copy them. */
function mutable(response: Response): Response {
  try {
    response.headers.set('x-gatehouse-probe', '1')
    response.headers.delete('x-gatehouse-probe')
    return response
  } catch {
    return new Response(response.body, response)
  }
}

/**
 * Wrap `inner` (routing and handling) in the middleware, outermost first. Errors thrown by a
 * middleware are answered like a handler's, through `answerError`.
 */
export function composeMiddleware<
  R extends RequestView & {
    state: Record<string, unknown> | undefined
    replacedBy: unknown
    defer(work: () => Promise<void>): void
  },
>(
  middleware: readonly Middleware[],
  inner: (request: R) => Reply | Promise<Reply>,
  answerError: (error: unknown, request: R) => Reply | Promise<Reply>,
): (request: R) => Promise<Reply> {
  return async (request) => {
    request.state ??= {}
    const state = request.state
    const context = new Context(request, state, (work) => request.defer(work))
    const run = async (index: number): Promise<void> => {
      const layer = middleware[index]
      if (layer === undefined) {
        context.reply = await inner(request)
        return
      }
      let called = false
      try {
        await layer(context, () => {
          if (called) throw new TypeError('a middleware called next() twice')
          called = true
          return run(index + 1)
        })
        if (context.reply === undefined)
          throw new TypeError('a middleware neither called next() nor set ctx.response')
        // Its body was read (`await ctx.response.text()`) and nothing put in its place: what is
        // left cannot be sent. Caught at the layer that did it, so the ones around still answer.
        if (context.reply instanceof Response && context.reply.bodyUsed)
          throw new TypeError(
            'a middleware read the body of ctx.response without setting a new ctx.response',
          )
      } catch (error) {
        // The answer made inside is never sent: its stream is released, and the route's
        // background tasks and cleanups learn that the client got an error instead.
        if (context.reply !== undefined) {
          discardReply(context.reply)
          request.replacedBy ??= error ?? new Error('undefined thrown')
        }
        // Answered here, so the middleware around this one still sees (and can decorate) an answer.
        context.reply = await answerError(error, request)
      }
    }
    await run(0)
    return context.reply as Reply
  }
}
