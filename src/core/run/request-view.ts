import { BodyTooLargeError, UnsupportedContentEncodingError } from '../errors/index.js'
import { singleCredentials } from './header-values.js'
import {
  bodyInit,
  isSpent,
  peerOf,
  readStreamWithin,
  SharedBody,
  SharedRequest,
  sharedBodyOf,
} from './shared-body.js'

/**
 * Read access to the parts of a request that inputs and security schemes look at. Everything is
 * parsed lazily and at most once per request.
 */
export interface RequestView {
  /** The request method, upper-case (`GET`). */
  readonly method: string
  /** The path as requested, percent-encoded, without the query (`/items/a%20b`). */
  readonly path: string
  /** Whether the request came over TLS (`https:`), as the server or the URL says. */
  readonly secure: boolean
  /**
   * The request as a Web `Request` (built on demand when the server did not start from one). Its
   * body, once read in full by anyone (`text()`, the framework's `Body()`), can be read again: a
   * later `request` is a new `Request` over the same bytes.
   */
  readonly request: Request
  /** A header value, or `undefined`. Names are case-insensitive. */
  header(name: string): string | undefined
  /** The last value of a query parameter, or `undefined`. */
  query(name: string): string | undefined
  /** Every value of a query parameter, in order. */
  queryAll(name: string): string[]
  /** A cookie value, or `undefined`. */
  cookie(name: string): string | undefined
  /**
   * The peer's IP address as the engine sees it (the socket's, never a proxy header), or
   * `undefined` when the engine does not know it (`app.fetch` is given a bare `Request`).
   */
  readonly remoteAddress: string | undefined
  /**
   * What middleware (`ctx.state`), dependencies and the handler (`RequestState`) left for the rest
   * of the request; `undefined` while nothing has.
   */
  readonly state?: Record<string, unknown> | undefined
}

/**
 * What the core needs from a request: the public view plus the body. Each engine adapter provides
 * one (from a Web `Request`, or straight from Node's `IncomingMessage` without building one).
 */
export interface IncomingRequest extends RequestView {
  /**
   * The whole body, refusing more than `limit` bytes with 413 before buffering it; the same bytes
   * when it was read already (and 413 if they are more than `limit`).
   */
  readBody(limit: number): Promise<Uint8Array>
}

/** Work to run once the response has been written (background tasks, then cleanups). */
export type AfterResponse = () => Promise<void>

/** Query and cookie parsing shared by every {@link IncomingRequest}. */
/** The route a request matched, for middleware after `next()` (Starlette's `scope["route"]`). */
export interface MatchedRoute {
  /** The path as declared, `{param}`s and all (`/items/{item_id}`); a mounted app's behind its prefix. */
  readonly path: string
  /** The path parameters, as text. */
  readonly params: Readonly<Record<string, string>>
}

export abstract class BaseRequestView implements IncomingRequest {
  #search: URLSearchParams | undefined
  #cookies: Map<string, string> | undefined
  /**
   * What must run after the engine has written the response (its last byte, or the client gone).
   * Left `undefined` by requests that have none, so the engines pay nothing for them.
   */
  afterResponse: AfterResponse[] | undefined
  /**
   * The error that replaced a route's answer after the route had made it (a middleware that threw
   * after `next()`): the client gets an error, so the route's after-response work runs as after a
   * failure, as in Starlette, where a response never sent runs no background task.
   */
  get replacedBy(): unknown {
    return this.#replacedBy
  }
  set replacedBy(error: unknown) {
    this.#replacedBy = error
  }
  #replacedBy: unknown
  /** Queue work for after the response has been written. */
  defer(...work: AfterResponse[]): void {
    if (this.afterResponse === undefined) this.afterResponse = [...work]
    else this.afterResponse.push(...work)
  }

  /** Values middleware hands to later middleware and to the app (`ctx.state`). */
  state: Record<string, unknown> | undefined

