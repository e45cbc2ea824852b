import { BodyTooLargeError, RequestAbortedError } from '../errors/index.js'

/**
 * A request body once read in full, shared by everything that reads it: a middleware checking a
 * signature (`await ctx.request.request.text()`), the framework parsing a `Body()`, `Form()` or
 * `File()` input, a handler reading its `request: Request` (Starlette keeps `await request.body()`
 * the same way). Only what somebody read in full is kept; a body nobody reads is never buffered,
 * and one read as a stream (`request.body`) is not kept, so it can be read only that once.
 */
export class SharedBody {
  #bytes: Uint8Array | undefined
  #reading: Promise<Uint8Array> | undefined
  #refused: BodyTooLargeError | undefined
  /**
   * The most a reader with no limit of its own may take: a middleware's `text()` is held to the
   * largest `bodyLimit` its app accepts anywhere, a handler's to its route's (the dispatch and the
   * route set it). Without it, one such read would buffer whatever a client sends.
   */
  ceiling = Number.POSITIVE_INFINITY

  /** The bytes, once some reader has read them in full. */
  get bytes(): Uint8Array | undefined {
    return this.#bytes
  }

  /**
   * Whether `request` was spent on bytes now kept here: then a new `Request` over them is due (a
   * view hands that one out, a clone carries them), since this one can give them no more.
   */
  outlived(request: Request): boolean {
    return this.#bytes !== undefined && isSpent(request)
  }

  /**
   * The bytes within `limit`, from `read` the first time. Kept bytes are held to `limit` too: a
   * reader that set none (a middleware's `text()`) may have taken them.
   */
  async within(limit: number, read: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const bytes = await this.read(read)
    if (bytes.byteLength > limit) throw new BodyTooLargeError(limit)
    return bytes
  }

  /**
   * The bytes, from `read` the first time; concurrent and later callers get the same ones. A body
   * refused as too large stays refused: what was read of it is gone.
   */
  read(read: () => Promise<Uint8Array>): Promise<Uint8Array> {
    if (this.#bytes !== undefined) return Promise.resolve(this.#bytes)
    if (this.#refused !== undefined) return Promise.reject(this.#refused)
    this.#reading ??= read().then(
      (bytes) => {
        this.#bytes = bytes
        this.#reading = undefined
        return bytes
      },
      (error: unknown) => {
        this.#reading = undefined
        if (error instanceof BodyTooLargeError) this.#refused = error
        throw error
      },
    )
    return this.#reading
  }
}

const BODY = Symbol('gatehouse.sharedBody')
const PEER = Symbol('gatehouse.peer')

/** `Request`'s own `body` getter: the stream of the object itself, whatever a subclass shows. */
const ownBody = Object.getOwnPropertyDescriptor(Request.prototype, 'body')?.get as (
  this: Request,
) => ReadableStream<Uint8Array> | null

/**
 * The Web `Request` a request view hands out: a plain `Request`, except that reading it in full
 * (`text()`, `json()`, `arrayBuffer()`, `bytes()`, `blob()`, `formData()`) goes through the view's
 * {@link SharedBody}, so it gives the bytes another reader already took, and leaves them for the
 * next. Once this object's own stream is spent on kept bytes, `body` is a new stream over them (as
 * Starlette's `request.stream()` replays a body read with `await request.body()`), so code that
 * streams the request (the MCP SDK's transport) still works after `await request.json()`.
 * `bodyUsed` stays this object's own.
 */
export class SharedRequest extends Request {
  readonly [BODY]: SharedBody
  /** The peer's address as the engine saw it (see {@link peerOf}). */
  readonly [PEER]: string | undefined
  #replay: ReadableStream<Uint8Array> | undefined

  static {
    Object.defineProperty(SharedRequest.prototype, 'body', {
      configurable: true,
      enumerable: true,
      get(this: SharedRequest) {
        return this.#stream()
      },
    })
  }

  constructor(
    input: string | Request,
    init: RequestInit | undefined,
    body: SharedBody,
    peer: string | undefined,
  ) {
    super(input, init)
    this[BODY] = body
    this[PEER] = peer
  }

