import type { IncomingMessage, ServerResponse } from 'node:http'
import { BadRequestError } from '../core/errors/index.js'
import { isBodyless, isFramingHeader, type PlainReply, type Reply } from '../core/run/respond.js'
import { runAfterResponse } from './after-response.js'
import type { InFlight } from './in-flight.js'
import { NodeRequestView } from './node-request.js'
import type { Dispatch } from './web-engine.js'

export interface NodeEngineHooks {
  /** The answer to a request that cannot even be routed (a malformed head) or a failed dispatch. */
  onError(error: unknown): PlainReply
  /** Counts each request until it is over (written, and its after-response work run). */
  readonly inFlight: InFlight
}

/**
 * The Node engine behind `serve(app)`: the same dispatch as the Web engine (routing, middleware,
 * handlers), fed straight from `node:http` without building a Web `Request`/`Response` per request.
 * The request head is checked first (RFC 9112: one well-formed `Host`; an origin-form or
 * absolute-form target), so nothing behind it ever sees a request a Web runtime would have refused.
 */
export function createNodeListener(
  dispatch: Dispatch,
  hooks: NodeEngineHooks,
): (incoming: IncomingMessage, outgoing: ServerResponse) => void {
  return (incoming, outgoing) => {
    const over = hooks.inFlight.begin()
    const isHead = incoming.method === 'HEAD'
    let view: NodeRequestView | undefined
    let reply: Reply | Promise<Reply>
    try {
      const [path, query, authority] = requestTarget(incoming.url ?? '/')
      checkHost(incoming)
      checkTransferCoding(incoming)
      view = new NodeRequestView(incoming, path, query, authority, outgoing)
      reply = dispatch(view)
    } catch (error) {
      // A head refused before any route ran (its target, Host or framing): nothing after it on
      // this connection can be trusted to be where it seems, so the connection ends with the answer.
      if (view === undefined) outgoing.shouldKeepAlive = false
      reply = hooks.onError(error)
    }
    if (reply instanceof Promise) {
      reply.then(
        (done) => write(outgoing, done, isHead, view, hooks.onError, over),
        (error: unknown) =>
          write(outgoing, hooks.onError(error), isHead, view, hooks.onError, over),
      )
    } else write(outgoing, reply, isHead, view, hooks.onError, over)
  }
}

