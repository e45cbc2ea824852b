import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  BadRequestError,
  BodyTooLargeError,
  RequestAbortedError,
  UnsupportedContentEncodingError,
} from '../core/errors/index.js'
import { SINGLETON_HEADERS, singleCredentials } from '../core/run/header-values.js'
import {
  BaseRequestView,
  checkBodyHead,
  isCredentialsHeader,
  readRequestBody,
} from '../core/run/request-view.js'
import { bodyInit, concatBytes, SharedBody, SharedRequest } from '../core/run/shared-body.js'

/**
 * A request view straight over Node's `IncomingMessage`: headers, query and body are read from it
 * directly, and a Web `Request` is only built if something asks for one (a `Request` input, or a
 * docs page). This is what keeps a protected route close to a hand-written `node:http` handler.
 */
export class NodeRequestView extends BaseRequestView {
  readonly #incoming: IncomingMessage
  readonly method: string
  readonly path: string
  readonly #query: string
  #request: Request | undefined
  readonly #body = new SharedBody()
  #bodyRead = false
  #joined: Map<string, string> | undefined
  /**
   * Set when the body was refused unread (413, 415) or given up before its end (its Web stream
   * cancelled): the connection must close after the answer.
   */
  closeConnection = false
  /** Reads what is left of a body the Web stream began and drops it. */
  #discard: (() => void) | undefined

  readonly #authority: string | undefined

  /**
   * @param path the request target's path, already checked by the engine.
   * @param query the request target's query string, without `?`.
   * @param authority the host of an absolute-form target (`GET http://h/a`), which stands for the
   * `Host` header (RFC 9112 §3.2.2: the origin server ignores `Host` then).
   */
  readonly #outgoing: ServerResponse | undefined

  constructor(
    incoming: IncomingMessage,
    path: string,
    query: string,
    authority?: string,
    outgoing?: ServerResponse,
  ) {
    super()
    this.#incoming = incoming
    this.#outgoing = outgoing
    this.#authority = authority
    this.method = incoming.method ?? 'GET'
    this.path = path
    this.#query = query
  }

