import { HTTPException, RequestValidationError, ResponseValidationError } from './errors.js'
import type { Schema } from './inputs.js'
import { validateAsync } from './validation.js'

/** Where unexpected errors are reported. Never given request secrets, only the error. */
export interface Logger {
  error(message: string, error: unknown): void
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const

/** A JSON response. */
export function jsonResponse(body: unknown, status = 200, headers?: HeadersInit): Response {
  const response = new Response(JSON.stringify(body), { status, headers: JSON_HEADERS })
  if (headers) for (const [name, value] of new Headers(headers)) response.headers.set(name, value)
  return response
}

/** Statuses whose responses carry no body. */
function isBodyless(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200)
}

/**
 * Step 5: turn a handler's result into a response. A `Response` passes through; anything else is
 * validated by the route's `response` schema (which strips unknown keys) and sent as JSON.
 */
export async function serializeResult(
  result: unknown,
  responseSchema: Schema | undefined,
  status: number,
): Promise<Response> {
  if (result instanceof Response) return result
  if (isBodyless(status)) return new Response(null, { status })
  let body = result
  if (responseSchema) {
    const checked = await validateAsync(responseSchema, result, ['response'])
    if (!checked.ok) throw new ResponseValidationError(checked.errors)
    body = checked.value
  }
  return new Response(body === undefined ? 'null' : JSON.stringify(body), {
    status,
    headers: JSON_HEADERS,
  })
}

/**
 * The one place errors become responses: HTTP exceptions as they say, validation as 422 with every
 * problem, and anything else as a bare 500 that leaks nothing (logged once, by the caller's logger).
 */
export function errorResponse(error: unknown, logger: Logger, where: string): Response {
  if (error instanceof HTTPException)
    return jsonResponse({ detail: error.detail }, error.status, error.headers)
  if (error instanceof RequestValidationError) return jsonResponse({ detail: error.errors }, 422)
  if (error instanceof ResponseValidationError)
    logger.error(`Response validation failed in ${where}`, error.errors)
  else logger.error(`Unhandled error in ${where}`, error)
  return jsonResponse({ detail: 'Internal Server Error' }, 500)
}

export const consoleLogger: Logger = {
  error(message, error) {
    console.error(message, error)
  },
}