const NOT_PCHAR = /[^A-Za-z0-9\-._~!$&'()*+,;=:@%/]/
const DOT_SEGMENT = /(?:^|\/)\.{1,2}(?:\/|$)|%2e|\\/i

/**
 * The path and query of an origin-form (`/a?b`) or absolute-form (`http://h/a?b`) target. Dot
 * segments and backslashes are resolved as a Web runtime's URL parser would, so both engines route
 * `/a/../docs` to the same place. `*` and authority-form targets are refused.
 */
function requestTarget(
  target: string,
): [path: string, query: string, authority: string | undefined] {
  let path: string
  let query = ''
  if (target.startsWith('/')) {
    const mark = target.indexOf('?')
    path = mark < 0 ? target : target.slice(0, mark)
    if (mark >= 0) query = target.slice(mark + 1)
    const hash = query.indexOf('#')
    if (hash >= 0) query = query.slice(0, hash)
    const pathHash = path.indexOf('#')
    if (pathHash >= 0) path = path.slice(0, pathHash)
    // Dot segments and backslashes resolved, and anything outside RFC 3986's path characters
    // (`"`, `<`, a space, non-ASCII) percent-encoded, as a Web runtime's URL parser does.
    if (DOT_SEGMENT.test(path) || NOT_PCHAR.test(path)) path = parsedPath(`http://h${path}`)
    return [path, query, undefined]
  }
  if (/^https?:\/\//i.test(target)) {
    const url = parse(target)
    return [url.pathname, url.search.slice(1), url.host]
  }
  throw new BadRequestError('Unsupported request target')
}

function parsedPath(url: string): string {
  return parse(url).pathname
}

function parse(url: string): URL {
  try {
    return new URL(url)
  } catch {
    throw new BadRequestError('Malformed request target')
  }
}

/**
 * RFC 9112 §6.1: Node's parser frames `chunked` bodies but takes any other transfer coding
 * (`gzip, chunked`) as if it were not there, so the app would read bytes a proxy that decodes them
 * sees differently. Refused (the RFC's 501 is outside what a client can act on; 400 is).
 */
function checkTransferCoding(incoming: IncomingMessage): void {
  const coding = incoming.headers['transfer-encoding']
  // RFC 9112 §2.3: a major version other than 1 is not HTTP/1.x framing at all (Node's parser
  // reads `HTTP/2.0` as if it were); §6.1: an HTTP/1.0 message with Transfer-Encoding MUST be
  // treated as faulty framing. Both refused, and the connection closed after the answer.
  // (`node:http2`'s compatibility requests report 2.0 too.)
  if (isHTTP1(incoming) && incoming.httpVersionMajor !== 1)
    throw new BadRequestError('Unsupported HTTP version')
  if (coding !== undefined && incoming.httpVersionMajor === 1 && incoming.httpVersionMinor === 0)
    throw new BadRequestError('Transfer-Encoding in an HTTP/1.0 request')
  if (coding === undefined || coding.trim().toLowerCase() === 'chunked') return
  for (const name of coding.split(','))
    if (name.trim().toLowerCase() !== 'chunked')
      throw new BadRequestError('Unsupported Transfer-Encoding')
}

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::\d{0,5})?$/
// A name the URL parser always takes: letters, digits and hyphens, the last label not a number (an
// IPv4 address, checked by the parser), no punycode (`xn--`), a port below 10000. Anything else
// (`a%zz`, `999.999.999.999`, `xn--a`, `a:99999`) is asked of the URL parser, as a Web runtime and
// the view's `Request` would.
const PLAIN_HOST = /^(?!.*xn--)(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*(?::\d{0,4})?$/i
// A dotted IPv4 address in its usual form (`127.0.0.1:8000`), which the parser takes too: most
// requests behind a proxy or on loopback carry one, and they need not pay for the parser.
const PLAIN_IPV4 =
  /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?::\d{0,4})?$/

// The last `Host` found well-formed: a server's requests nearly all carry the same one, which then
// costs a comparison instead of the patterns (and, for a port above 9999, the URL parser).
let wellFormedHost: string | undefined

/** RFC 9112 §3.2: an HTTP/1.1 request has exactly one `Host`, and it must be well-formed. */
function checkHost(incoming: IncomingMessage): void {
  const host = incoming.headers.host
  if (host === undefined) {
    if (incoming.httpVersionMajor === 1 && incoming.httpVersionMinor >= 1)
      throw new BadRequestError('Missing Host header')
    return
  }
  if (host !== wellFormedHost) {
    if (
      !HOST.test(host) ||
      (host !== '' &&
        !PLAIN_HOST.test(host) &&
        !PLAIN_IPV4.test(host) &&
        !URL.canParse(`http://${host}`))
    )
      throw new BadRequestError('Malformed Host header')
    wellFormedHost = host
  }
  const raw = incoming.rawHeaders
  let count = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === 4 && name.toLowerCase() === 'host' && ++count > 1)
      throw new BadRequestError('More than one Host header')
  }
}

