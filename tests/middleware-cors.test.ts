import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type CORSOptions,
  cors,
  Gatehouse,
  HTTPException,
  OAuth2PasswordBearer,
  Query,
  staticFiles,
} from 'gatehouse'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { createMiddlewareApp, publicFolder } from '../examples/middleware/app.js'
import { withBrowser } from './helpers/chromium.js'
import { captureLogger, type Send, startServer, transports } from './helpers/http.js'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example'

/** An API behind `cors()`, counting how often each route really ran. */
function createAPI(options: CORSOptions) {
  const logger = captureLogger()
  const calls: string[] = []
  const app = new Gatehouse({ openapiUrl: null, logger })
  app.use(cors(options))
  const oauth2 = new OAuth2PasswordBearer({ tokenUrl: '/token' })
  app.get('/items', {}, () => {
    calls.push('GET /items')
    return [{ id: 1 }]
  })
  app.put('/items', {}, () => {
    calls.push('PUT /items')
    return { updated: true }
  })
  app.get('/me', { inputs: { token: oauth2 } }, ({ token }) => ({ token }))
  app.get('/search', { inputs: { q: Query(z.string().min(3)) } }, ({ q }) => ({ q }))
  app.get('/teapot', {}, () => {
    throw new HTTPException(418)
  })
  app.get('/boom', {}, () => {
    throw new Error('database password in here')
  })
  app.get('/own-vary', {}, () => new Response('x', { headers: { vary: 'Accept-Encoding' } }))
  return { app, calls, logger }
}

const preflight = (origin: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': 'PUT', ...headers },
})

const corsHeaders = (res: Response) =>
  Object.fromEntries([...res.headers].filter(([name]) => name.startsWith('access-control-')))

describe.each(transports)('cors with a list of origins and credentials ($name)', (transport) => {
  const { app, calls, logger } = createAPI({
    origin: [APP, 'http://localhost:5173'],
    credentials: true,
    exposeHeaders: ['WWW-Authenticate'],
  })
  let send: Send
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ send, close } = await transport.open(app))
  })
  afterAll(() => close())

  test('a preflight is answered before routing, echoing the asked headers', async () => {
    calls.length = 0
    const res = await send(
      '/items',
      preflight(APP, { 'access-control-request-headers': 'Authorization, X-Trace' }),
    )
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, HEAD, PUT, PATCH, POST, DELETE',
      'access-control-allow-headers': 'Authorization, X-Trace',
      'access-control-max-age': '600',
    })
    expect(res.headers.get('vary')).toBe(
      'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    )
    expect(calls).toEqual([])
  })

  test('a preflight for a path with no route (or no OPTIONS route) is still answered', async () => {
    const res = await send('/not/a/route', preflight('http://localhost:5173'))
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
    expect(res.headers.has('access-control-allow-headers')).toBe(false)
  })

  test('a preflight from a disallowed origin: 403, no CORS headers, the route never runs', async () => {
    calls.length = 0
    const res = await send('/items', preflight(EVIL, { 'access-control-request-headers': 'x-a' }))
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ detail: 'CORS: this origin may not call this API' })
    expect(corsHeaders(res)).toEqual({})
    expect(res.headers.get('vary')).toContain('Origin')
    expect(calls).toEqual([])
  })

  test.each([
    ['a lookalike with a path', `${APP}/`],
    ['another scheme', 'http://app.example.com'],
    ['another port', 'https://app.example.com:8443'],
    ['a suffix', 'https://app.example.com.evil.example'],
    ['the null origin', 'null'],
    ['different case', 'https://APP.example.com'],
  ])('a preflight from %s is refused', async (_, origin) => {
    const res = await send('/items', preflight(origin))
    expect(res.status).toBe(403)
    expect(res.headers.has('access-control-allow-origin')).toBe(false)
  })

  test('asked headers that are not header names are not echoed', async () => {
    for (const asked of ['x-a, bad header', 'x-a;x-b', ',', 'x-\u00e9']) {
      const res = await send('/items', preflight(APP, { 'access-control-request-headers': asked }))
      expect(res.status).toBe(204)
      expect(res.headers.has('access-control-allow-headers')).toBe(false)
    }
  })

  test('an actual request gets the origin, credentials, exposed headers and Vary', async () => {
    const res = await send('/items', { headers: { origin: APP } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([{ id: 1 }])
    expect(corsHeaders(res)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'WWW-Authenticate',
    })
    expect(res.headers.get('vary')).toBe('Origin')
  })

  test('a disallowed origin gets the answer without CORS headers (the browser hides it)', async () => {
    const res = await send('/items', { headers: { origin: EVIL } })
    expect(res.status).toBe(200)
    expect(corsHeaders(res)).toEqual({})
    expect(res.headers.get('vary')).toBe('Origin')
  })

  test('no Origin (same-origin or not a browser): no CORS headers, still Vary: Origin', async () => {
    const res = await send('/items')
    expect(corsHeaders(res)).toEqual({})
    expect(res.headers.get('vary')).toBe('Origin')
  })

  test('an OPTIONS request that is not a preflight is routed (405) and decorated', async () => {
    const res = await send('/items', { method: 'OPTIONS', headers: { origin: APP } })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, HEAD, PUT')
    expect(res.headers.get('access-control-allow-origin')).toBe(APP)
  })

  test('error answers carry CORS headers: 401 with a readable challenge, 404, 418, 422, 500', async () => {
    const unauthorized = await send('/me', { headers: { origin: APP } })
    expect(unauthorized.status).toBe(401)
    expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer')
    expect(unauthorized.headers.get('access-control-expose-headers')).toBe('WWW-Authenticate')
    logger.calls.length = 0
    for (const [path, status] of [
      ['/me', 401],
      ['/nowhere', 404],
      ['/teapot', 418],
      ['/search?q=a', 422],
      ['/boom', 500],
    ] as const) {
      const res = await send(path, { headers: { origin: APP } })
      expect(res.status).toBe(status)
      expect(res.headers.get('access-control-allow-origin')).toBe(APP)
      expect(res.headers.get('access-control-allow-credentials')).toBe('true')
      expect(res.headers.get('vary')).toBe('Origin')
      expect(await res.text()).not.toContain('password')
    }
    expect(logger.calls).toHaveLength(1)
  })

  test("Origin is added to a route's own Vary once", async () => {
    const res = await send('/own-vary', { headers: { origin: APP } })
    expect(res.headers.get('vary')).toBe('Accept-Encoding, Origin')
  })
})

