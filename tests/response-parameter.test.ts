import { request as httpRequest } from 'node:http'
import { Gatehouse, HTTPException, Query, type ResponseParameter } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from 'vitest'
import * as z from 'zod'
import { addTrustedHeaders } from '../src/core/run/response-parameter.js'
import { captureLogger, type Send, transports } from './helpers/http.js'

/**
 * `fetch` may not set `Host`, so over a real server the request goes through `node:http`, which
 * can: cookies are `Secure` unless the request is plain HTTP to localhost.
 */
async function sendWithHost(
  send: Send,
  path: string,
  method: string,
  host: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  const probe = await send('/whereami')
  const origin = probe.headers.get('x-origin')
  const headers = { host, ...extra }
  if (origin === null) return send(path, { method, headers })
  const url = new URL(path, origin)
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method, headers }, (incoming) => {
      const chunks: Buffer[] = []
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
      incoming.on('end', () => {
        const headers = new Headers()
        for (let i = 0; i < incoming.rawHeaders.length; i += 2)
          headers.append(incoming.rawHeaders[i] as string, incoming.rawHeaders[i + 1] as string)
        const status = incoming.statusCode ?? 0
        resolve(new Response(status === 204 ? null : Buffer.concat(chunks), { status, headers }))
      })
    })
    outgoing.on('error', reject)
    outgoing.end()
  })
}

const User = z.object({ username: z.string() })

function createApp() {
  const app = new Gatehouse({ logger: captureLogger() })
  // Tells a test which server it reached (`app.request` has no socket, so no local port).
  app.get('/whereami', { inputs: { request: Request } }, ({ request }) => {
    const url = new URL(request.url)
    return new Response(null, {
      headers: url.hostname === '127.0.0.1' ? { 'x-origin': url.origin } : {},
    })
  })
  app.post(
    '/login',
    { inputs: { response: Response }, response: User, status: 201 },
    ({ response }) => {
      expectTypeOf(response).toEqualTypeOf<ResponseParameter>()
      response.setCookie('session', 'abc 123')
      response.setCookie('theme', 'dark', { httpOnly: false, maxAge: 3600, sameSite: 'strict' })
      response.headers.set('x-request-id', 'r1')
      return { username: 'johndoe', hashed_password: 'never leaves' }
    },
  )
  app.post('/logout', { inputs: { response: Response } }, ({ response }) => {
    response.deleteCookie('session')
    response.status = 204
    return null
  })
  app.get(
    '/accepted',
    { inputs: { response: Response, fail: Query(z.boolean().default(false)) } },
    ({ response, fail }) => {
      response.status = 202
      response.headers.set('x-kept', 'no')
      response.setCookie('dropped', '1')
      if (fail) throw new HTTPException(418, { detail: 'teapot' })
      return { accepted: true }
    },
  )
  // The framework's own fixed headers (the token endpoints' no-store) skip the `Headers` object:
  // alone, beside cookies, and under what the handler sets, which wins.
  app.get(
    '/trusted',
    { inputs: { response: Response, with: Query(z.string().default('')) } },
    ({ response, with: extra }) => {
      response[addTrustedHeaders]({ 'cache-control': 'no-store', pragma: 'no-cache' })
      if (extra.includes('cookie')) response.setCookie('c', '1')
      if (extra.includes('header')) response.headers.set('Cache-Control', 'private')
      if (extra.includes('more')) response[addTrustedHeaders]({ 'x-more': 'yes' })
      return { ok: true }
    },
  )
  return app
}