function write(
  outgoing: ServerResponse,
  reply: Reply,
  isHead: boolean,
  view: NodeRequestView | undefined,
  onError: NodeEngineHooks['onError'],
  over: () => void,
): void {
  // Background tasks and cleanups wait for the last byte (or the client leaving). A client that
  // left before the answer was ready had its 'close' already: they run now, else never. The
  // request is over once they have run; without them, once its answer is written.
  const hasWork = view?.afterResponse !== undefined
  if (hasWork) {
    const after = () => void runAfterResponse(view).then(over)
    if (outgoing.destroyed) after()
    else outgoing.once('close', after)
  }
  const written = () => {
    // A body a handler read only part of holds the connection (its socket paused) until dropped.
    view?.discardBody()
    if (!hasWork) over()
  }
  if (reply instanceof Response) {
    void writeWebResponse(outgoing, reply, isHead, view)
      .catch((error: unknown) => {
        // Before the head went out (a header value Node refuses): the logged 500 the Web engine
        // gives. After it, too late for a status: logged (a body shorter or longer than its
        // Content-Length, a stream that failed), and the connection closed mid-answer.
        if (!outgoing.headersSent && !outgoing.destroyed) {
          void reply.body?.cancel().catch(() => {})
          outgoing.statusMessage = ''
          writePlain(outgoing, onError(error), isHead, view)
          return
        }
        if (!isGone(error)) onError(error)
        outgoing.destroy()
      })
      .finally(written)
    return
  }
  try {
    writePlain(outgoing, reply, isHead, view)
  } catch (error) {
    // A header value Node refuses (a CR, LF or a character above U+00FF, say from a realm or
    // an exception handler's headers) throws in `writeHead`, before a byte is written: answered
    // as the logged 500 the Web engine gives for the same reply, never a crashed process.
    if (outgoing.headersSent) throw error
    outgoing.statusMessage = ''
    writePlain(outgoing, onError(error), isHead, view)
  } finally {
    written()
  }
}

function writePlain(
  outgoing: ServerResponse,
  reply: PlainReply,
  isHead: boolean,
  view: NodeRequestView | undefined,
): void {
  // Raw name/value pairs: Node writes them as they are, without walking an object.
  const headers: (string | readonly string[])[] = []
  // An app's own Content-Length or Transfer-Encoding (a handler's, a middleware's, an exception's)
  // is dropped: Node would send both it and its own, and a proxy reading the first could split
  // the stream into different responses.
  for (const name in reply.headers)
    if (!isFramingHeader(name))
      headers.push(name, reply.headers[name] as string | readonly string[])
  if (view?.closeConnection && isHTTP1(outgoing)) headers.push('connection', 'close')
  if (reply.body === null) {
    // Declared empty, so a bodiless answer (a 307) is not sent chunked.
    if (!isBodyless(reply.status)) headers.push('content-length', '0')
    outgoing.writeHead(reply.status, headers as string[])
    outgoing.end()
    return
  }
  headers.push('content-length', String(Buffer.byteLength(reply.body)))
  outgoing.writeHead(reply.status, headers as string[])
  if (isHead) outgoing.end()
  // Node sends the head together with a string body in the body's encoding (UTF-8), but with a
  // Buffer body in Latin-1, as a Web `Response` sends its ByteString headers: so a header with a
  // character from U+0080 to U+00FF goes out as the same one byte through both engines.
  else outgoing.end(hasLatin1(headers) ? Buffer.from(reply.body) : reply.body)
}

/** The client left: nothing to log. */
function isGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END'
}

// Any UTF-16 code unit above 0x7F (surrogates included).
const NON_ASCII = /[\u0080-\uffff]/

function hasLatin1(headers: readonly (string | readonly string[])[]): boolean {
  for (let i = 1; i < headers.length; i += 2) {
    const value = headers[i] as string | readonly string[]
    if (typeof value === 'string' ? NON_ASCII.test(value) : value.some((v) => NON_ASCII.test(v)))
      return true
  }
  return false
}

