import { cors } from 'gatehouse'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import {
  basic,
  type Fixture,
  matrix,
  openFixture,
  postForm,
} from './helpers/authorization-server.js'

// A browser client on another origin (a single-page app, a browser MCP client) calls the
// metadata, the token endpoint and registration with fetch: the app's `cors()` middleware
// answers the preflights and marks every answer of the server, errors included.
const SPA = 'https://spa.example.com'

describe.each(matrix)('the authorization server behind cors() ($name)', ({ transport, store }) => {
  let f: Fixture
  beforeEach(async () => {
    f = await openFixture(transport, store, { registration: { scopes: ['read'] } }, (app) => {
      app.use(cors({ origin: [SPA], exposeHeaders: ['WWW-Authenticate', 'Retry-After'] }))
    })
  })
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })

  test.each([
    ['/token', 'POST'],
    ['/revoke', 'POST'],
    ['/register', 'POST'],
    ['/.well-known/oauth-authorization-server', 'GET'],
  ])('a preflight for %s is allowed for the listed origin only', async (path, method) => {
    const preflight = (origin: string) =>
      f.send(path, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': method,
          'access-control-request-headers': 'authorization, content-type',
        },
      })
    const allowed = await preflight(SPA)
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SPA)
    expect(allowed.headers.get('access-control-allow-methods')).toContain(method)
    expect(allowed.headers.get('access-control-allow-headers')).toBe('authorization, content-type')
    const refused = await preflight('https://evil.example')
    expect(refused.status).toBe(403)
    expect(refused.headers.get('access-control-allow-origin')).toBeNull()
  })

  test('tokens, and the errors a browser client must read, carry the CORS headers', async () => {
    const request = (secret: string) =>
      postForm(
        f.send,
        '/token',
        { grant_type: 'client_credentials' },
        { authorization: basic('service', secret), origin: SPA },
      )
    const issued = await request(f.secrets.service)
    expect(issued.status).toBe(200)
    expect(issued.headers.get('access-control-allow-origin')).toBe(SPA)
    expect(issued.headers.get('cache-control')).toBe('no-store')

    const refused = await request('wrong')
    expect(refused.status).toBe(401)
    expect((await refused.json()).error).toBe('invalid_client')
    expect(refused.headers.get('access-control-allow-origin')).toBe(SPA)
    expect(refused.headers.get('access-control-expose-headers')).toBe(
      'WWW-Authenticate, Retry-After',
    )
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic realm=/)

    const metadata = await f.send('/.well-known/oauth-authorization-server', {
      headers: { origin: SPA },
    })
    expect(metadata.headers.get('access-control-allow-origin')).toBe(SPA)
    const other = await f.send('/.well-known/oauth-authorization-server', {
      headers: { origin: 'https://evil.example' },
    })
    expect(other.status).toBe(200)
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })
})