describe.each(transports)('cors with other origin settings ($name)', (transport) => {
  const open = async (options: CORSOptions) => {
    const { app } = createAPI(options)
    return transport.open(app)
  }

  test("origin '*': `*` for everyone, no credentials, no Vary needed", async () => {
    const { send, close } = await open({ origin: '*', exposeHeaders: '*' })
    try {
      const res = await send('/items', { headers: { origin: EVIL } })
      expect(corsHeaders(res)).toEqual({
        'access-control-allow-origin': '*',
        'access-control-expose-headers': '*',
      })
      expect(res.headers.has('vary')).toBe(false)
      const pre = await send('/items', preflight(EVIL))
      expect(pre.status).toBe(204)
      expect(pre.headers.get('access-control-allow-origin')).toBe('*')
      expect(pre.headers.has('access-control-allow-credentials')).toBe(false)
    } finally {
      await close()
    }
  })

  test('a RegExp, a predicate, configured methods, headers and maxAge', async () => {
    const regexp = await open({
      origin: /^https:\/\/[a-z0-9-]+\.example\.com$/,
      allowMethods: ['GET', 'PUT'],
      allowHeaders: ['Authorization'],
      maxAge: 7200,
    })
    const predicate = await open({
      origin: (origin) => origin.endsWith('.trusted.test'),
      allowMethods: '*',
    })
    try {
      const pre = await regexp.send('/items', preflight('https://preview-1.example.com'))
      expect(corsHeaders(pre)).toEqual({
        'access-control-allow-origin': 'https://preview-1.example.com',
        'access-control-allow-methods': 'GET, PUT',
        // The four a browser may send on any request are always listed, as Starlette lists them.
        'access-control-allow-headers':
          'Authorization, Accept, Accept-Language, Content-Language, Content-Type',
        'access-control-max-age': '7200',
      })
      // A method or a header the lists leave out is refused, saying which, as Starlette does.
      const method = await regexp.send('/items', {
        method: 'OPTIONS',
        headers: {
          origin: 'https://preview-1.example.com',
          'access-control-request-method': 'DELETE',
        },
      })
      expect(method.status).toBe(403)
      expect(corsHeaders(method)).toEqual({})
      expect(await method.json()).toEqual({ detail: 'CORS: this method may not be used here' })
      const header = await regexp.send(
        '/items',
        preflight('https://preview-1.example.com', {
          'access-control-request-headers': 'authorization,content-type,x-trace',
        }),
      )
      expect(header.status).toBe(403)
      expect(await header.json()).toEqual({
        detail: 'CORS: these request headers may not be sent: x-trace',
      })
      // Listed ones in any case, safelisted ones, and a safelisted method, unlisted, pass.
      for (const [asked, headers] of [
        ['PUT', 'AUTHORIZATION, Content-Type, accept'],
        ['POST', 'authorization'],
      ] as const) {
        const ok = await regexp.send('/items', {
          method: 'OPTIONS',
          headers: {
            origin: 'https://preview-1.example.com',
            'access-control-request-method': asked,
            'access-control-request-headers': headers,
          },
        })
        expect(ok.status, asked).toBe(204)
      }
      expect(
        (await regexp.send('/items', preflight('https://a.example.com.evil.test'))).status,
      ).toBe(403)
      const echoed = await predicate.send('/items', {
        method: 'OPTIONS',
        headers: { origin: 'https://x.trusted.test', 'access-control-request-method': 'PURGE' },
      })
      expect(echoed.headers.get('access-control-allow-methods')).toBe('PURGE')
      const refused = await predicate.send('/items', { headers: { origin: EVIL } })
      expect(refused.headers.has('access-control-allow-origin')).toBe(false)
    } finally {
      await regexp.close()
      await predicate.close()
    }
  })

  test('a RegExp must match the whole origin, even when a branch of it is not anchored', async () => {
    // Anchored at both ends, yet `^a|b$` leaves each branch open on one side.
    const branches = await open({
      origin: /^https:\/\/app\.example\.com|https:\/\/admin\.example\.com$/,
      credentials: true,
    })
    try {
      for (const origin of ['https://app.example.com', 'https://admin.example.com']) {
        const allowed = await branches.send('/items', preflight(origin))
        expect(allowed.headers.get('access-control-allow-origin')).toBe(origin)
      }
      for (const origin of [
        'https://app.example.com.evil.test',
        'https://evil.test/https://admin.example.com',
      ]) {
        const refused = await branches.send('/items', preflight(origin))
        expect(refused.status, origin).toBe(403)
        expect(refused.headers.has('access-control-allow-origin')).toBe(false)
        expect(refused.headers.has('access-control-allow-credentials')).toBe(false)
      }
    } finally {
      await branches.close()
    }
  })
})

