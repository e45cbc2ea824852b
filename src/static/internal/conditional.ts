import { parseHTTPDate } from './http-date.js'

/**
 * A weak entity tag from a file's size and modification time: it changes whenever either does, and
 * says "weak" because it is not computed from the bytes (RFC 9110 §8.8.3).
 */
export function entityTag(size: number, mtimeMs: number): string {
  return `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`
}

/**
 * Whether a conditional GET can be answered 304 (RFC 9110 §13.1.2, §13.1.3): `If-None-Match` by
 * weak comparison (or `*`), and only without it, `If-Modified-Since` at one-second precision.
 * A value that is not an HTTP-date (`3000`, `3000-01-01`) is ignored, as the RFC says.
 */
export function isNotModified(
  ifNoneMatch: string | undefined,
  ifModifiedSince: string | undefined,
  etag: string,
  mtimeMs: number,
): boolean {
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true
    const opaque = withoutWeak(etag)
    return ifNoneMatch.split(',').some((tag) => withoutWeak(tag.trim()) === opaque)
  }
  if (ifModifiedSince === undefined) return false
  const since = parseHTTPDate(ifModifiedSince)
  return since !== undefined && Math.floor(mtimeMs / 1000) * 1000 <= since
}

function withoutWeak(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}
