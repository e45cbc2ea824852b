import type { Schema } from '../declare/inputs.js'
import {
  isGatehouseError,
  KeySourceUnavailableError,
  ResponseValidationError,
  ServiceUnavailableError,
} from '../errors/index.js'
import { jsonText } from './json-text.js'
import { type ResponseParameter, setHeaders } from './response-parameter.js'
import { type Validated, validateSyncFirst } from './validate.js'

/** Where unexpected errors are reported. Never given request secrets, only the error. */
export interface Logger {
  error(message: string, error: unknown): void
  /** Events nobody needs to act on (a client that went away mid-request); optional. */
  debug?(message: string, error?: unknown): void
}

/** Header values of a reply; `set-cookie` may hold several. Names are lower-case. */
export type ReplyHeaders = Readonly<Record<string, string | readonly string[]>>

/**
 * A response the framework made itself: status, headers and a text body. Engines write it straight
 * to their output (Node) or wrap it in a `Response` (Web); a handler's own `Response` passes through.
 */
export interface PlainReply {
  readonly status: number
  readonly headers: ReplyHeaders
  readonly body: string | null
}

export type Reply = PlainReply | Response

const JSON_HEADERS: ReplyHeaders = Object.freeze({ 'content-type': 'application/json' })
const NO_HEADERS: ReplyHeaders = Object.freeze({})

/** A JSON reply; `headers` are added to the content type. */
export function jsonReply(
  body: unknown,
  status = 200,
  headers?: Readonly<Record<string, string>>,
): PlainReply {
  return {
    status,
    headers: headers ? { ...JSON_HEADERS, ...lowerCaseKeys(headers) } : JSON_HEADERS,
    body: jsonText(body),
  }
}

/** A Web `Response` for a reply. */
export function toResponse(reply: Reply): Response {
  if (reply instanceof Response) return reply
  const headers = new Headers()
  for (const [name, value] of Object.entries(reply.headers)) {
    // Framing is the engine's (RFC 9112 §6): the length of this body, never an app's own copy.
    if (isFramingHeader(name)) continue
    try {
      if (typeof value === 'string') headers.set(name, checkedValue(name, value))
      else for (const item of value) headers.append(name, checkedValue(name, item))
    } catch {
      // `Headers` quotes the value in its message, and a value may hold a token: name only.
      throw invalidHeader(name)
    }
  }
  return new Response(reply.body, { status: reply.status, headers })
}

/**
 * What Node will write as a header value (RFC 9110 §5.5 field-content: no control character but
 * tab, DEL included); `Headers` lets DEL through, so both engines are held to Node's rule.
 */
const INVALID_FIELD_VALUE = /[^\t\x20-\x7e\x80-\xff]/

function checkedValue(name: string, value: string): string {
  if (INVALID_FIELD_VALUE.test(value)) throw invalidHeader(name)
  return value
}

function invalidHeader(name: string): TypeError {
  return new TypeError(`Invalid character in the value of response header "${name}"`)
}

/** A `Response`'s own headers against the same rule, or the error naming the first bad one. */
export function responseHeaderProblem(response: Response): TypeError | undefined {
  for (const [name, value] of response.headers)
    if (INVALID_FIELD_VALUE.test(value)) return invalidHeader(name)
  return undefined
}

/** `Content-Length` or `Transfer-Encoding`, which describe the bytes an engine writes. */
export function isFramingHeader(name: string): boolean {
  if (name.length !== 14 && name.length !== 17) return false
  const lower = name.toLowerCase()
  return lower === 'content-length' || lower === 'transfer-encoding'
}

/** The UTF-8 length of a string, without encoding it. */
export function byteLength(text: string): number {
  let length = text.length
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) continue
    if (code < 0x800) length += 1
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair: 4 bytes for 2 UTF-16 units.
      length += 2
      i++
    } else length += 2
  }
  return length
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  return out
}

/**
 * Release the unread body of an answer that will not be sent: a stream may hold a file descriptor
 * or a database cursor until it is cancelled, and garbage collection does not close either. A body
 * already read, being read (locked, e.g. piped into the new answer) or carried on by `kept` is left.
 */