describe('cors set-up mistakes are TypeErrors naming the option', () => {
  test.each([
    [{ origin: '*', credentials: true }, '`origin: "*"` cannot be used with `credentials: true`'],
    [{ origin: `${APP}/` }, 'write "https://app.example.com"'],
    [{ origin: 'https://app.example.com/path' }, 'is not what browsers send'],
    [{ origin: 'app.example.com' }, 'is not an origin'],
    [{ origin: [] }, '`origin` lists no origin'],
    [{ origin: [APP, '*'] }, 'cannot be one entry of an `origin` list'],
    [{ origin: `${APP},https://b.example` }, 'give several origins as a list'],
    [{ origin: 'null' }, 'the "null" origin'],
    [{ origin: /app\.example\.com/ }, 'must be anchored'],
    [{ origin: /^https:\/\/a\.test$/g }, 'must not have the g or y flag'],
    [{ origin: 42 }, '`origin` must be'],
    [{ origin: APP, credentials: 'yes' }, '`credentials` must be a boolean'],
    [{ origin: APP, maxAge: -1 }, '`maxAge` must be a non-negative integer'],
    [{ origin: APP, allowHeaders: ['x a'] }, '`allowHeaders` has an entry'],
    [{ origin: APP, allowMethods: 'GET' }, '`allowMethods` must be a list'],
    [{ origin: APP, credentials: true, exposeHeaders: '*' }, '`exposeHeaders: "*"`'],
    [{ origin: APP, origins: [APP] }, 'unknown option `origins`'],
    [{ origin: APP, credentials: true, exposeHeaders: ['*'] }, '`exposeHeaders` lists "*"'],
    [{ origin: APP, credentials: true, allowHeaders: ['*'] }, '`allowHeaders` lists "*"'],
    [{ origin: APP, allowMethods: ['GET', '*'] }, '`allowMethods` lists "*"'],
  ])('%j', (options, message) => {
    expect(() => cors(options as unknown as CORSOptions)).toThrow(TypeError)
    expect(() => cors(options as unknown as CORSOptions)).toThrow(message)
  })

  test('no options at all', () => {
    expect(() => cors(undefined as unknown as CORSOptions)).toThrow(TypeError)
  })
})