/** A handler's own `Response` (or a docs page): headers as given, body streamed. */
async function writeWebResponse(
  outgoing: ServerResponse,
  response: Response,
  isHead: boolean,
  view: NodeRequestView | undefined,
): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie' && name !== 'transfer-encoding') headers[name] = value
  })
  // A declared Content-Length is kept (a file's length, also for HEAD) but held to: Node refuses
  // to write more or fewer bytes than it says rather than desynchronise the connection.
  outgoing.strictContentLength = true
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  if (view?.closeConnection && isHTTP1(outgoing)) headers.connection = 'close'
  // A HEAD answer's body (none, or GET's) says nothing certain of GET's length: only a declared
  // length goes out with it.
  const measure = !isHead && !isBodyless(response.status) && !response.headers.has('content-length')
  if (isHead || response.body === null) {
    if (measure) headers['content-length'] = '0'
    outgoing.writeHead(response.status, response.statusText || undefined, headers)
    outgoing.end()
    await response.body?.cancel()
    return
  }
  const reader = response.body.getReader()
  // Released whenever it is not read to its end: a head Node refuses, a client gone (before the
  // answer was ready too, when no 'close' is left to come), a failed write.
  let finished = false
  // Stop producing as soon as the client is gone, so a stream's cleanup runs now, not never.
  const onClose = () => void reader.cancel().catch(() => {})
  try {
    // A body that is whole at once (a string, JSON, bytes, a Blob) goes out with its length, as
    // Starlette's responses do, not chunked; and one that fails at once is a 500, not a dropped
    // connection. A body not ready at once (a file, an event stream) is not waited for: its head
    // goes out now, as it did.
    const peeked: Uint8Array[] = []
    let next: Promise<ReadableStreamReadResult<Uint8Array>> | undefined = reader.read()
    let ended = false
    for (let reads = 0; reads < 2 && next !== undefined; reads++) {
      const soon: ReadableStreamReadResult<Uint8Array> | undefined = await settledSoon(next)
      if (soon === undefined) break
      if (soon.done) ended = true
      else peeked.push(soon.value)
      next = soon.done ? undefined : reader.read()
    }
    if (ended && measure)
      headers['content-length'] = String(peeked.reduce((sum, chunk) => sum + chunk.byteLength, 0))
    outgoing.writeHead(response.status, response.statusText || undefined, headers)
    if (ended) {
      finished = true
      outgoing.end(peeked.length === 1 ? peeked[0] : Buffer.concat(peeked))
      return
    }
    // Node holds a head until the first byte: a stream whose first event comes later (server-sent
    // events, a long poll) gets its head now, as uvicorn sends it, so the client knows it is open.
    if (peeked.length === 0) outgoing.flushHeaders()
    outgoing.once('close', onClose)
    for (const chunk of peeked) if (!outgoing.write(chunk)) await drainedOrClosed(outgoing)
    if (outgoing.destroyed) return
    for (;;) {
      const { done, value } = await (next ?? reader.read())
      next = undefined
      if (done) break
      if (!outgoing.write(value)) await drainedOrClosed(outgoing)
      // Gone while waiting: no 'drain' ever comes, and the request must end (a shut-down waits).
      if (outgoing.destroyed) return
    }
    finished = true
    outgoing.end()
  } finally {
    outgoing.off('close', onClose)
    if (!finished) void reader.cancel().catch(() => {})
  }
}

/**
 * The read's result if it settles before the event loop's next turn (a body already whole), else
 * `undefined`; a read that fails that soon throws.
 */
async function settledSoon<T>(read: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Immediate | undefined
  const later = new Promise<undefined>((resolve) => {
    timer = setImmediate(resolve, undefined)
  })
  try {
    return await Promise.race([read, later])
  } finally {
    clearImmediate(timer)
  }
}

/** Resolves when the socket can take more, or when the client is gone. */
function drainedOrClosed(outgoing: ServerResponse): Promise<void> {
  // Gone already (before the answer was ready): its 'close' has fired and will not again.
  if (outgoing.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off('drain', done)
      outgoing.off('close', done)
      resolve()
    }
    outgoing.once('drain', done)
    outgoing.once('close', done)
  })
}

/**
 * Whether a request or its answer goes over Node's HTTP/1 (`node:http`), not `node:http2`'s
 * compatibility API, whose requests and responses carry their `stream`: there the HTTP/1 framing
 * checks do not apply, and HTTP/2 has no `Connection` header (RFC 9113 §8.2.2).
 */
function isHTTP1(message: IncomingMessage | ServerResponse): boolean {
  return !('stream' in message)
}