export function discardReply(dropped: Reply | undefined, kept?: Reply): void {
  if (!(dropped instanceof Response) || dropped === kept) return
  const { body } = dropped
  if (body === null || dropped.bodyUsed || body.locked) return
  if (kept instanceof Response && kept.body === body) return
  body.cancel().catch(() => {})
}

/**
 * A `Response` no server can send: `Response.error()` (status 0), or one whose body was already
 * read. Refused where it was returned, so both engines answer the same logged 500 naming who
 * returned it, instead of a status 0 from `app.fetch` and a failed write from `serve()`.
 */
export function sendable(response: Response, who: string): Response {
  if (response.type === 'error' || response.status === 0)
    throw new TypeError(`${who} returned Response.error(), which no server can send`)
  if (response.bodyUsed || response.body?.locked === true)
    throw new TypeError(`${who} returned a Response whose body was already read`)
  return response
}

/** Statuses whose responses carry no body. */
export function isBodyless(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200)
}

/**
 * Step 5: turn a handler's result into a reply. A `Response` passes through — unless the route has
 * a response model, which a raw `Response` would bypass: that is refused as a server error rather
 * than silently leaking what the model strips. Anything else is validated by the route's `response`
 * schema (which strips unknown keys) and sent as JSON, with what the handler set on the response
 * parameter.
 */
export function serializeResult(
  result: unknown,
  responseSchema: Schema | undefined,
  status: number,
  parameter: ResponseParameter | undefined,
): Reply | Promise<Reply> {
  if (result instanceof Response) {
    if (responseSchema)
      throw new TypeError(
        'the handler returned a Response from a route with a `response` model, which it would bypass: return data (and set status, headers and cookies through the response parameter), or remove `response`',
      )
    return sendable(result, 'the handler')
  }
  const finalStatus = parameter?.status ?? status
  // 205 Reset Content has no content either (RFC 9110 §15.3.6), but says so: `Content-Length: 0`.
  if (isBodyless(finalStatus) || finalStatus === 205)
    return withParameter(finalStatus, NO_HEADERS, null, parameter)
  if (!responseSchema) return jsonBody(finalStatus, result, parameter)
  const checked = validateSyncFirst(responseSchema, result, ['response'])
  if (checked instanceof Promise)
    return checked.then((done) => jsonBody(finalStatus, unwrap(done), parameter))
  return jsonBody(finalStatus, unwrap(checked), parameter)
}

function unwrap(checked: Validated): unknown {
  if (!checked.ok) throw new ResponseValidationError(checked.errors)
  return checked.value
}

function jsonBody(
  status: number,
  body: unknown,
  parameter: ResponseParameter | undefined,
): PlainReply {
  const text = body === undefined ? 'null' : jsonText(body)
  return withParameter(status, JSON_HEADERS, text, parameter)
}

/** Headers and cookies set through the response parameter, over the framework's own. */
function withParameter(
  status: number,
  base: ReplyHeaders,
  body: string | null,
  parameter: ResponseParameter | undefined,
): PlainReply {
  if (parameter === undefined) return { status, headers: base, body }
  const { trusted, headers: set } = parameter[setHeaders]()
  if (set === undefined && parameter.cookies.length === 0)
    return { status, headers: trusted === undefined ? base : { ...base, ...trusted }, body }
  const headers: Record<string, string | readonly string[]> = { ...base, ...trusted }
  set?.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = [...(set?.getSetCookie() ?? []), ...parameter.cookies]
  if (cookies.length > 0) headers['set-cookie'] = cookies
  return { status, headers, body }
}

/**
 * The default answer to an error: every {@link GatehouseError} answers as its code says (status,
 * headers and body from the error family's table); server faults and anything else are logged once
 * and answered with a bare 500 that shows nothing of them.
 */
export function errorReply(error: unknown, logger: Logger, where: string): PlainReply {
  if (isGatehouseError(error) && !error.internal) {
    if (error.quiet) logger.debug?.(`${error.message} (${where})`)
    else if (isOutage(error)) reportOutage(error, logger, where)
    // A 304 (an HTTPException may redirect) has no body, as FastAPI answers it.
    if (isBodyless(error.status))
      return { status: error.status, headers: lowerCaseKeys(error.headers), body: null }
    return jsonReply(error.body(), error.status, error.headers)
  }
  if (error instanceof ResponseValidationError)
    logger.error(`Response validation failed in ${where}`, error.errors)
  else logger.error(`Unhandled error in ${where}`, error)
  return jsonReply({ detail: 'Internal Server Error' }, 500)
}