// The real proof: Chromium enforcing CORS between two ports of 127.0.0.1 (two origins, one site).
// Pages are opened without `openPage`: Playwright answers every preflight itself (204, allow all)
// whenever request interception is on, which would make this test prove nothing. The browser is
// still fenced by `--host-resolver-rules` (only 127.0.0.1 and localhost resolve).
describe('cors in Chromium (the example app)', () => {
  /** Serve the example API on a plain node:http server that logs every request it receives. */
  async function serveLogged(app: ReturnType<typeof createMiddlewareApp>) {
    const received: string[] = []
    const listener = app.nodeListener()
    const server = createServer((incoming, outgoing) => {
      received.push(`${incoming.method} ${incoming.url}`)
      listener(incoming, outgoing)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const close = () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
    return { url, received, close }
  }

  async function visit(browser: Browser, url: string) {
    const context = await browser.newContext()
    const page = await context.newPage()
    const consoleErrors: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    await page.goto(url)
    return { page, consoleErrors, close: () => context.close() }
  }

  test('an allowed page reads answers with credentials and the 401 challenge; another is blocked', {
    timeout: 90_000,
  }, async () => {
    const front = await startServer(staticFiles(publicFolder))
    const stranger = await startServer(staticFiles(publicFolder))
    const api = await serveLogged(createMiddlewareApp({ allowedOrigins: [front.url] }))
    try {
      await withBrowser(async (browser) => {
        const allowed = await visit(browser, `${front.url}/`)
        expect(await allowed.page.title()).toBe('Gatehouse front end')
        const seen = await allowed.page.evaluate(async (base) => {
          const signIn = await fetch(`${base}/session`, { method: 'POST', credentials: 'include' })
          const session = await fetch(`${base}/session`, { credentials: 'include' })
          const me = await fetch(`${base}/users/me`, {
            credentials: 'include',
            headers: { Authorization: 'Bearer wrong-token' },
          })
          const ok = await fetch(`${base}/users/me`, {
            headers: { Authorization: 'Bearer demo-token' },
          })
          const report = await fetch(`${base}/report`, { credentials: 'include' })
          return {
            signIn: [signIn.status, await signIn.json()],
            session: await session.json(),
            me: [me.status, me.headers.get('www-authenticate'), me.headers.get('vary')],
            ok: await ok.json(),
            report: (await report.json()).rows.length,
          }
        }, api.url)
        expect(seen).toEqual({
          signIn: [200, { signedIn: true }],
          // The cookie set by a cross-origin answer came back: credentials work both ways.
          session: { session: 'demo-session' },
          // Exposed, so readable; Vary was sent too but is not exposed, so the browser hides it.
          me: [401, 'Bearer error="invalid_token"', null],
          ok: { username: 'johndoe' },
          report: 200,
        })
        // The Authorization header made Chromium ask first; our server answered that preflight.
        expect(api.received).toContain('OPTIONS /users/me')
        expect(allowed.consoleErrors.join('\n')).not.toContain('CORS policy')
        await allowed.close()

        api.received.length = 0
        const blocked = await visit(browser, `${stranger.url}/`)
        const failures = await blocked.page.evaluate(async (base) => {
          const outcome = (request: Promise<Response>) =>
            request.then(
              (res) => `read ${res.status}`,
              (error: Error) => error.name,
            )
          return [
            await outcome(fetch(`${base}/session`, { credentials: 'include' })),
            await outcome(
              fetch(`${base}/users/me`, { headers: { Authorization: 'Bearer demo-token' } }),
            ),
          ]
        }, api.url)
        expect(failures).toEqual(['TypeError', 'TypeError'])
        expect(blocked.consoleErrors.join('\n')).toContain('CORS policy')
        // The simple GET reached the server (CORS only hides its answer); for the other, only the
        // refused preflight did, never the request itself.
        expect(api.received).toEqual(['GET /session', 'OPTIONS /users/me'])
        await blocked.close()
      })
    } finally {
      await api.close()
      await front.close()
      await stranger.close()
    }
  })
})
