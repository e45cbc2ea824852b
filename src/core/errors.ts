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
 * `HTTPException`).
 * @example throw new HTTPException(404, { detail: 'Item not found' })
 */
export class HTTPException extends Error {
  override readonly name = 'HTTPException'
  readonly status: number
  readonly detail: unknown
  readonly headers: Readonly<Record<string, string>>

  constructor(
    status: number,
    options: { detail?: unknown; headers?: Record<string, string> } = {},
  ) {
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new TypeError('HTTPException: `status` must be an integer from 400 to 599')
    const detail = options.detail ?? defaultReason(status)
    super(typeof detail === 'string' ? detail : `HTTP ${status}`)
    this.status = status
    this.detail = detail
    this.headers = Object.freeze({ ...options.headers })
  }
}

/** Thrown when request inputs fail validation; answered as 422 with every problem found. */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError'
  readonly errors: readonly ValidationErrorItem[]

  constructor(errors: readonly ValidationErrorItem[]) {
    super(`${errors.length} validation error${errors.length === 1 ? '' : 's'} in the request`)
    this.errors = errors
  }
}

/** A handler returned a value its `response` schema rejects: a server bug, answered as 500. */
export class ResponseValidationError extends Error {
  override readonly name = 'ResponseValidationError'
  readonly errors: readonly ValidationErrorItem[]

  constructor(errors: readonly ValidationErrorItem[]) {
    super(`Response validation failed with ${errors.length} error(s)`)
    this.errors = errors
  }
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** The standard reason phrase for a status, used as the default `detail`. */
export function defaultReason(status: number): string {
  return reasons[status] ?? (status >= 500 ? 'Server Error' : 'Client Error')
}
