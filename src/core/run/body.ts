import {
  HTTPException,
  RequestValidationError,
  UnsupportedMediaTypeError,
} from '../errors/index.js'
import { singleMediaType } from './header-values.js'
import { exceedsDepth, MAX_JSON_DEPTH } from './json-depth.js'
import { locateJSONError } from './json-syntax.js'
import { MultipartError, multipartBoundary, parseMultipart } from './multipart.js'
import type { IncomingRequest } from './request-view.js'

/** Form data as both parsers give it: `URLSearchParams` or `FormData`. */
export interface FormFields {
  getAll(name: string): (string | File)[]
  keys(): Iterable<string>
}

/** The request's media type, lower-case, without parameters (`application/json`). */
export function mediaTypeOf(request: IncomingRequest): string {
  const header = singleMediaType(request.header('content-type'))
  if (!header) return ''
  const semi = header.indexOf(';')
  return (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase()
}

export function isJSONMediaType(mediaType: string): boolean {
  return (
    mediaType === 'application/json' ||
    (mediaType.startsWith('application/') && mediaType.endsWith('+json'))
  )
}

const MISSING = Symbol('missing body')
export type JSONBody = unknown | typeof MISSING
export const missingBody: typeof MISSING = MISSING

/**
 * The JSON body, or `missingBody` when there is none. A request without a content type is tried as
 * JSON, as FastAPI does; a body sent as another media type is refused with 415 rather than read as
 * missing, so a client's data is never dropped without a word.
 */
export async function readJSONBody(request: IncomingRequest, limit: number): Promise<JSONBody> {
  const header = singleMediaType(request.header('content-type'))
  const mediaType = mediaTypeOf(request)
  // `;;;` names no media type at all: present but not JSON.
  const notJSON = header !== undefined && header.trim() !== '' && !isJSONMediaType(mediaType)
  // Refused before it is read when the head says a body follows, so a client waiting on
  // `Expect: 100-continue` is never asked for it; an empty one is still only missing.
  if (notJSON && declaresBody(request)) throw new UnsupportedMediaTypeError(['application/json'])
  const bytes = await request.readBody(limit)
  if (bytes.byteLength === 0) return MISSING
  if (notJSON) throw new UnsupportedMediaTypeError(['application/json'])
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw jsonInvalid('Invalid UTF-8')
  }
  if (text.trim() === '') return MISSING
  // Validating or echoing a value nested thousands deep overflows the stack: refuse it unparsed.
  if (exceedsDepth(text, MAX_JSON_DEPTH))
    throw jsonInvalid(`Nested deeper than ${MAX_JSON_DEPTH} levels`)
  try {
    return JSON.parse(text)
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw jsonInvalid('JSON decode error')
    // FastAPI's shape: where it broke and Python's reason (V8's message may quote the body).
    const located = locateJSONError(text)
    throw jsonInvalid(located?.message ?? 'Invalid JSON', located?.position)
  }
}

/**
 * Whether the request head announces body bytes: a non-zero `Content-Length`. A chunked body may
 * still be empty, a missing body rather than a 415, so it is read first as before.
 */
function declaresBody(request: IncomingRequest): boolean {
  const length = request.header('content-length')
  return length !== undefined && !/^\s*0+\s*$/.test(length)
}

function jsonInvalid(reason: string, position?: number): RequestValidationError {
  return new RequestValidationError([
    {
      type: 'json_invalid',
      loc: position === undefined ? ['body'] : ['body', position],
      msg: 'JSON decode error',
      input: {},
      ctx: { error: reason },
    },
  ])
}

/** Form fields, or `undefined` when the body is not form data (its fields then count as missing). */
export async function readFormBody(
  request: IncomingRequest,
  limit: number,
): Promise<FormFields | undefined> {
  const mediaType = mediaTypeOf(request)
  if (mediaType === 'application/x-www-form-urlencoded') {
    const bytes = await request.readBody(limit)
    return new URLSearchParams(new TextDecoder().decode(bytes))
  }
  if (mediaType === 'multipart/form-data') {
    const bytes = await request.readBody(limit)
    try {
      return parseMultipart(bytes, multipartBoundary(request.header('content-type') ?? ''))
    } catch (error) {
      if (!(error instanceof MultipartError)) throw error
      throw new HTTPException(400, { detail: 'There was an error parsing the body' })
    }
  }
  return undefined
}
