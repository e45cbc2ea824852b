import type { ChildProcess } from 'node:child_process'
import { dependency, serve } from 'gatehouse'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { createItemsApp } from '../examples/items/app.js'
import { type Send, transports } from './helpers/http.js'
import { killLeftovers, listeningURL, startScript } from './helpers/npm-script.js'
import { until } from './helpers/until.js'

const FRONT = 'http://localhost:5173'

describe.each(transports)('the items example’s framework features ($name)', (transport) => {
  let fixture: ReturnType<typeof createItemsApp>
  let send: Send
  let close: () => Promise<void>
  beforeAll(async () => {
    fixture = createItemsApp()
    ;({ send, close } = await transport.open(fixture.app))
  })
  afterAll(() => close())
  beforeEach(() => {
    fixture.audit.length = 0
    fixture.app.dependencyOverrides.clear()
  })

  test('CORS: a preflight from the front end is answered, a foreign origin refused', async () => {
    const preflight = await send('/items/', {
      method: 'OPTIONS',
      headers: {
        origin: FRONT,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(FRONT)
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true')
    const foreign = await send('/items/', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(foreign.status).toBe(403)
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
    const actual = await send('/items/1', { headers: { origin: FRONT } })
    expect(actual.headers.get('access-control-allow-origin')).toBe(FRONT)
    expect(actual.headers.get('access-control-expose-headers')).toBe('WWW-Authenticate')
  })

  test('a cookie set through the response parameter, next to a stripping response model', async () => {
    const response = await send('/items/1/favorite', { method: 'POST' })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ id: 1, name: 'Foo', price: 50.2 })
    const [cookie] = response.headers.getSetCookie()
    expect(cookie).toMatch(
      /^favorite=1; Path=\/; Max-Age=2592000; HttpOnly; (Secure; )?SameSite=Lax$/,
    )
    const favorite = await send('/items/favorite', { headers: { cookie: 'favorite=1' } })
    expect(await favorite.json()).toEqual({ id: 1, name: 'Foo', price: 50.2 })
    expect(await (await send('/items/favorite')).json()).toBeNull()
  })

  test('the exception handler answers the domain error with its id', async () => {
    const response = await send('/items/1234')
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({ detail: 'Item not found', item_id: 1234 })
    expect((await send('/items/1234/favorite', { method: 'POST' })).status).toBe(404)
  })

  test('a background task writes the audit entry after the response', async () => {
    const response = await send('/items/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Lamp', price: 12 }),
    })
    expect(response.status).toBe(201)
    const { id } = await response.json()
    await until(() => fixture.audit.length > 0)
    expect(fixture.audit).toEqual([`created item ${id}`])
  })

  test('the database is opened by the lifespan, and a dependency can be overridden in tests', async () => {
    expect(fixture.lifecycle).toEqual(['connect'])
    fixture.app.dependencyOverrides.set(
      fixture.getDB,
      dependency({}, () => new Map([[7, { id: 7, name: 'Fake', price: 1, internal_note: 'x' }]])),
    )
    expect(await (await send('/items/')).json()).toEqual([{ id: 7, name: 'Fake', price: 1 }])
  })

  test('static files are served from the public folder, never outside it', async () => {
    const page = await send('/static/index.html')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await page.text()).toContain('<h1>Items</h1>')
    for (const path of ['/static/..%2fapp.ts', '/static/%2e%2e/app.ts', '/static/.hidden']) {
      expect((await send(path)).status, path).toBe(404)
    }
  })
})

describe('the items example’s lifespan', () => {
  test('serve() connects before listening and disconnects on close; requests after that are 503', async () => {
    const { app, lifecycle } = createItemsApp()
    const server = await serve(app, { port: 0, signals: false })
    expect(lifecycle).toEqual(['connect'])
    expect((await fetch(`${server.url}/items/1`)).status).toBe(200)
    await server.close()
    expect(lifecycle).toEqual(['connect', 'disconnect'])
    const late = await app.request('/items/1')
    expect(late.status).toBe(503)
    expect(late.headers.get('retry-after')).toBe('1')
  })
})

describe('npm run start:items', { timeout: 90_000 }, () => {
  let child: ChildProcess | undefined
  afterAll(() => {
    if (child !== undefined) killLeftovers(child)
  })

  test('serves the example, with its docs, and shuts down on SIGTERM', async () => {
    const started = await startScript(
      'start:items',
      { PORT: '0', HOST: '127.0.0.1', ROOT_PATH: '/shop' },
      listeningURL,
      60_000,
    )
    child = started.child
    const url = started.ready
    expect(await (await fetch(`${url}/items/2`)).json()).toMatchObject({ id: 2, name: 'Bar' })
    const document = await (await fetch(`${url}/openapi.json`)).json()
    expect(document.servers).toEqual([{ url: '/shop' }])
    const exited = new Promise<[number | null, string | null]>((resolve) =>
      child?.once('exit', (code, signal) => resolve([code, signal])),
    )
    process.kill(-(child.pid as number), 'SIGTERM')
    // npm itself dies of the signal; the server closes gracefully and exits 0.
    const [code, signal] = await exited
    expect(code === 0 || signal === 'SIGTERM').toBe(true)
    expect(started.output()).not.toMatch(/Error/)
  })
})
