import type { Schema } from '../declare/inputs.js'
import { isGatehouseError, ResponseValidationError } from '../errors/index.js'
import { type Validated, validateSyncFirst } from './validate.js'

/** Where unexpected errors are reported. Never given request secrets, only the error. */
export interface Logger {
  error(message: string, error: unknown): void
}

/**
 * A response the framework made itself: status, headers and a text body. Engines write it straight
 * to their output (Node) or wrap it in a `Response` (Web); a handler's own `Response` passes through.
 */
export interface PlainReply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | null
}

export type Reply = PlainReply | Response

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json',
})

/** A JSON reply; `headers` are added to the content type. */
export function jsonReply(
  body: unknown,
  status = 200,
  headers?: Readonly<Record<string, string>>,
): PlainReply {
  return {
    status,
    headers: headers ? { ...JSON_HEADERS, ...lowerCaseKeys(headers) } : JSON_HEADERS,
    body: JSON.stringify(body),
  }
}

/** A Web `Response` for a reply. */
export function toResponse(reply: Reply): Response {
  if (reply instanceof Response) return reply
  return new Response(reply.body, { status: reply.status, headers: reply.headers })
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  return out
}

/** Statuses whose responses carry no body. */
function isBodyless(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200)
}

const EMPTY_HEADERS: Readonly<Record<string, string>> = Object.freeze({})

/**
 * Step 5: turn a handler's result into a reply. A `Response` passes through; anything else is
 * validated by the route's `response` schema (which strips unknown keys) and sent as JSON.
 */
export function serializeResult(
  result: unknown,
  responseSchema: Schema | undefined,
  status: number,
): Reply | Promise<Reply> {
  if (result instanceof Response) return result
  if (isBodyless(status)) return { status, headers: EMPTY_HEADERS, body: null }
  if (!responseSchema) return jsonBody(status, result)
  const checked = validateSyncFirst(responseSchema, result, ['response'])
  if (checked instanceof Promise) return checked.then((done) => jsonBody(status, unwrap(done)))
  return jsonBody(status, unwrap(checked))
}

function unwrap(checked: Validated): unknown {
  if (!checked.ok) throw new ResponseValidationError(checked.errors)
  return checked.value
}

function jsonBody(status: number, body: unknown): PlainReply {
  return { status, headers: JSON_HEADERS, body: body === undefined ? 'null' : JSON.stringify(body) }
}

/**
 * The one place errors become replies: every {@link GatehouseError} answers as its code says
 * (status, headers and body from the error family's table); server faults and anything else are
 * logged once and answered with a bare 500 that shows nothing of them.
 */
export function errorReply(error: unknown, logger: Logger, where: string): PlainReply {
  if (isGatehouseError(error) && !error.internal)
    return jsonReply(error.body(), error.status, error.headers)
  if (error instanceof ResponseValidationError)
    logger.error(`Response validation failed in ${where}`, error.errors)
  else logger.error(`Unhandled error in ${where}`, error)
  return jsonReply({ detail: 'Internal Server Error' }, 500)
}

export const consoleLogger: Logger = {
  error(message, error) {
    console.error(message, error)
  },
}