// Failures already logged: one failed fetch refuses every request until the next attempt.
const reportedOutages = new WeakSet<object>()
// When each logger last told of a store outage: every failed call is its own error.
const lastStoreOutage = new WeakMap<Logger, number>()
/** A store outage is told at most this often (milliseconds), with the driver's reason. */
const STORE_OUTAGE_INTERVAL = 10_000

/** A 503 whose cause the operator must learn: an issuer out of reach, a store that cannot answer. */
export function isOutage(
  error: unknown,
): error is KeySourceUnavailableError | ServiceUnavailableError {
  return (
    error instanceof KeySourceUnavailableError ||
    (error instanceof ServiceUnavailableError && outageCause(error) !== undefined)
  )
}

/**
 * The cause to tell of a 503 that asks for it (`logCause`: the store's), also through an
 * endpoint's own shape of it (the OAuth endpoints', which holds the store's as its cause).
 */
function outageCause(error: ServiceUnavailableError): Error | undefined {
  const asked = error.logCause
    ? error
    : error.cause instanceof ServiceUnavailableError && error.cause.logCause
      ? error.cause
      : undefined
  return asked?.cause instanceof Error ? asked.cause : undefined
}

/**
 * An error's message, for a log line; a connection refused on every address of a host is an
 * `AggregateError` with an empty message of its own, so its errors' messages are joined.
 */
function reasonOf(error: Error): string {
  if (error.message !== '') return error.message
  if (error instanceof AggregateError) {
    const inner = error.errors.map((each) => (each instanceof Error ? reasonOf(each) : ''))
    const joined = [...new Set(inner.filter((text) => text !== ''))].join('; ')
    if (joined !== '') return joined
  }
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : error.name
}

/**
 * A 503 because an issuer's keys, metadata or introspection endpoint failed, or because the store
 * (its database) could not answer: the operator must learn what failed (the client only sees
 * 503). An issuer's failure is told once per failed fetch; a store's, which fails call by call,
 * at most once every ten seconds. Only the driver's message goes in the line (a connection
 * refused, a lock held, a statement timeout), never the error object with its query and values.
 * Only a 503 that asks for it (`logCause`, as the store's do) is told: not the hashing queue's,
 * a store closed on purpose, or an app's own 503 whose cause may hold anything.
 */
export function reportOutage(
  error: KeySourceUnavailableError | ServiceUnavailableError,
  logger: Logger,
  where: string,
): void {
  if (error instanceof KeySourceUnavailableError) {
    const { cause } = error
    if (!(cause instanceof Error) || reportedOutages.has(cause)) return
    reportedOutages.add(cause)
    logger.error(`${error.message} (${where}): ${reasonOf(cause)}`, undefined)
    return
  }
  const cause = outageCause(error)
  if (cause === undefined) return
  const now = performance.now()
  const last = lastStoreOutage.get(logger)
  if (last !== undefined && now - last < STORE_OUTAGE_INTERVAL) return
  lastStoreOutage.set(logger, now)
  logger.error(`${error.message} (${where}): ${reasonOf(cause)}`, undefined)
}

/**
 * The default logger: `console.error`. An `Error` is printed as its stack (name and message
 * included), its `code` and its causes, never its other properties: an HTTP client's error holds
 * the request it made (an `Authorization` header), a driver's the values of its query. Give the
 * app your own `logger` to log more, or to log structured.
 */
export const consoleLogger: Logger = {
  error(message, error) {
    if (error === undefined) console.error(message)
    else console.error(message, error instanceof Error ? errorSummary(error) : error)
  },
}

/** An error's stack, `code` and causes (at most three deep), as text. */
function errorSummary(error: Error, depth = 0): string {
  const code = (error as { code?: unknown }).code
  const own = `${error.stack ?? `${error.name}: ${error.message}`}${typeof code === 'string' || typeof code === 'number' ? ` (code ${code})` : ''}`
  const { cause } = error
  return cause instanceof Error && depth < 3
    ? `${own}\nCaused by: ${errorSummary(cause, depth + 1)}`
    : own
}
