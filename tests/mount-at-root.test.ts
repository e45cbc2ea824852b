import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Gatehouse, type Middleware, Path, staticFiles } from 'gatehouse'
import { afterAll, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { describeEachEngine, serveThrough } from './helpers/http.js'

/** A built single-page app: what FastAPI serves with `app.mount("/", StaticFiles(..., html=True))`. */
const folder = mkdtempSync(join(tmpdir(), 'gatehouse-spa-'))
mkdirSync(join(folder, 'assets'))
writeFileSync(join(folder, 'index.html'), '<h1>spa</h1>')
writeFileSync(join(folder, 'assets', 'app.js'), 'start()')
afterAll(() => rmSync(folder, { recursive: true, force: true }))

function createSite() {
  const seen: string[] = []
  const tracing: Middleware = async (ctx, next) => {
    seen.push(ctx.request.path)
    await next()
    ctx.setHeader('x-traced', String(ctx.status))
  }
  const admin = new Gatehouse({ openapiUrl: null })
  admin.get('/', {}, () => ({ admin: true }))
  const app = new Gatehouse({ title: 'Site' })
  app.use(tracing)
  app.get('/api/items', {}, () => ['a'])
  app.post('/api/form', {}, () => ({ posted: true }))
  // Mounted before the routes and mount below: it still comes after them.
  app.mount('/', staticFiles(folder))
  app.get('/api/later/', {}, () => ({ later: true }))
  app.mount('/admin', admin)
  return { app, seen }
}

describeEachEngine('a mount at /', (engine) => {
  const { app, seen } = createSite()
  const send = serveThrough(engine, app)

  test('answers what the app does not route: the index, files, its own 404', async () => {
    const home = await send('/')
    expect([home.status, await home.text()]).toEqual([200, '<h1>spa</h1>'])
    const script = await send('/assets/app.js')
    expect([script.status, await script.text()]).toEqual([200, 'start()'])
    const missing = await send('/assets/nope.js')
    expect([missing.status, await missing.json()]).toEqual([404, { detail: 'Not Found' }])
  })

  test('never hides the app’s routes, mounts or documentation, whatever the order', async () => {
    expect(await (await send('/api/items')).json()).toEqual(['a'])
    expect(await (await send('/api/later/')).json()).toEqual({ later: true })
    expect(await (await send('/admin')).json()).toEqual({ admin: true })
    const document = await (await send('/openapi.json')).json()
    expect(document.info.title).toBe('Site')
    // The document describes the app's own routes: a mount is never part of it.
    expect(Object.keys(document.paths)).toEqual(['/api/items', '/api/form', '/api/later/'])
  })

  test('a known path asked with another method is still the app’s 405', async () => {
    const wrong = await send('/api/form')
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('POST')
    expect(await wrong.json()).toEqual({ detail: 'Method Not Allowed' })
    // A path only the mount knows gets the mount's own answer.
    const post = await send('/index.html', { method: 'POST' })
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
    await post.arrayBuffer()
  })

  test('the app’s slash redirects come before the mount', async () => {
    const redirect = await send('/api/later?x=1')
    expect(redirect.status).toBe(307)
    expect(redirect.headers.get('location')).toBe('/api/later/?x=1')
  })

  test('runs inside the app’s middleware, seeing the whole path', async () => {
    seen.length = 0
    const missing = await send('/assets/nope.js')
    expect(missing.headers.get('x-traced')).toBe('404')
    await missing.arrayBuffer()
    expect(seen).toEqual(['/assets/nope.js'])
  })
})

function createProxied() {
  const app = new Gatehouse({ rootPath: '/proxy', openapiUrl: null })
  app.get('/own', {}, () => ({ own: true }))
  const inner = new Gatehouse({ title: 'Inner' })
  inner.get('/things/', {}, () => [])
  inner.get('/echo/{rest:path}', { inputs: { rest: Path(z.string()) } }, ({ rest }) => ({ rest }))
  app.mount('/', inner)
  const legacy = new Gatehouse({ openapiUrl: null })
  legacy.mount('/', { fetch: (request) => Response.json({ url: new URL(request.url).pathname }) })
  app.mount('/legacy', legacy)
  return app
}

describeEachEngine('an app mounted at /', (engine) => {
  const send = serveThrough(engine, createProxied())

  test('sees the path unchanged; its redirects and docs have nothing added but the root path', async () => {
    expect(await (await send('/echo/a/b')).json()).toEqual({ rest: 'a/b' })
    const redirect = await send('/things')
    expect(redirect.headers.get('location')).toBe('/proxy/things/')
    const document = await (await send('/openapi.json')).json()
    expect([document.info.title, document.servers]).toEqual(['Inner', [{ url: '/proxy' }]])
    expect(await (await send('/own')).json()).toEqual({ own: true })
  })

  test('anything with fetch() at / sees the path below the mounts above it', async () => {
    expect(await (await send('/legacy/x/y')).json()).toEqual({ url: '/x/y' })
    expect(await (await send('/legacy')).json()).toEqual({ url: '/' })
  })
})

describe('mount at / set-up', () => {
  test('one app at / per app; "" is no prefix (say "/")', () => {
    const app = new Gatehouse()
    app.mount('/', new Gatehouse())
    expect(() => app.mount('/', new Gatehouse())).toThrow(/already mounted there/)
    expect(() => new Gatehouse().mount('', new Gatehouse())).toThrow(TypeError)
    expect(() => new Gatehouse().mount('', new Gatehouse())).toThrow(/"\/" for everything/)
  })
})
