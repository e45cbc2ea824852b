import { GatehouseError } from './gatehouse-error.js'

/** One entry of a 422 response's `detail` list, in FastAPI's shape. */
export interface ValidationErrorItem {
  type: string
  loc: (string | number)[]
  msg: string
  input?: unknown
  ctx?: Record<string, unknown>
}

/**
 * Stop the request and answer `{"detail": detail}` with `status` and `headers` (FastAPI's
 * `HTTPException`). A 3xx too, as FastAPI's dependencies redirect a browser to its login page
 * (`304` answers without a body).
 * @example throw new HTTPException(404, { detail: 'Item not found' })
 * @example throw new HTTPException(303, { headers: { location: '/login' } })
 */
export class HTTPException extends GatehouseError {
  override readonly name = 'HTTPException'
  readonly code = 'http_exception'
  readonly detail: unknown
  readonly #status: number
  readonly #headers: Readonly<Record<string, string>>

  constructor(
    status: number,
    options: { detail?: unknown; headers?: Record<string, string> } = {},
  ) {
    if (!Number.isInteger(status) || status < 300 || status > 599)
      throw new TypeError('HTTPException: `status` must be an integer from 300 to 599')
    const detail = options.detail ?? defaultReason(status)
    super(typeof detail === 'string' ? detail : `HTTP ${status}`)
    this.#status = status
    this.detail = detail
    this.#headers = Object.freeze({ ...options.headers })
  }

  override get status(): number {
    return this.#status
  }

  override get headers(): Readonly<Record<string, string>> {
    return this.#headers
  }

  override body(): unknown {
    return { detail: this.detail }
  }
}

/** Request inputs failed validation; answered as 422 with every problem found. */
export class RequestValidationError extends GatehouseError {
  override readonly name = 'RequestValidationError'
  readonly code = 'request_validation_failed'
  readonly errors: readonly ValidationErrorItem[]

  constructor(errors: readonly ValidationErrorItem[]) {
    super(`${errors.length} validation error${errors.length === 1 ? '' : 's'} in the request`)
    this.errors = errors
  }

  override body(): unknown {
    return { detail: this.errors }
  }
}

/** A handler returned a value its `response` schema rejects: a server bug, answered as 500. */
export class ResponseValidationError extends GatehouseError {
  override readonly name = 'ResponseValidationError'
  readonly code = 'response_validation_failed'
  readonly errors: readonly ValidationErrorItem[]

  constructor(errors: readonly ValidationErrorItem[]) {
    super(`Response validation failed with ${errors.length} error(s)`)
    this.errors = errors
  }
}

/** The body is over the app's `bodyLimit` (413). */
export class BodyTooLargeError extends GatehouseError {
  override readonly name = 'BodyTooLargeError'
  readonly code = 'body_too_large'
  /** The limit in bytes. */
  readonly limit: number

  constructor(limit: number) {
    super('Request body is too large')
    this.limit = limit
  }
}

/** The client did not send its request (head or body) in time (408). */
export class RequestTimeoutError extends GatehouseError {
  override readonly name = 'RequestTimeoutError'
  readonly code = 'request_timeout'

  constructor() {
    super('Request Timeout')
  }
}

/** The request's media type is not one the route reads (415). */
export class UnsupportedMediaTypeError extends GatehouseError {
  override readonly name = 'UnsupportedMediaTypeError'
  readonly code = 'unsupported_media_type'
  /** The media types the route accepts. */
  readonly accepted: readonly string[]

  constructor(accepted: readonly string[]) {
    super(`Unsupported Media Type: expected ${accepted.join(' or ')}`)
    this.accepted = accepted
  }
}

/**
 * A request body in a content coding (`Content-Encoding: gzip`, ...): the server decodes none, so
 * it would read compressed bytes as the body. 415 with `Accept-Encoding: identity` (RFC 9110 §8.4,
 * §15.5.16).
 */
export class UnsupportedContentEncodingError extends GatehouseError {
  override readonly name = 'UnsupportedContentEncodingError'
  readonly code = 'unsupported_media_type'

  constructor() {
    super('Unsupported Content-Encoding: send the request body uncompressed')
  }

  override get headers(): Readonly<Record<string, string>> {
    return ACCEPT_IDENTITY
  }
}

const ACCEPT_IDENTITY = Object.freeze({ 'accept-encoding': 'identity' })

/** The request itself is malformed (a bad `Host`, repeated credentials, ...): 400. */
export class BadRequestError extends GatehouseError {
  override readonly name = 'BadRequestError'
  readonly code = 'bad_request'
  /** What is wrong, without any value from the request. */
  readonly reason: string

  constructor(reason: string) {
    super(reason)
    this.reason = reason
  }
}

/** The client closed the connection before its request was complete; nobody gets the answer. */
export class RequestAbortedError extends GatehouseError {
  override readonly name = 'RequestAbortedError'
  readonly code = 'request_aborted'

  constructor() {
    super('The client closed the connection before the request was complete')
  }
}

/** Over a rate limit (429), with `Retry-After` in whole seconds. */
export class TooManyRequestsError extends GatehouseError {
  override readonly name = 'TooManyRequestsError'
  readonly code = 'too_many_requests'
  readonly retryAfter: number

  constructor(retryAfter: number, message = 'Too Many Requests') {
    super(message)
    this.retryAfter = Math.max(1, Math.ceil(retryAfter))
  }

  override get headers(): Readonly<Record<string, string>> {
    return { 'retry-after': String(this.retryAfter) }
  }
}

/** A dependency of the server (its database, its hashing queue) cannot serve now (503). */
export class ServiceUnavailableError extends GatehouseError {
  override readonly name = 'ServiceUnavailableError'
  readonly code = 'service_unavailable'
  readonly retryAfter: number
  /**
   * Tell the app's logger why, from `cause` (its message only, at most once every ten seconds):
   * the store's outages set it, so the operator learns that the database refused connections.
   */
  readonly logCause: boolean

  constructor(
    retryAfter = 1,
    message = 'Service Unavailable',
    options?: { cause?: unknown; logCause?: boolean | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.retryAfter = Math.max(1, Math.ceil(retryAfter))
    this.logCause = options?.logCause === true
  }

  override get headers(): Readonly<Record<string, string>> {
    return { 'retry-after': String(this.retryAfter) }
  }
}

// RFC 9110 §15 (and RFC 6585, RFC 7725, RFC 8297, RFC 8470) reason phrases, as Starlette's
// `HTTPStatus(code).phrase` gives them for FastAPI's default `detail`.
const reasons: Readonly<Record<number, string>> = {
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a Teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  510: 'Not Extended',
  511: 'Network Authentication Required',
}

/** The standard reason phrase for a status, used as the default `detail`. */
export function defaultReason(status: number): string {
  return Object.hasOwn(reasons, status)
    ? (reasons[status] as string)
    : status >= 500
      ? 'Server Error'
      : status >= 400
        ? 'Client Error'
        : 'Redirection'
}