  abstract readonly method: string
  abstract readonly path: string
  abstract readonly secure: boolean
  abstract readonly request: Request
  /** The request target's query string as sent, without `?` (may be empty). */
  abstract queryString(): string
  /** Where a mounted sub-application sits (`/admin`), `''` for the app the server runs. */
  basePath = ''
  #route: MatchedRoute | undefined

  /** The route the request matched, once routed: undefined before, and for a 404 or 405. */
  get route(): MatchedRoute | undefined {
    return this.#route
  }

  /** Records the route the dispatch matched. */
  routed(route: MatchedRoute): void {
    this.#route = route
  }
  abstract header(name: string): string | undefined
  /** Every header name the request carries, lower-case, once each (a strict header model's extras). */
  abstract headerNames(): string[]
  abstract readBody(limit: number): Promise<Uint8Array>
  /**
   * Holds reads of the whole body that bring no limit of their own (`request.text()` in a
   * middleware or a handler) to `limit` bytes: more is a 413.
   */
  abstract limitBody(limit: number): void

  get searchParams(): URLSearchParams {
    this.#search ??= new URLSearchParams(this.queryString())
    return this.#search
  }

  query(name: string): string | undefined {
    const all = this.searchParams.getAll(name)
    return all.length === 0 ? undefined : all[all.length - 1]
  }

  queryAll(name: string): string[] {
    return this.searchParams.getAll(name)
  }

  /** Every query parameter name, once each, in order. */
  queryNames(): string[] {
    return [...new Set(this.searchParams.keys())]
  }

  cookie(name: string): string | undefined {
    this.#cookies ??= parseCookies(this.header('cookie'))
    return this.#cookies.get(name)
  }

  /** Every cookie name, once each. */
  cookieNames(): string[] {
    this.#cookies ??= parseCookies(this.header('cookie'))
    return [...this.#cookies.keys()]
  }

  get remoteAddress(): string | undefined {
    return undefined
  }
}

/** `Authorization` and `Proxy-Authorization`, whose repeated values are refused. */
export function isCredentialsHeader(name: string): boolean {
  if (name.length !== 13 && name.length !== 19) return false
  const lower = name.toLowerCase()
  return lower === 'authorization' || lower === 'proxy-authorization'
}

/** The path of an absolute URL, without query or fragment (`/` when it has none). */
export function pathOfURL(url: string): string {
  const schemeEnd = url.indexOf('://')
  const start = schemeEnd < 0 ? 0 : url.indexOf('/', schemeEnd + 3)
  if (start < 0) return '/'
  let end = url.length
  const query = url.indexOf('?', start)
  if (query >= 0) end = query
  const hash = url.indexOf('#', start)
  if (hash >= 0 && hash < end) end = hash
  return url.slice(start, end) || '/'
}

/** The query string of a URL or request target: after `?`, before `#`. */
export function queryStringOf(target: string): string {
  const start = target.indexOf('?')
  if (start < 0) return ''
  const end = target.indexOf('#', start)
  return target.slice(start + 1, end < 0 ? undefined : end)
}

/** The authority of an absolute URL (`host:port`), without user info. */
function hostOfURL(url: string): string | undefined {
  try {
    return new URL(url).host || undefined
  } catch {
    return undefined
  }
}

/** A view of a Web `Request`. */
export class WebRequestView extends BaseRequestView {
  readonly #raw: Request
  readonly #body: SharedBody
  /** The `Request` handed out, while it can still be read. */
  #handed: Request | undefined
  readonly method: string
  readonly path: string
  readonly secure: boolean

  /** @param path the path to route on, when it is not the URL's own (a mounted sub-application). */
  constructor(request: Request, path?: string) {
    super()
    this.#raw = request
    // A view of a request another view handed out (an endpoint reading its `request` input) shares
    // that view's body.
    this.#body = sharedBodyOf(request) ?? new SharedBody()
    this.method = request.method
    const url = request.url
    this.secure = url.startsWith('https:')
    this.path = path ?? pathOfURL(url)
  }

