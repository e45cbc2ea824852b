import { type BaseRequestView, WebRequestView } from '../core/run/request-view.js'
import {
  byteLength,
  isBodyless,
  type PlainReply,
  type Reply,
  responseHeaderProblem,
  toResponse,
} from '../core/run/respond.js'
import { runAfterResponse } from './after-response.js'
import type { InFlight } from './in-flight.js'
import { KNOWN_METHODS } from './known-methods.js'

/** Routes and answers one request; the same function feeds both engines. */
export type Dispatch = (view: BaseRequestView) => Reply | Promise<Reply>

/** An answer of the Web engine, with when the request's after-response work has finished. */
export interface WebOutcome {
  readonly response: Response
  /** Settles once background tasks and cleanups have run; `undefined` when there are none. */
  readonly settled: Promise<void> | undefined
}

/**
 * The Web-standard engine behind `app.fetch` (any runtime, and the in-process test client): a Web
 * `Request` in, a `Response` out. Work queued for after the response runs once its body has been
 * read to the end or cancelled — for a stream, after its last chunk. Each request is counted in
 * `inFlight` until its answer is handed out and that work has run.
 */
export function createWebEngine(
  dispatch: Dispatch,
  onError: (error: unknown) => PlainReply,
  inFlight: InFlight,
): (request: Request) => Promise<WebOutcome> {
  const answer = answerWith(dispatch, onError)
  return async (request) => {
    const over = inFlight.begin()
    try {
      const outcome = await answer(request)
      if (outcome.settled === undefined) over()
      else void outcome.settled.then(over)
      return outcome
    } catch (error) {
      over()
      throw error
    }
  }
}

function answerWith(
  dispatch: Dispatch,
  onError: (error: unknown) => PlainReply,
): (request: Request) => Promise<WebOutcome> {
  return async (request) => {
    const view = new WebRequestView(request)
    let reply = refusedHead(request) ?? (await dispatch(view))
    let response: Response
    try {
      response = toResponse(reply)
      // A handler's own `Response` with a header value Node would refuse (DEL, say).
      const problem = reply instanceof Response ? responseHeaderProblem(reply) : undefined
      if (problem !== undefined) throw problem
    } catch (error) {
      // A header value `Headers` refuses (CR, LF, a character above U+00FF): the logged 500 the
      // Node engine gives for the same reply.
      reply = onError(error)
      response = toResponse(reply)
    }
    // The framework's own answers declare their length, as the Node engine does (HEAD keeps it).
    if (!(reply instanceof Response) && !isBodyless(reply.status))
      response.headers.set('content-length', String(byteLength(reply.body ?? '')))
    const headless = request.method === 'HEAD' && response.body !== null
    if (view.afterResponse === undefined) {
      return { response: headless ? withoutBody(response) : response, settled: undefined }
    }
    if (headless || response.body === null) {
      void response.body?.cancel()
      return {
        response: headless ? withoutBody(response) : response,
        settled: runAfterResponse(view),
      }
    }
    let settle!: () => void
    const settled = new Promise<void>((resolve) => {
      settle = resolve
    })
    const body = notifyWhenRead(
      response.body,
      () => runAfterResponse(view).then(settle),
      request.signal,
    )
    return { response: new Response(body, response), settled }
  }
}

/** Node's own limit on a request head (`--max-http-header-size`): 16 KiB. */
const MAX_HEAD_BYTES = 16 * 1024

/**
 * What the Node engine refuses before any route sees the request, refused here the same way: a
 * method Node's parser does not know (400), a head over 16 KiB (431, Node's limit) and an
 * `Expect` other than `100-continue` (417, RFC 9110 §10.1.1, as Node answers it).
 */
function refusedHead(request: Request): PlainReply | undefined {
  if (!KNOWN_METHODS.has(request.method)) return { status: 400, headers: {}, body: null }
  const expect = request.headers.get('expect')
  if (expect !== null && expect.trim().toLowerCase() !== '100-continue')
    return { status: 417, headers: {}, body: null }
  if (headBytes(request) >= MAX_HEAD_BYTES) return { status: 431, headers: {}, body: null }
  return undefined
}

/**
 * The size of a request head as Node counts it against its limit: the request target (path and
 * query) and each field's name and value, nothing for `: ` or line ends. A `Request` made in code
 * may have no `Host`, which every HTTP/1.1 client sends: its URL's host is counted in its place.
 * Stops counting once over the limit.
 */
function headBytes(request: Request): number {
  const url = request.url
  const authority = url.indexOf('//') + 2
  const path = url.indexOf('/', authority)
  const fragment = path < 0 ? -1 : url.indexOf('#', path)
  let bytes = path < 0 ? 1 : (fragment < 0 ? url.length : fragment) - path
  for (const [name, value] of request.headers) {
    bytes += name.length + value.length
    if (bytes >= MAX_HEAD_BYTES) return bytes
  }
  if (!request.headers.has('host')) bytes += 4 + (path < 0 ? url.length : path) - authority
  return bytes
}

function withoutBody(response: Response): Response {
  void response.body?.cancel()
  return new Response(null, response)
}

/**
 * The same bytes, calling `done` once when they have all been read, the reader failed or gave up,
 * or the request was aborted (the client left: a runtime may drop the answer without cancelling
 * it, and the cleanups would wait for good).
 */
function notifyWhenRead(
  body: ReadableStream<Uint8Array>,
  done: () => void,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let finished = false
  const finish = () => {
    if (finished) return
    finished = true
    signal.removeEventListener('abort', abort)
    done()
  }
  const abort = () => {
    void reader.cancel(signal.reason).catch(() => {})
    finish()
  }
  if (signal.aborted) queueMicrotask(abort)
  else signal.addEventListener('abort', abort, { once: true })
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await reader.read()
        if (chunk.done) {
          controller.close()
          finish()
        } else controller.enqueue(chunk.value)
      } catch (error) {
        controller.error(error)
        finish()
      }
    },
    async cancel(reason) {
      finish()
      await reader.cancel(reason)
    },
  })
}
