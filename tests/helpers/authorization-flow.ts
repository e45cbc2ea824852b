import { createHash, randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import { ISSUER } from './authorization-server.js'
import type { Send } from './http.js'

export const REDIRECT = 'https://app.example.com/callback'

/** A PKCE verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/** The query of an authorization request of the fixture's `web` client; `null` drops a field. */
export function authorizeQuery(
  challenge: string,
  changes: Record<string, string | string[] | null> = {},
): string {
  const fields: Record<string, string | string[] | null> = {
    response_type: 'code',
    client_id: 'web',
    redirect_uri: REDIRECT,
    scope: 'read write',
    state: 'state-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...changes,
  }
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(fields)) {
    if (value === null) continue
    for (const item of Array.isArray(value) ? value : [value]) query.append(name, item)
  }
  return query.toString()
}

/** The cookies a browser would keep, by name (only what the tests need: no paths or expiry). */
export class CookieJar {
  readonly cookies = new Map<string, string>()

  /** Keeps what `response` sets; a `Max-Age=0` deletes. */
  take(response: Response): this {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = decodeURIComponent(pair.slice(eq + 1).trim())
      if (/;\s*Max-Age=0/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return this
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}

/** The named hidden inputs of an HTML page. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[match[1] as string] = (match[2] as string)
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
  return fields
}

/** The query parameters of a redirect's `Location`. */
export function locationOf(response: Response): URL {
  const location = response.headers.get('location')
  expect(location).toEqual(expect.any(String))
  return new URL(location as string, 'https://auth.example.com')
}

/** A browser: sends with its cookies and keeps what comes back. */
export function browser(send: Send, jar = new CookieJar()) {
  const withCookies = (init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    if (jar.cookies.size > 0) headers.set('cookie', jar.header())
    return { ...init, headers }
  }
  return {
    jar,
    async get(path: string, init?: RequestInit): Promise<Response> {
      const response = await send(path, withCookies(init))
      jar.take(response)
      return response
    },
    async post(
      path: string,
      fields: Record<string, string | undefined>,
      headers: Record<string, string> = {},
    ): Promise<Response> {
      const body = new URLSearchParams()
      for (const [name, value] of Object.entries(fields))
        if (value !== undefined) body.append(name, value)
      const response = await send(
        path,
        withCookies({
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: body.toString(),
        }),
      )
      jar.take(response)
      return response
    },
  }
}

export type Browser = ReturnType<typeof browser>

/** What a browser sends with a form posted from the server's own pages (the POST checks it). */
export const SAME_ORIGIN = { origin: ISSUER, 'sec-fetch-site': 'same-origin' }

/** GET /authorize with `query`, then its login form posted with `credentials`: the login's answer. */
export async function signIn(
  b: Browser,
  query: string,
  credentials = { username: 'ada', password: 'ada-password' },
): Promise<Response> {
  const page = await b.get(`/authorize?${query}`)
  expect(page.status).toBe(200)
  const fields = hiddenFields(await page.text())
  expect(fields.step).toBe('login')
  return b.post('/authorize', { ...fields, ...credentials }, SAME_ORIGIN)
}
