import { BadRequestError } from '../errors/index.js'

/**
 * Fields that are singletons (RFC 9110): a request may carry each once. Web runtimes join repeated
 * fields with ", " and Node keeps only the first of these, so both engines join them the same way
 * and the readers below refuse what turns out to be two values.
 */
export const SINGLETON_HEADERS: ReadonlySet<string> = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
])

/** Split at commas outside quoted strings. */
function splitList(value: string): string[] {
  const parts: string[] = []
  let start = 0
  let quoted = false
  for (let i = 0; i < value.length; i++) {
    const char = value.charCodeAt(i)
    if (char === 0x5c && quoted) i++
    else if (char === 0x22) quoted = !quoted
    else if (char === 0x2c && !quoted) {
      parts.push(value.slice(start, i))
      start = i + 1
    }
  }
  parts.push(value.slice(start))
  return parts
}

const AUTH_PARAM = /^\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=/

/**
 * An `Authorization` value holds one set of credentials: `scheme token68` or `scheme` with
 * comma-separated `name=value` parameters (Digest). A comma followed by anything but a parameter
 * means two credentials were sent (two header lines, joined): refused, so no scheme ever picks one.
 */
export function singleCredentials(value: string | undefined): string | undefined {
  if (value === undefined || !value.includes(',')) return value
  const [, ...rest] = splitList(value)
  for (const part of rest)
    if (!AUTH_PARAM.test(part))
      throw new BadRequestError('More than one set of credentials in the Authorization header')
  return value
}

/** A `Content-Type` value names one media type; two (joined header lines) are refused. */
export function singleMediaType(value: string | undefined): string | undefined {
  if (value === undefined || !value.includes(',')) return value
  if (splitList(value).length > 1) throw new BadRequestError('More than one Content-Type')
  return value
}