describe.each(transports)('the response parameter ($name)', (transport) => {
  let send: Send
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ send, close } = await transport.open(createApp()))
  })
  afterAll(() => close())

  test('sets cookies and headers while the response model still validates and strips', async () => {
    const response = await sendWithHost(send, '/login', 'POST', 'api.example.com')
    expect(response.status).toBe(201)
    expect(await response.json()).toEqual({ username: 'johndoe' })
    expect(response.headers.get('x-request-id')).toBe('r1')
    expect(response.headers.getSetCookie()).toEqual([
      'session=abc%20123; Path=/; HttpOnly; Secure; SameSite=Lax',
      'theme=dark; Path=/; Max-Age=3600; Secure; SameSite=Strict',
    ])
  })

  test("fixed headers of the framework go out alone, beside cookies, and under the handler's", async () => {
    const alone = await send('/trusted')
    expect(alone.headers.get('cache-control')).toBe('no-store')
    expect(alone.headers.get('pragma')).toBe('no-cache')
    expect(alone.headers.get('content-type')).toBe('application/json')
    expect(await alone.json()).toEqual({ ok: true })
    const withCookie = await send('/trusted?with=cookie,more')
    expect(withCookie.headers.get('cache-control')).toBe('no-store')
    expect(withCookie.headers.get('x-more')).toBe('yes')
    expect(withCookie.headers.getSetCookie()).toHaveLength(1)
    const overridden = await send('/trusted?with=header')
    expect(overridden.headers.get('cache-control')).toBe('private')
    expect(overridden.headers.get('pragma')).toBe('no-cache')
  })

  test('cookies are not Secure by default only for plain HTTP to localhost', async () => {
    const response = await sendWithHost(send, '/login', 'POST', 'localhost:8000')
    expect(response.headers.getSetCookie()[0]).toBe(
      'session=abc%20123; Path=/; HttpOnly; SameSite=Lax',
    )
  })

  test('plain HTTP to localhost through a proxy that says so (X-Forwarded-Proto, Forwarded) is Secure', async () => {
    for (const extra of [{ 'x-forwarded-proto': 'https' }, { forwarded: 'proto=https' }]) {
      const response = await sendWithHost(send, '/login', 'POST', '127.0.0.1:8000', extra)
      expect(response.headers.getSetCookie()[0]).toBe(
        'session=abc%20123; Path=/; HttpOnly; Secure; SameSite=Lax',
      )
    }
  })

  test('without a Host header of its own, the request URL names the host: localhost is not Secure', async () => {
    // In-process `http://localhost/login` (no Host header); over HTTP fetch sends `127.0.0.1:port`.
    const response = await send('/login', { method: 'POST' })
    expect(response.headers.getSetCookie()[0]).toBe(
      'session=abc%20123; Path=/; HttpOnly; SameSite=Lax',
    )
  })

  test('a cookie is deleted with Max-Age=0 and the status set to 204 sends no body', async () => {
    const response = await sendWithHost(send, '/logout', 'POST', 'api.example.com')
    expect(response.status).toBe(204)
    expect(await response.text()).toBe('')
    expect(response.headers.getSetCookie()).toEqual([
      'session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax',
    ])
  })

  test('the status overrides the route default; an error answer drops what was set', async () => {
    const ok = await send('/accepted')
    expect(ok.status).toBe(202)
    expect(ok.headers.get('x-kept')).toBe('no')
    const failed = await send('/accepted?fail=true')
    expect(failed.status).toBe(418)
    expect(failed.headers.get('x-kept')).toBeNull()
    expect(failed.headers.getSetCookie()).toEqual([])
  })
})

describe('setCookie', () => {
  test('refuses names that are not tokens, attributes with ";", and SameSite=None without Secure', async () => {
    const app = new Gatehouse({ logger: captureLogger() })
    const attempts = [
      (r: ResponseParameter) => r.setCookie('a b', 'x'),
      (r: ResponseParameter) => r.setCookie('a', 'x', { path: '/; Secure' }),
      (r: ResponseParameter) => r.setCookie('a', 'x', { sameSite: 'none', secure: false }),
      // Cookie prefixes browsers enforce (RFC 6265bis §4.1.3).
      (r: ResponseParameter) => r.setCookie('__Secure-id', 'x', { secure: false }),
      (r: ResponseParameter) => r.setCookie('__Host-id', 'x', { domain: 'example.com' }),
      (r: ResponseParameter) => r.setCookie('__Host-id', 'x', { path: '/app' }),
      // `Expires=Invalid Date` would reach the browser.
      (r: ResponseParameter) => r.setCookie('a', 'x', { expires: new Date('not a date') }),
    ]
    for (const [index, attempt] of attempts.entries()) {
      app.get(`/bad${index}`, { inputs: { response: Response } }, ({ response }) => {
        expect(() => attempt(response)).toThrow(TypeError)
        return 'checked'
      })
    }
    for (let i = 0; i < attempts.length; i++)
      expect(await (await app.request(`/bad${i}`)).json()).toBe('checked')
  })
})

describe.each(transports)('cookie prefixes ($name)', (transport) => {
  test('__Host- and __Secure- cookies are Secure even on plain HTTP to localhost', async () => {
    const app = new Gatehouse()
    app.post('/prefixed', { inputs: { response: Response } }, ({ response }) => {
      response.setCookie('__Host-session', 'a')
      response.setCookie('__Secure-theme', 'b')
      return null
    })
    const { send, close } = await transport.open(app)
    try {
      const response = await send('/prefixed', { method: 'POST' })
      expect(response.headers.getSetCookie()).toEqual([
        '__Host-session=a; Path=/; HttpOnly; Secure; SameSite=Lax',
        '__Secure-theme=b; Path=/; HttpOnly; Secure; SameSite=Lax',
      ])
    } finally {
      await close()
    }
  })
})
