import { HTTPException, RequestValidationError } from './errors.js'

/** Form data as both parsers give it: `URLSearchParams` or `FormData`. */
export interface FormFields {
  getAll(name: string): (string | File)[]
}

/** The request's media type, lower-case, without parameters (`application/json`). */
export function mediaTypeOf(request: Request): string {
  const header = request.headers.get('content-type')
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

/**
 * Read the whole body, refusing more than `limit` bytes with 413 before buffering it: a declared
 * `Content-Length` is checked first, then the bytes are counted as they stream in.
 */
export async function readBodyBytes(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > limit) throw tooLarge()
  if (request.body === null) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  if (chunks.length === 1 && chunks[0]) return chunks[0]
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

function tooLarge(): HTTPException {
  return new HTTPException(413, { detail: 'Request body is too large' })
}

const MISSING = Symbol('missing body')
export type JSONBody = unknown | typeof MISSING
export const missingBody: typeof MISSING = MISSING

/**
 * The JSON body, or `missingBody` when there is none or it is not JSON. A request without a
 * content type is tried as JSON, as FastAPI does.
 */
export async function readJSONBody(request: Request, limit: number): Promise<JSONBody> {
  const mediaType = mediaTypeOf(request)
  if (mediaType !== '' && !isJSONMediaType(mediaType)) return MISSING
  const bytes = await readBodyBytes(request, limit)
  if (bytes.byteLength === 0) return MISSING
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw jsonInvalid('Invalid UTF-8')
  }
  if (text.trim() === '') return MISSING
  try {
    return JSON.parse(text)
  } catch (error) {
    throw jsonInvalid(error instanceof SyntaxError ? 'Invalid JSON' : 'JSON decode error')
  }
}

function jsonInvalid(reason: string): RequestValidationError {
  return new RequestValidationError([
    {
      type: 'json_invalid',
      loc: ['body'],
      msg: 'JSON decode error',
      input: {},
      ctx: { error: reason },
    },
  ])
}

/** Form fields, or `undefined` when the body is not form data (its fields then count as missing). */
export async function readFormBody(
  request: Request,
  limit: number,
): Promise<FormFields | undefined> {
  const mediaType = mediaTypeOf(request)
  if (mediaType === 'application/x-www-form-urlencoded') {
    const bytes = await readBodyBytes(request, limit)
    return new URLSearchParams(new TextDecoder().decode(bytes))
  }
  if (mediaType === 'multipart/form-data') {
    const bytes = await readBodyBytes(request, limit)
    try {
      return await new Response(bytes as Uint8Array<ArrayBuffer>, {
        headers: { 'content-type': request.headers.get('content-type') ?? '' },
      }).formData()
    } catch {
      throw new HTTPException(400, { detail: 'There was an error parsing the body' })
    }
  }
  return undefined
}