  /** The stream `body` shows: this object's own, or, once that is spent, one over the kept bytes. */
  #stream(): ReadableStream<Uint8Array> | null {
    const own = ownBody.call(this)
    const kept = this[BODY].bytes
    if (own === null || kept === undefined || !(this.bodyUsed || own.locked)) return own
    // One replay at a time: the same stream until somebody starts reading it, then a new one.
    if (this.#replay === undefined || this.#replay.locked)
      this.#replay = new Response(kept.slice()).body as ReadableStream<Uint8Array>
    return this.#replay
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    // A copy, as every call of the standard method gives: no reader can change another's bytes.
    return (await this.#whole()).slice().buffer
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return (await this.#whole()).slice()
  }

  override async text(): Promise<string> {
    return new TextDecoder().decode(await this.#whole())
  }

  override async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }

  override async blob(): Promise<Blob> {
    return (await this.#copy()).blob()
  }

  override async formData(): Promise<FormData> {
    return (await this.#copy()).formData()
  }

  /**
   * Once the body is known, a clone carries it even when this object's own stream is spent.
   * Before, a clone is a copy of the stream with a body of its own, read within the same limit (a
   * middleware peeking with `clone().text()` must not buffer more than `text()` may).
   */
  override clone(): Request {
    const body = this[BODY]
    if (!body.outlived(this)) {
      const copy = new SharedBody()
      copy.ceiling = body.ceiling
      return new SharedRequest(super.clone(), undefined, copy, this[PEER])
    }
    return new SharedRequest(
      this,
      bodyInit(this.method, body.bytes as Uint8Array),
      body,
      this[PEER],
    )
  }

  #whole(): Promise<Uint8Array> {
    const shared = this[BODY]
    // Held to the limit now in force even when kept: a middleware may have read more than the
    // route accepts.
    return shared.within(shared.ceiling, async () => {
      const own = ownBody.call(this)
      // Without a body there is nothing to keep (and a GET can carry none later).
      if (own === null) return new Uint8Array(0)
      // Read as a stream already: the standard's own TypeError, the caller's mistake.
      if (this.bodyUsed || own.locked) return new Uint8Array(await super.arrayBuffer())
      const declared = this.headers.get('content-length')
      if (declared !== null && Number(declared) > shared.ceiling) {
        // Cancelled, so the engine knows the rest is never read and closes the connection.
        await own.cancel().catch(() => {})
        throw new BodyTooLargeError(shared.ceiling)
      }
      return readStreamWithin(own, shared.ceiling)
    })
  }

  /** A `Response` over the bytes, for the standard's own blob and form parsing. */
  async #copy(): Promise<Response> {
    const type = this.headers.get('content-type')
    return new Response(
      (await this.#whole()).slice(),
      type === null ? undefined : { headers: { 'content-type': type } },
    )
  }
}

/**
 * A body stream read to its end, refusing more than `limit` bytes with 413 before buffering them
 * (the stream is cancelled then). A stream that fails mid-body means the client left: a quiet 400.
 */
export async function readStreamWithin(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = stream.getReader()
  for (;;) {
    let read: ReadableStreamReadResult<Uint8Array>
    try {
      read = await reader.read()
    } catch {
      // The bytes stopped coming (the client left, the runtime cut the upload): no fault of the
      // server, a quiet 400 as the Node engine answers it.
      throw new RequestAbortedError()
    }
    const { done, value } = read
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel().catch(() => {})
      throw new BodyTooLargeError(limit)
    }
    chunks.push(value)
  }
  return concatBytes(chunks, total)
}

/** `chunks` as one array of `total` bytes (the one chunk itself when there is only one). */
export function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0]
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

/**
 * The peer's IP address (the socket's, never a proxy header) of a `Request` the framework handed
 * out (a route's `request: Request` input), when the engine knew it; `undefined` otherwise.
 */
export function peerOf(request: Request): string | undefined {
  return request instanceof SharedRequest ? request[PEER] : undefined
}

/** The body shared by `request` when it is one this module made, so a new view joins it. */
export function sharedBodyOf(request: Request): SharedBody | undefined {
  return request instanceof SharedRequest ? request[BODY] : undefined
}

/** Whether a request's own body can no longer be read (read, or being read, as a stream). */
export function isSpent(request: Request): boolean {
  // The native getter only for our own subclass, which shows a replay: another runtime's request
  // object (`@hono/node-server`'s lightweight one) may be a `Request` by prototype alone.
  const stream = request instanceof SharedRequest ? ownBody.call(request) : request.body
  return request.bodyUsed || stream?.locked === true
}

/** The `RequestInit` part carrying `bytes`: none for GET and HEAD, which may not have a body. */
export function bodyInit(method: string, bytes: Uint8Array): RequestInit {
  return method === 'GET' || method === 'HEAD' ? {} : { body: bytes.slice() }
}
