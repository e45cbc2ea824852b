import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Gatehouse, type RunningServer, serve, staticFiles } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger } from './helpers/http.js'
import { rawRequest } from './helpers/raw-http.js'

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-host-'))
writeFileSync(join(folder, 'a.txt'), 'a')

// Routes that need no Web `Request` and routes that build one (docs, static files, a
// `request: Request` input, a mounted app): a Host is refused before any of them is chosen.
const paths = ['/items/1', '/openapi.json', '/docs', '/static/a.txt', '/whole', '/sub/hello']

describe('a Host the URL parser refuses is a 400 on serve(), whatever the route', () => {
  let server: RunningServer
  const logger = captureLogger()
  beforeAll(async () => {
    const app = new Gatehouse({ logger })
    app.get('/items/{id}', { inputs: { id: z.number() } }, ({ id }) => ({ id }))
    app.get('/whole', { inputs: { request: Request } }, ({ request }) => new URL(request.url).host)
    const sub = new Gatehouse()
    sub.get('/hello', {}, () => 'hello')
    app.mount('/sub', sub)
    app.mount('/static', staticFiles(folder))
    server = await serve(app, { port: 0, signals: false })
  })
  afterAll(async () => {
    await server.close()
    rmSync(folder, { recursive: true, force: true })
  })

  const get = (path: string, host: string) =>
    rawRequest(server.port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)

  test.each([
    'a%',
    'a%zz',
    'a%20b',
    'a%00',
    '999.999.999.999',
    '1.2.3.4.5',
    'a.1',
    'xn--a',
    'XN--A.example',
    'a:65536',
    'ex.com:99999',
    ':80',
    '[::::]',
  ])('Host: %s', async (host) => {
    for (const path of paths) {
      const answer = await get(path, host)
      expect(answer.status, path).toBe(400)
      expect(JSON.parse(answer.body), path).toEqual({ detail: 'Malformed Host header' })
    }
    expect(logger.calls).toEqual([])
  })

  test.each([
    'localhost',
    'localhost:65535',
    'api.example.com:8080',
    '127.0.0.1:3000',
    '0x7f.1',
    '[::1]:80',
    'a%41',
    'xn--ls8h.example',
    'example.com.',
    '',
  ])('Host: %j is taken on every route', async (host) => {
    for (const path of paths) expect((await get(path, host)).status, path).toBe(200)
  })

  // The engine remembers the last Host it found well-formed; one that is not must still be
  // checked, right after a good one and after a good one was seen many times.
  test('a malformed Host right after well-formed ones is still a 400', async () => {
    for (let i = 0; i < 3; i++) expect((await get('/items/1', '127.0.0.1:54321')).status).toBe(200)
    for (const host of ['127.0.0.1:99999', '127.0.0.1:54321x', 'a%zz']) {
      const answer = await get('/items/1', host)
      expect(answer.status, host).toBe(400)
      expect((await get('/items/1', '127.0.0.1:54321')).status).toBe(200)
    }
    const twice = await rawRequest(
      server.port,
      'GET /items/1 HTTP/1.1\r\nHost: 127.0.0.1:54321\r\nHost: 127.0.0.1:54321\r\nConnection: close\r\n\r\n',
    )
    expect(twice.status).toBe(400)
    expect(JSON.parse(twice.body)).toEqual({ detail: 'More than one Host header' })
  })
})