  get secure(): boolean {
    return (this.#incoming.socket as { encrypted?: boolean } | undefined)?.encrypted === true
  }

  queryString(): string {
    return this.#query
  }

  header(name: string): string | undefined {
    const key = name.toLowerCase()
    if (this.#authority !== undefined && key === 'host') return this.#authority
    const value = this.#incoming.headers[key]
    if (typeof value !== 'string') return value?.join(', ')
    if (!SINGLETON_HEADERS.has(key)) return value
    const joined = this.#repeated().get(key) ?? value
    return isCredentialsHeader(key) ? singleCredentials(joined) : joined
  }

  headerNames(): string[] {
    const names = Object.keys(this.#incoming.headers)
    return this.#authority === undefined || names.includes('host') ? names : ['host', ...names]
  }

  /**
   * Node keeps only the first line of a repeated singleton field (`Authorization`, `Content-Type`,
   * `User-Agent`, ...); Web runtimes join them with ", ". Joined here too, from the raw lines, so both
   * engines read (and refuse) the same values. Worked out once per request, on first need.
   */
  #repeated(): Map<string, string> {
    if (this.#joined !== undefined) return this.#joined
    const raw = this.#incoming.rawHeaders
    // As many header names as raw lines: nothing was repeated (the usual case), nothing to scan.
    let names = 0
    for (const _ in this.#incoming.headers) names++
    if (names * 2 === raw.length) {
      this.#joined = NO_REPEATS
      return NO_REPEATS
    }
    const seen = new Map<string, string>()
    const joined = new Map<string, string>()
    for (let i = 0; i < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase()
      if (!SINGLETON_HEADERS.has(name)) continue
      const value = raw[i + 1] as string
      const first = seen.get(name)
      if (first === undefined) seen.set(name, value)
      else joined.set(name, `${joined.get(name) ?? first}, ${value}`)
    }
    this.#joined = joined
    return joined
  }

  override get remoteAddress(): string | undefined {
    return this.#incoming.socket?.remoteAddress
  }

  /**
   * Once the answer is written, drop what is left of a body a handler began to read through the
   * Web stream and let go (RFC 9112 §9.3: the next request on the connection is read after it), as
   * Node itself dumps a body nobody touched.
   */
  discardBody(): void {
    if (!this.#incoming.complete) this.#discard?.()
  }

  get request(): Request {
    const current = this.#request
    // Its body read in full (by it or by the framework): a new one over the same bytes.
    if (current !== undefined && !this.#body.outlived(current)) return current
    this.#request = this.#toRequest()
    return this.#request
  }

  limitBody(limit: number): void {
    this.#body.ceiling = limit
  }

  async readBody(limit: number): Promise<Uint8Array> {
    try {
      checkBodyHead(this, limit)
      const request = this.#request
      // A read that failed (413, the client gone) left the rest unread: nothing more to give.
      if (this.#body.bytes === undefined && request === undefined && this.#bodyRead)
        return new Uint8Array(0)
      return await this.#body.within(limit, () =>
        request === undefined ? this.#readIncoming(limit) : readRequestBody(request, limit),
      )
    } catch (error) {
      // The rest of the body is never read, so this connection cannot carry another request.
      if (error instanceof BodyTooLargeError || error instanceof UnsupportedContentEncodingError)
        this.closeConnection = true
      else if (isAbort(error)) throw new RequestAbortedError()
      throw error
    }
  }

  /**
   * Straight from Node's stream, without a Web `Request`: the usual way a body is read. Listeners
   * rather than `for await`, whose iterator costs a promise per chunk and an object per body (a
   * tenth of a small form POST's time). Over the limit, the rest is left to flow away unread: the
   * answer closes the connection.
   */
  #readIncoming(limit: number): Promise<Uint8Array> {
    this.#bodyRead = true
    const incoming = this.#incoming
    sendContinue(incoming)
    return new Promise((resolve, reject) => {
      const chunks: Uint8Array[] = []
      let total = 0
      const stop = () => {
        incoming.off('data', onData)
        incoming.off('end', onEnd)
        incoming.off('error', onError)
        incoming.off('close', onClose)
      }
      const onData = (chunk: Buffer) => {
        total += chunk.byteLength
        if (total <= limit) {
          chunks.push(chunk)
          return
        }
        stop()
        // Keeps the stream flowing, so what is still coming is dropped, not buffered.
        incoming.on('data', ignore)
        reject(new BodyTooLargeError(limit))
      }
      const onEnd = () => {
        stop()
        if (incoming.complete) resolve(concatBytes(chunks, total))
        else reject(new RequestAbortedError())
      }
      const onError = (error: unknown) => {
        stop()
        reject(error)
      }
      // Closed before its end: the client went away mid-body.
      const onClose = () => {
        stop()
        reject(new RequestAbortedError())
      }
      // Already at its end (read by someone else): no event will come, and nothing is left.
      if (incoming.readableEnded) {
        if (incoming.complete) resolve(new Uint8Array(0))
        else reject(new RequestAbortedError())
        return
      }
      // The client left before the read began (a slow middleware ran first): its `close` and
      // `error` have fired already, so a listener added now would wait forever.
      if (incoming.destroyed) {
        reject(new RequestAbortedError())
        return
      }
      incoming.on('data', onData)
      incoming.once('end', onEnd)
      incoming.once('error', onError)
      incoming.once('close', onClose)
    })
  }

  #toRequest(): Request {
    const incoming = this.#incoming
    const headers = new Headers()
    for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
      const name = incoming.rawHeaders[i] as string
      // HTTP/2 pseudo-headers are not headers of the Web request.
      if (!name.startsWith(':')) headers.append(name, incoming.rawHeaders[i + 1] as string)
    }
    // An empty Host is allowed (RFC 9112 §3.2) but would make the path the URL's host.
    const host = this.#authority ?? (incoming.headers.host || 'localhost')
    const origin = `${this.secure ? 'https' : 'http'}://${host}`
    const target = this.path + (this.#query === '' ? '' : `?${this.#query}`)
    const bytes = this.#body.bytes
    const withStream =
      this.method !== 'GET' && this.method !== 'HEAD' && !this.#bodyRead && bytes === undefined
    const body = withStream ? this.#bodyStream() : undefined
    try {
      return new SharedRequest(
        origin + target,
        {
          method: this.method,
          headers,
          signal: this.#disconnected(),
          ...(body === undefined ? {} : { body, duplex: 'half' }),
          ...(bytes === undefined ? {} : bodyInit(this.method, bytes)),
        } as RequestInit,
        this.#body,
        this.remoteAddress,
      )
    } catch {
      // A method or header a Web `Request` may not carry (TRACE, CONNECT, ...).
      throw new BadRequestError('This request cannot be represented as a Web Request')
    }
  }

  /**
   * A signal aborted when the client goes away before its answer is written, as every Web
   * runtime's `request.signal` is (FastAPI's `await request.is_disconnected()`): a handler passes
   * it on to `fetch` or a long poll to stop work nobody will read. Made only for requests that
   * build a Web `Request`.
   */
  #disconnected(): AbortSignal | undefined {
    const outgoing = this.#outgoing
    if (outgoing === undefined) return undefined
    const controller = new AbortController()
    const onClose = () => {
      if (!outgoing.writableFinished) controller.abort()
    }
    if (outgoing.destroyed) onClose()
    else outgoing.once('close', onClose)
    return controller.signal
  }

  /**
   * The body as a Web stream, without `node:stream` (the Node engine may load on other runtimes).
   * Cancelling it never destroys the socket, which the answer still has to go out on: the rest of
   * the body is read and dropped until the answer, which closes the connection.
   */
  #bodyStream(): ReadableStream<Uint8Array> {
    const incoming = this.#incoming
    const iterator = (incoming as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
    let pulled = false
    this.#discard = () => {
      // Never pulled: Node dumps the body itself once the answer is written.
      if (!pulled) return
      this.#discard = undefined
      const drain = async () => {
        while (!(await iterator.next()).done);
      }
      // The client gone, or the connection closed after the answer: nothing left to drop.
      drain().catch(() => {})
    }
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          // Read on demand only (no high-water mark): a waiting client is told to send on first read.
          sendContinue(incoming)
          pulled = true
          try {
            const { done, value } = await iterator.next()
            if (done) controller.close()
            else
              controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
          } catch {
            controller.error(new RequestAbortedError())
          }
        },
        cancel: () => {
          this.closeConnection = true
          this.#discard?.()
        },
      },
      { highWaterMark: 0 },
    )
  }
}

/**
 * Requests whose client waits for `100 Continue` before sending the body (`Expect: 100-continue`),
 * with how to send it. `serve()` registers them instead of letting Node answer 100 at once, so a
 * body refused by its headers alone (413, 415) is never sent (RFC 9110 §10.1.1); the 100 goes out
 * when the body is first read.
 */
export const awaitingContinue = new WeakMap<IncomingMessage, () => void>()

function sendContinue(incoming: IncomingMessage): void {
  const send = awaitingContinue.get(incoming)
  if (send === undefined) return
  awaitingContinue.delete(incoming)
  send()
}

const NO_REPEATS: Map<string, string> = new Map()

const ignore = () => {}

function isAbort(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return (
    code === 'ECONNRESET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    (error as Error)?.message === 'aborted'
  )
}