  get request(): Request {
    const handed = this.#handed
    if (handed !== undefined && !this.#body.outlived(handed)) return handed
    this.#handed = this.#hand()
    return this.#handed
  }

  /** A bodiless request is handed out as it came; any other over the stream, or the bytes once read. */
  #hand(): Request {
    const raw = this.#raw
    // Built from the URL and parts, never `new Request(raw)`: that pipes the stream through a copy
    // (ten times dearer), and throws for another runtime's request object that is a `Request` by
    // prototype only (`@hono/node-server`'s).
    const parts = { method: raw.method, headers: raw.headers, signal: raw.signal }
    const bytes = this.#body.bytes
    if (bytes !== undefined)
      return new SharedRequest(
        raw.url,
        { ...parts, ...bodyInit(raw.method, bytes) },
        this.#body,
        peerOf(raw),
      )
    if (raw.body === null || raw instanceof SharedRequest) return raw
    return new SharedRequest(
      raw.url,
      { ...parts, body: raw.body, duplex: 'half' } as RequestInit,
      this.#body,
      undefined,
    )
  }

  /** The peer of a request the framework handed out (a view of a route's `request` input). */
  override get remoteAddress(): string | undefined {
    return peerOf(this.#raw)
  }

  queryString(): string {
    return queryStringOf(this.#raw.url)
  }

  header(name: string): string | undefined {
    const value = this.#raw.headers.get(name) ?? undefined
    // A Web `Request` built in code (`new Request('http://localhost/')`) carries its authority in
    // the URL, not in a Host header: it is the same thing, and the Node engine always has one.
    if (value === undefined && name.toLowerCase() === 'host') return hostOfURL(this.#raw.url)
    return isCredentialsHeader(name) ? singleCredentials(value) : value
  }

  headerNames(): string[] {
    const names = [...this.#raw.headers.keys()]
    // The Host `header()` reads from the URL is there as the Node engine's always is.
    if (this.#raw.headers.has('host') || this.header('host') === undefined) return names
    return ['host', ...names]
  }

  limitBody(limit: number): void {
    this.#body.ceiling = limit
  }

  async readBody(limit: number): Promise<Uint8Array> {
    checkBodyHead(this, limit)
    const source = this.#handed ?? this.#raw
    if (this.#body.bytes === undefined && source.body === null) return new Uint8Array(0)
    return this.#body.within(limit, () => readRequestBody(source, limit))
  }
}

/** A request's body read in full, refusing more than `limit` bytes with 413 before buffering them. */
export async function readRequestBody(request: Request, limit: number): Promise<Uint8Array> {
  const stream = request.body
  if (stream === null) return new Uint8Array(0)
  // Read as a stream by the app: those bytes went to it and nowhere else.
  if (isSpent(request))
    throw new TypeError(
      'The request body was read as a stream (request.body), so it cannot be read again',
    )
  return readStreamWithin(stream, limit)
}

/**
 * What the headers alone say about a body, checked before any of it is read, the same by every
 * engine: a declared `Content-Length` over the limit (413), or a content coding, which nothing here
 * decodes (415).
 */
export function checkBodyHead(request: Pick<RequestView, 'header'>, limit: number): void {
  const declared = request.header('content-length')
  if (declared !== undefined && Number(declared) > limit) throw new BodyTooLargeError(limit)
  const coding = request.header('content-encoding')
  if (coding === undefined) return
  const codings = coding.split(',').map((name) => name.trim().toLowerCase())
  if (codings.some((name) => name !== '' && name !== 'identity'))
    throw new UnsupportedContentEncodingError()
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>()
  if (!header) return cookies
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const name = part.slice(0, eq).trim()
    let value = part.slice(eq + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1)
    if (!name || cookies.has(name)) continue
    try {
      cookies.set(name, decodeURIComponent(value))
    } catch {
      cookies.set(name, value)
    }
  }
  return cookies
}
