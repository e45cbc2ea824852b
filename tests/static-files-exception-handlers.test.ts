import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Gatehouse, HTTPException, staticFiles } from 'gatehouse'
import { afterAll, expect, test } from 'vitest'
import { describeEachEngine, serveThrough } from './helpers/http.js'

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-static-handlers-'))
writeFileSync(join(folder, 'index.html'), '<h1>spa</h1>')
writeFileSync(join(folder, 'a.txt'), 'a')
afterAll(() => rmSync(folder, { recursive: true, force: true }))

const html = (body: string, status: number) =>
  new Response(body, { status, headers: { 'content-type': 'text/html' } })

/** One HTML 404 page for the whole site, files included; the handler is added after the mount. */
function createSite() {
  const app = new Gatehouse({ openapiUrl: null })
  app.get('/page', {}, () => ({ page: true }))
  app.mount('/static', staticFiles(folder))
  app.exceptionHandler(404, (_error, request) => html(`<p>no ${request.path}</p>`, 404))
  app.exceptionHandler(405, (error) =>
    Response.json(
      { refused: (error as HTTPException).headers?.allow },
      { status: 405, headers: { allow: (error as HTTPException).headers?.allow ?? '' } },
    ),
  )
  return app
}

describeEachEngine('staticFiles errors reach the mounting app’s handlers', (engine) => {
  const send = serveThrough(engine, createSite())

  test('a missing file gets the app’s 404 page, which sees the whole path', async () => {
    for (const path of ['/static/nope.txt', '/static/.env', '/nope']) {
      const res = await send(path)
      expect([path, res.status, await res.text()]).toEqual([path, 404, `<p>no ${path}</p>`])
    }
    expect(await (await send('/static/a.txt')).text()).toBe('a')
  })

  test('a method a file does not take gets the app’s 405 handler, Allow included', async () => {
    const res = await send('/static/a.txt', { method: 'DELETE' })
    expect(res.status).toBe(405)
    expect(await res.json()).toEqual({ refused: 'GET, HEAD' })
  })
})

/** The SPA pattern: files at /, and the client's own routes answered with the index page. */
function createSinglePageApp() {
  const app = new Gatehouse({ openapiUrl: null })
  app.get('/api/items', {}, () => ['a'])
  app.mount('/', staticFiles(folder))
  const index = readFileSync(join(folder, 'index.html'), 'utf8')
  app.exceptionHandler(HTTPException, (error, request) =>
    error.status === 404 && !request.path.startsWith('/api/')
      ? html(index, 200)
      : Response.json({ detail: error.detail }, { status: error.status }),
  )
  return app
}

describeEachEngine('a single-page app at / with a 404 handler', (engine) => {
  const send = serveThrough(engine, createSinglePageApp())

  test('a client route is answered with the index page; the API keeps its 404', async () => {
    const route = await send('/users/7/settings')
    expect([route.status, await route.text()]).toEqual([200, '<h1>spa</h1>'])
    expect(await (await send('/a.txt')).text()).toBe('a')
    const api = await send('/api/nothing')
    expect([api.status, await api.json()]).toEqual([404, { detail: 'Not Found' }])
  })
})

/** staticFiles inside a mounted app: the nearest app with handlers answers, as in Starlette. */
function createNested() {
  const admin = new Gatehouse({ openapiUrl: null })
  admin.exceptionHandler(404, () => html('admin 404', 404))
  admin.mount('/files', staticFiles(folder))
  const plain = new Gatehouse({ openapiUrl: null })
  plain.mount('/files', staticFiles(folder))
  const app = new Gatehouse({ openapiUrl: null })
  app.exceptionHandler(404, () => html('site 404', 404))
  app.mount('/admin', admin)
  app.mount('/plain', plain)
  return app
}

describeEachEngine('staticFiles in a mounted app, or on its own', (engine) => {
  const send = serveThrough(engine, createNested())
  const alone = serveThrough(engine, staticFiles(folder))

  test('the nearest app with handlers answers; with none anywhere, the defaults stay', async () => {
    expect(await (await send('/admin/files/nope')).text()).toBe('admin 404')
    expect(await (await send('/admin/nope')).text()).toBe('admin 404')
    // A mounted app without handlers answers its own errors, as a mounted Starlette app does.
    for (const path of ['/plain/files/nope', '/plain/nope']) {
      const res = await send(path)
      expect([path, res.status, await res.json()]).toEqual([path, 404, { detail: 'Not Found' }])
    }
    const missing = await alone('/nope')
    expect([missing.status, await missing.json()]).toEqual([404, { detail: 'Not Found' }])
    const wrong = await alone('/a.txt', { method: 'POST' })
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
    expect(await wrong.json()).toEqual({ detail: 'Method Not Allowed' })
  })
})
