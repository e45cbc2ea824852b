/**
 * Read access to the parts of a request that inputs and security schemes look at. Everything is
 * parsed lazily and at most once per request.
 */
export interface RequestView {
  readonly request: Request
  /** A header value, or `undefined`. Names are case-insensitive. */
  header(name: string): string | undefined
  /** The last value of a query parameter, or `undefined`. */
  query(name: string): string | undefined
  /** Every value of a query parameter, in order. */
  queryAll(name: string): string[]
  /** A cookie value, or `undefined`. */
  cookie(name: string): string | undefined
}

/** The per-request implementation of {@link RequestView}. */
export class LazyRequestView implements RequestView {
  readonly request: Request
  #search: URLSearchParams | undefined
  #cookies: Map<string, string> | undefined

  constructor(request: Request) {
    this.request = request
  }

  header(name: string): string | undefined {
    return this.request.headers.get(name) ?? undefined
  }

  get searchParams(): URLSearchParams {
    if (this.#search === undefined) {
      const url = this.request.url
      const start = url.indexOf('?')
      const end = url.indexOf('#', start)
      this.#search = new URLSearchParams(
        start < 0 ? '' : url.slice(start + 1, end < 0 ? undefined : end),
      )
    }
    return this.#search
  }

  query(name: string): string | undefined {
    const all = this.searchParams.getAll(name)
    return all.length === 0 ? undefined : all[all.length - 1]
  }

  queryAll(name: string): string[] {
    return this.searchParams.getAll(name)
  }

  cookie(name: string): string | undefined {
    if (this.#cookies === undefined) this.#cookies = parseCookies(this.header('cookie'))
    return this.#cookies.get(name)
  }
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>()
  if (!header) return cookies
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const name = part.slice(0, eq).trim()
    let value = part.slice(eq + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1)
    if (!name || cookies.has(name)) continue
    try {
      cookies.set(name, decodeURIComponent(value))
    } catch {
      cookies.set(name, value)
    }
  }
  return cookies
}
