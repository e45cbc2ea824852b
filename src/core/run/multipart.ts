/**
 * A multipart/form-data reader (RFC 7578 over RFC 2046 §5.1.1). Ours rather than the Fetch
 * `formData()`, which refuses a preamble, an epilogue and the `filename*` that .NET sends.
 */

/** Why a body is not multipart/form-data; the caller answers 400 without saying more. */
export class MultipartError extends Error {
  override readonly name = 'MultipartError'
}

/** At most this many parts, as Starlette's `max_fields`/`max_files` (1000). */
export const MAX_PARTS = 1000
/** At most this many bytes of headers per part: a name and a content type fit easily. */
export const MAX_PART_HEADER_BYTES = 16 * 1024

const CR = 13
const LF = 10
const DASH = 45
const encoder = new TextEncoder()
const BLANK_LINE = encoder.encode('\r\n\r\n')
const utf8 = new TextDecoder()

/** The `boundary` parameter of a multipart content type, checked against RFC 2046's bchars. */
export function multipartBoundary(contentType: string): string {
  const match = /;\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]+))/i.exec(contentType)
  const boundary = match?.[1]?.replace(/\\(.)/g, '$1') ?? match?.[2]
  if (
    boundary === undefined ||
    !/^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary)
  )
    throw new MultipartError('missing or malformed boundary')
  return boundary
}

/** Parse `bytes` into form data; text parts become strings, parts with a filename `File`s. */
export function parseMultipart(bytes: Uint8Array, boundary: string): FormData {
  const dashBoundary = encoder.encode(`--${boundary}`)
  const delimiter = encoder.encode(`\r\n--${boundary}`)
  // The first delimiter may open the body or follow a preamble ending in CRLF.
  const opens = startsWith(bytes, dashBoundary, 0)
  let at = opens ? dashBoundary.length : indexOf(bytes, delimiter, 0)
  if (at < 0) throw new MultipartError('no opening boundary')
  if (!opens) at += delimiter.length
  const form = new FormData()
  let parts = 0
  for (;;) {
    if (bytes[at] === DASH && bytes[at + 1] === DASH) return form // the epilogue is ignored
    at = skipLineEnd(bytes, at)
    if (++parts > MAX_PARTS) throw new MultipartError('too many parts')
    // Searching from the boundary line's own CRLF finds a part with no headers at all.
    const headerEnd = indexOf(bytes, BLANK_LINE, at - 2)
    if (headerEnd < 0 || headerEnd - at > MAX_PART_HEADER_BYTES)
      throw new MultipartError('part headers missing or too large')
    const bodyStart = headerEnd + 4
    // From bodyStart - 2, an empty body whose CRLF doubles as the blank line is still found.
    const next = indexOf(bytes, delimiter, bodyStart - 2)
    if (next < 0) throw new MultipartError('no closing boundary')
    // A blank line found past the next boundary belongs to a later part: this one has none.
    const first = indexOf(bytes, delimiter, at - 2)
    if (first < headerEnd) throw new MultipartError('part without a blank line after its headers')
    const headers = headerEnd <= at ? [] : utf8.decode(bytes.subarray(at, headerEnd)).split('\r\n')
    addPart(form, headers, bytes.subarray(Math.min(bodyStart, next), next))
    at = next + delimiter.length
  }
}

/** After a boundary: optional transport padding (spaces, tabs), then CRLF. */
function skipLineEnd(bytes: Uint8Array, from: number): number {
  let at = from
  while (bytes[at] === 32 || bytes[at] === 9) at++
  if (bytes[at] !== CR || bytes[at + 1] !== LF) throw new MultipartError('malformed boundary line')
  return at + 2
}

function addPart(form: FormData, lines: string[], body: Uint8Array): void {
  let disposition: string | undefined
  let type = ''
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon <= 0) throw new MultipartError('malformed part header')
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (name === 'content-disposition') {
      if (disposition !== undefined) throw new MultipartError('two Content-Disposition headers')
      disposition = value
    } else if (name === 'content-type') type = value
  }
  if (disposition === undefined) throw new MultipartError('part without Content-Disposition')
  const { name, filename } = parseDisposition(disposition)
  if (filename === undefined) form.append(name, utf8.decode(body))
  else form.append(name, new File([body as Uint8Array<ArrayBuffer>], filename, { type }))
}

/** `form-data; name="f"; filename="x"; filename*=utf-8''x`, `filename*` winning (RFC 6266 §4.3). */
export function parseDisposition(value: string): { name: string; filename: string | undefined } {
  // Browsers send `"` as %22 and a backslash as itself (WHATWG HTML form encoding), so only
  // `\"` is unescaped: a Windows path keeps its backslashes.
  const text = value.replace(/;\s*$/, '')
  const semi = text.indexOf(';')
  if ((semi < 0 ? text : text.slice(0, semi)).trim().toLowerCase() !== 'form-data')
    throw new MultipartError('not form-data')
  const params = new Map<string, string>()
  const param = /;\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;"]*))\s*/gy
  param.lastIndex = semi < 0 ? text.length : semi
  while (param.lastIndex < text.length) {
    const match = param.exec(text)
    if (match === null) throw new MultipartError('malformed Content-Disposition')
    const key = (match[1] as string).toLowerCase()
    if (params.has(key)) throw new MultipartError(`repeated ${key}`)
    params.set(key, match[2] === undefined ? (match[3] as string) : match[2].replaceAll('\\"', '"'))
  }
  const name = params.get('name')
  if (name === undefined) throw new MultipartError('part without a name')
  const extended = params.get('filename*')
  const decoded = extended === undefined ? undefined : decodeExtValue(extended)
  const filename = decoded ?? params.get('filename')
  // An undecodable filename* alone still marks a file: it must not turn into a text field.
  if (filename === undefined && extended !== undefined)
    throw new MultipartError('undecodable filename*')
  return { name, filename }
}

/** An RFC 8187 ext-value (`utf-8''na%C3%AFve.txt`); undefined when it cannot be decoded. */
function decodeExtValue(value: string): string | undefined {
  const match =
    /^(utf-8|iso-8859-1)'[A-Za-z0-9-]*'((?:[!#$&+\-.^_`|~0-9A-Za-z]|%[0-9A-Fa-f]{2})*)$/i.exec(
      value,
    )
  if (match === null) return undefined
  const bytes = Uint8Array.from((match[2] as string).matchAll(/%([0-9A-Fa-f]{2})|(.)/gs), (m) =>
    m[1] === undefined ? (m[2] as string).charCodeAt(0) : Number.parseInt(m[1], 16),
  )
  try {
    return (match[1] as string).toLowerCase() === 'utf-8'
      ? new TextDecoder('utf-8', { fatal: true }).decode(bytes)
      : String.fromCharCode(...bytes)
  } catch {
    return undefined
  }
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array, at: number): boolean {
  if (at + prefix.length > bytes.length) return false
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false
  return true
}

/** The first index of `needle` in `bytes` at or after `from`, or -1. */
function indexOf(bytes: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0] as number
  for (
    let at = bytes.indexOf(first, Math.max(0, from));
    at >= 0;
    at = bytes.indexOf(first, at + 1)
  ) {
    if (startsWith(bytes, needle, at)) return at
  }
  return -1
}
