/** Limits on one request to an issuer (JWKS, metadata, introspection). */
export interface FetchLimits {
  /** Milliseconds for the whole exchange, body included. */
  readonly timeout: number
  /** Largest accepted body in bytes; a larger one is cut off and refused. */
  readonly maxBytes: number
  readonly fetch: typeof fetch
}

/** Why a request to an issuer gave nothing usable. Its message never holds a token or a secret. */
export class FetchFailure extends Error {
  override readonly name = 'FetchFailure'
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined

  constructor(message: string, status?: number) {
    super(message)
    this.status = status
  }
}

/**
 * Fetches a JSON object with a deadline and a size limit, following no redirect (a key source that
 * moves is reconfigured, not followed). Throws {@link FetchFailure} for a network error, a timeout,
 * a status other than 200, an oversized body or anything but a JSON object.
 */
export async function fetchJSON(
  url: URL,
  init: RequestInit,
  limits: FetchLimits,
): Promise<Record<string, unknown>> {
  const signal = AbortSignal.timeout(limits.timeout)
  let response: Response
  try {
    // `manual`, not `error`: a redirect is then refused as what it is, not as a network error.
    response = await limits.fetch(url, { ...init, signal, redirect: 'manual' })
  } catch (error) {
    throw new FetchFailure(signal.aborted ? 'timed out' : `failed (${describe(error)})`)
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => {})
    // A spec-style `fetch` (an app's own) gives a redirect as an opaque one, with status 0.
    if (response.type === 'opaqueredirect')
      throw new FetchFailure('answered a redirect (not followed)')
    const redirected = response.status >= 300 && response.status < 400
    throw new FetchFailure(
      `answered ${response.status}${redirected ? ', a redirect (not followed)' : ''}`,
      response.status,
    )
  }
  const text = await readLimited(response, limits.maxBytes, signal)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new FetchFailure('answered something that is not JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FetchFailure('answered JSON that is not an object')
  return value as Record<string, unknown>
}

async function readLimited(response: Response, maxBytes: number, signal: AbortSignal) {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {})
    throw new FetchFailure(`answered more than ${maxBytes} bytes`)
  }
  const reader = response.body?.getReader()
  if (reader === undefined) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) {
        await reader.cancel().catch(() => {})
        throw new FetchFailure(`answered more than ${maxBytes} bytes`)
      }
      chunks.push(value)
    }
  } catch (error) {
    if (error instanceof FetchFailure) throw error
    throw new FetchFailure(signal.aborted ? 'timed out' : 'broke off its answer')
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new FetchFailure('answered something that is not UTF-8')
  }
}

/**
 * What a failed fetch of `url` for `what` was, fit for a log: the URL without its query (which may
 * carry a key) and the failure's own short description.
 */
export function fetchFailureOf(what: string, url: URL, error: unknown): Error {
  const detail = error instanceof Error ? error.message : 'failed'
  return new Error(`${what} ${url.origin}${url.pathname}: ${detail}`)
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause
  return typeof cause?.code === 'string' ? cause.code : 'network error'
}

/**
 * Checks an issuer URL given in code: absolute, `https:` (or `http:` on a loopback host, or anywhere
 * with `allowHTTP`), no credentials or fragment. Throws a `TypeError` naming `option`.
 */
export function issuerURL(value: unknown, option: string, allowHTTP: boolean): URL {
  let url: URL
  try {
    url = new URL(value instanceof URL ? value.href : (value as string))
  } catch {
    throw new TypeError(`${option} must be an absolute URL`)
  }
  if (typeof value !== 'string' && !(value instanceof URL))
    throw new TypeError(`${option} must be an absolute URL`)
  const secure =
    url.protocol === 'https:' || (url.protocol === 'http:' && (allowHTTP || isLoopback(url)))
  if (!secure)
    throw new TypeError(
      `${option} must use https: (http: only on a loopback host or with allowHTTP: true)`,
    )
  if (url.username !== '' || url.password !== '' || url.hash !== '')
    throw new TypeError(`${option} must not carry credentials or a fragment`)
  return url
}

function isLoopback(url: URL): boolean {
  const host = url.hostname
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
}
