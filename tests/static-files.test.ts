import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { compress, Gatehouse, type StaticFilesOptions, serve, staticFiles } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Send, startServer, transports } from './helpers/http.js'

const SECRET = 'TOP SECRET: outside the folder'
const BIG = randomBytes(3 * 1024 * 1024 + 123)
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** A folder to serve, with neighbours it must never reveal. */
function createFixture() {
  const base = mkdtempSync(join(tmpdir(), 'gatehouse-static-'))
  const root = join(base, 'public')
  const file = (path: string, content: string | Uint8Array) => {
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, content)
  }
  file(join(base, 'outside', 'secret.txt'), SECRET)
  file(join(base, 'public-evil', 'secret.txt'), SECRET)
  file(join(root, 'index.html'), '<h1>home</h1>')
  file(join(root, 'hello.txt'), 'hello world')
  file(join(root, 'app.js'), `console.log(${JSON.stringify('x'.repeat(3000))})\n`)
  file(join(root, 'style.css'), 'body{}')
  file(join(root, 'data.json'), '{"a":1}')
  file(join(root, 'image.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47]))
  file(join(root, 'logo.SVG'), '<svg/>')
  file(join(root, 'thing.xyz'), 'custom')
  file(join(root, 'noext'), 'no extension')
  file(join(root, 'with space.txt'), 'spaced')
  file(join(root, 'ünïcode.txt'), 'unicode')
  file(join(root, 'percent%20name.txt'), 'percent')
  file(join(root, 'docs', 'index.html'), '<h1>docs</h1>')
  file(join(root, 'big.bin'), BIG)
  file(join(root, 'streamed.txt'), 'static text\n'.repeat(20_000))
  file(join(root, '.env'), SECRET)
  file(join(root, '.git', 'config'), SECRET)
  file(join(root, 'sub', '.hidden.txt'), SECRET)
  file(join(root, 'sub', 'ok.txt'), 'ok')
  mkdirSync(join(root, 'empty-dir'))
  symlinkSync(join(root, 'hello.txt'), join(root, 'link-inside.txt'))
  symlinkSync(join(base, 'outside', 'secret.txt'), join(root, 'link-outside.txt'))
  symlinkSync(join(base, 'outside'), join(root, 'link-dir-outside'))
  symlinkSync(join(base, 'public-evil', 'secret.txt'), join(root, 'link-sibling.txt'))
  symlinkSync(join(root, '.env'), join(root, 'link-to-dotfile'))
  execFileSync('mkfifo', [join(root, 'fifo')])
  return { base, root, remove: () => rmSync(base, { recursive: true, force: true }) }
}

const fixture = createFixture()
afterAll(() => fixture.remove())

/** How many descriptors this process has open on `path` (Linux). */
function openDescriptors(path: string): number {
  let count = 0
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) count++
    } catch {
      // Closed while listing.
    }
  }
  return count
}

function createApp(options?: StaticFilesOptions) {
  const app = new Gatehouse({ openapiUrl: null })
  app.get('/api', {}, () => ({ api: true }))
  app.mount('/static', staticFiles(fixture.root, options))
  return app
}

const NOT_FOUND = { detail: 'Not Found' }

describe.each(transports)('staticFiles ($name)', (transport) => {
  const app = createApp()
  let send: Send
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ send, close } = await transport.open(app))
  })
  afterAll(() => close())

  test('a file: body, type, length, validators, cache policy', async () => {
    const res = await send('/static/hello.txt')
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('hello world')
    const { mtime } = statSync(join(fixture.root, 'hello.txt'))
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'content-length': '11',
      'last-modified': mtime.toUTCString(),
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    })
    expect(res.headers.get('etag')).toMatch(/^W\/"b-[0-9a-f]+"$/)
  })

  test.each([
    ['/static/index.html', 'text/html; charset=utf-8'],
    ['/static/app.js', 'text/javascript; charset=utf-8'],
    ['/static/style.css', 'text/css; charset=utf-8'],
    ['/static/data.json', 'application/json'],
    ['/static/image.png', 'image/png'],
    ['/static/logo.SVG', 'image/svg+xml'],
    ['/static/thing.xyz', 'application/octet-stream'],
    ['/static/noext', 'application/octet-stream'],
  ])('%s is %s', async (path, type) => {
    const res = await send(path)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(type)
    await res.arrayBuffer()
  })

  test('names with spaces, non-ASCII and a literal %20 are found by their encoded form', async () => {
    expect(await (await send('/static/with%20space.txt')).text()).toBe('spaced')
    expect(await (await send(`/static/${encodeURIComponent('ünïcode.txt')}`)).text()).toBe(
      'unicode',
    )
    expect(await (await send('/static/percent%2520name.txt')).text()).toBe('percent')
  })

  test('folders: index.html, a redirect to the slash form, 404 without an index', async () => {
    for (const path of ['/static', '/static/']) {
      const res = await send(path)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('<h1>home</h1>')
    }
    const redirect = await send('/static/docs?x=1', { redirect: 'manual' })
    expect(redirect.status).toBe(307)
    expect(redirect.headers.get('location')).toBe('docs/?x=1')
    expect(await (await send('/static/docs/')).text()).toBe('<h1>docs</h1>')
    const empty = await send('/static/empty-dir/')
    expect(empty.status).toBe(404)
    expect(await empty.json()).toEqual(NOT_FOUND)
  })

  test('a folder without an index is not redirected to its slash form, only answered 404', async () => {
    // As Starlette: the 307 is for relative links in an index page, and there is none to serve.
    for (const path of ['/static/empty-dir', '/static/sub']) {
      const res = await send(path, { redirect: 'manual' })
      expect([path, res.status, res.headers.get('location')]).toEqual([path, 404, null])
      expect(await res.json()).toEqual(NOT_FOUND)
    }
  })

  test('HEAD: the same headers, no body', async () => {
    const res = await send('/static/hello.txt', { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe('11')
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await res.text()).toBe('')
  })

  test('conditional requests: 304 for a matching ETag or an unchanged date', async () => {
    const first = await send('/static/hello.txt')
    await first.text()
    const etag = first.headers.get('etag') as string
    const lastModified = first.headers.get('last-modified') as string
    const cases: [Record<string, string>, number][] = [
      [{ 'if-none-match': etag }, 304],
      [{ 'if-none-match': `"other", ${etag}` }, 304],
      [{ 'if-none-match': etag.slice(2) }, 304],
      [{ 'if-none-match': '*' }, 304],
      [{ 'if-none-match': '"other"' }, 200],
      [{ 'if-modified-since': lastModified }, 304],
      [{ 'if-modified-since': new Date(Date.now() + 86_400_000).toUTCString() }, 304],
      [{ 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' }, 200],
      [{ 'if-modified-since': 'not a date' }, 200],
      // If-None-Match wins over If-Modified-Since (RFC 9110 §13.1.3).
      [{ 'if-none-match': '"other"', 'if-modified-since': lastModified }, 200],
    ]
    for (const [headers, status] of cases) {
      const res = await send('/static/hello.txt', { headers })
      expect([headers, res.status]).toEqual([headers, status])
      const body = await res.text()
      if (status === 304) {
        expect(body).toBe('')
        expect(res.headers.get('etag')).toBe(etag)
        expect(res.headers.get('cache-control')).toBe('no-cache')
      } else expect(body).toBe('hello world')
    }
  })

  test('If-Modified-Since is used only when it is an HTTP-date (RFC 9110 §5.6.7, §13.1.3)', async () => {
    const cases: [string, number][] = [
      ['Fri, 01 Jan 2999 00:00:00 GMT', 304],
      ['Friday, 01-Jan-99 00:00:00 GMT', 200], // rfc850: 1999, not 2099
      ['Thu Jan  1 00:00:00 2999', 304], // asctime
      ['Thu Jan  1 00:00:00 1970', 200],
      // Date.parse takes these; they are not HTTP-dates, so they are ignored.
      ['3000', 200],
      ['3000-01-01', 200],
      ['next year 2999', 200],
      ['Sat, 01 Jan 10000 00:00:00 GMT', 200],
      ['fri, 01 Jan 2999 00:00:00 GMT', 200],
      ['Fri, 1 Jan 2999 00:00:00 GMT', 200],
      ['Fri, 01 Jan 2999 00:00:00 UTC', 200],
      ['Fri, 31 Apr 2999 00:00:00 GMT', 200],
      ['Fri, 01 Jan 2999 24:00:00 GMT', 200],
    ]
    for (const [value, status] of cases) {
      const res = await send('/static/hello.txt', { headers: { 'if-modified-since': value } })
      await res.text()
      expect([value, res.status]).toEqual([value, status])
    }
  })

  test('other methods answer 405 with Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await send('/static/hello.txt', { method })
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBe('GET, HEAD')
      await res.arrayBuffer()
    }
  })

  test('a large file is streamed whole, with its Content-Length', async () => {
    const res = await send('/static/big.bin')
    expect(res.headers.get('content-length')).toBe(String(BIG.length))
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(BIG))
  })

  test('a symbolic link inside the folder is followed', async () => {
    expect(await (await send('/static/link-inside.txt')).text()).toBe('hello world')
  })

  test.each([
    '/static/..%2foutside%2fsecret.txt',
    '/static/..%2Foutside/secret.txt',
    '/static/%2e%2e%2foutside%2fsecret.txt',
    '/static/%2E%2E%2Foutside%2Fsecret.txt',
    '/static/docs/..%2f..%2foutside%2fsecret.txt',
    '/static/..%5coutside%5csecret.txt',
    '/static/%5c..%5c..%5coutside%5csecret.txt',
    '/static/sub%5c..%5c.env',
    '/static//etc/passwd',
    '/static/%2fetc%2fpasswd',
    `/static/${encodeURIComponent(join(fixture.base, 'outside', 'secret.txt'))}`,
    '/static/hello.txt%00.png',
    '/static/%00',
    '/static/%252e%252e%252foutside%252fsecret.txt',
    '/static/..%c0%af..%c0%afoutside%c0%afsecret.txt',
    '/static/%c0%ae%c0%ae/outside/secret.txt',
    '/static/.env',
    '/static/%2eenv',
    '/static/.git/config',
    '/static/sub/.hidden.txt',
    '/static/sub/%2ehidden.txt',
    '/static/link-outside.txt',
    '/static/link-dir-outside/secret.txt',
    '/static/link-sibling.txt',
    '/static/link-to-dotfile',
    '/static/hello.txt/',
    '/static/C:%5cWindows%5cwin.ini',
    `/static/${'a'.repeat(5000)}`,
    '/static/fifo',
    '/static/missing.txt',
  ])('refused without revealing anything: %s', async (path) => {
    const res = await send(path)
    const body = await res.text()
    expect(body).not.toContain('TOP SECRET')
    expect(res.status).toBe(404)
    expect(JSON.parse(body)).toEqual(NOT_FOUND)
  })

  test('dot segments in the path are resolved before routing, so they never reach the folder', async () => {
    for (const path of ['/static/%2e%2e/outside/secret.txt', '/static/docs/%2E%2E/%2e%2e/api']) {
      const res = await send(path)
      expect(await res.text()).not.toContain('TOP SECRET')
    }
    // `/static/docs/../../api` is `/api`: the app's own route, outside the folder.
    expect(await (await send('/static/docs/%2e%2e/%2e%2e/api')).json()).toEqual({ api: true })
  })
})

/** A request target sent as written (fetch and Request would normalize it first). */
function rawGet(url: string, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { host } = new URL(url)
    const req = httpRequest({ host: host.split(':')[0], port: new URL(url).port, path: target })
    req.on('response', (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('staticFiles over raw HTTP targets (Node engine)', () => {
  test.each([
    '/static/../outside/secret.txt',
    '/static/../../outside/secret.txt',
    '/static/docs/../../outside/secret.txt',
    '/static/..\\outside\\secret.txt',
    '/static/./../outside/secret.txt',
    '/static/%2e%2e/outside/secret.txt',
    '/static/.%2e/outside/secret.txt',
    '/static//../outside/secret.txt',
  ])('%s', async (target) => {
    const server = await startServer(createApp())
    try {
      const { status, body } = await rawGet(server.url, target)
      expect(body).not.toContain('TOP SECRET')
      expect([400, 404]).toContain(status)
    } finally {
      await server.close()
    }
  })

  test('a client that leaves mid-file releases the file, and its request ends', async () => {
    const server = await serve(createApp(), {
      port: 0,
      hostname: '127.0.0.1',
      drainTimeout: 60_000,
    })
    const path = join(fixture.root, 'big.bin')
    try {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${server.url}/static/big.bin`)
        req.on('response', (res) => {
          res.once('data', () => {
            expect(openDescriptors(path)).toBe(1)
            req.destroy()
            resolve()
          })
        })
        req.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ECONNRESET') reject(error)
        })
        req.end()
      })
      await expect.poll(() => openDescriptors(path), { timeout: 5_000 }).toBe(0)
    } finally {
      // Waits for requests in flight: one stuck waiting for a 'drain' that never comes would hold
      // it for the whole drainTimeout (past this test's timeout).
      await server.close()
    }
  })
})

describe('staticFiles options', () => {
  test('a reader that cancels releases the file (Web engine)', async () => {
    const app = createApp()
    const path = join(fixture.root, 'big.bin')
    const res = await app.request('/static/big.bin')
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    await reader.read()
    expect(openDescriptors(path)).toBe(1)
    await reader.cancel()
    await expect.poll(() => openDescriptors(path), { timeout: 5_000 }).toBe(0)
  })

  test('maxAge and immutable, index off, dotfiles on, extra content types', async () => {
    const app = createApp({
      maxAge: 3600,
      immutable: true,
      index: false,
      dotfiles: true,
      contentTypes: { '.xyz': 'application/x-custom' },
    })
    const file = await app.request('/static/hello.txt')
    expect(file.headers.get('cache-control')).toBe('public, max-age=3600, immutable')
    await file.text()
    expect((await app.request('/static/')).status).toBe(404)
    expect((await app.request('/static/docs')).status).toBe(404)
    expect(await (await app.request('/static/sub/.hidden.txt')).text()).toBe(SECRET)
    const custom = await app.request('/static/thing.xyz')
    expect(custom.headers.get('content-type')).toBe('application/x-custom')
    await custom.text()
    // Dotfiles allowed still means nothing above the folder.
    const outside = await app.request('/static/..%2foutside%2fsecret.txt')
    expect(outside.status).toBe(404)
    expect((await app.request('/static/link-outside.txt')).status).toBe(404)
  })

  test("the parent app's compress() compresses files; their weak ETag stays", async () => {
    const app = new Gatehouse({ openapiUrl: null })
    app.use(compress())
    app.mount('/static', staticFiles(pathToFileURL(fixture.root)))
    const gzip = { headers: { 'accept-encoding': 'gzip' } }
    const small = await app.request('/static/app.js', gzip)
    expect(small.headers.get('content-encoding')).toBe('gzip')
    expect(small.headers.get('etag')).toMatch(/^W\//)
    const bytes = new Uint8Array(await small.arrayBuffer())
    expect(small.headers.get('content-length')).toBe(String(bytes.length))
    expect(gunzipSync(bytes).toString()).toContain('console.log')
    // Larger than compress() takes whole: compressed as it streams, so no Content-Length.
    writeFileSync(join(fixture.root, 'large.txt'), 'static text\n'.repeat(20_000))
    const large = await app.request('/static/large.txt', gzip)
    expect(large.headers.get('content-encoding')).toBe('gzip')
    expect(large.headers.get('content-length')).toBeNull()
    expect(gunzipSync(new Uint8Array(await large.arrayBuffer())).toString()).toBe(
      'static text\n'.repeat(20_000),
    )
  })

  test.each([
    [() => staticFiles(join(fixture.base, 'nope')), '`directory`'],
    [() => staticFiles(join(fixture.root, 'hello.txt')), 'is not a folder'],
    [() => staticFiles(''), '`directory`'],
    [() => staticFiles(new URL('http://example.com/public')), '`directory`'],
    [() => staticFiles(fixture.root, { immutable: true }), '`immutable` needs `maxAge`'],
    [() => staticFiles(fixture.root, { maxAge: -1 }), '`maxAge`'],
    [() => staticFiles(fixture.root, { index: 'a/index.html' }), '`index`'],
    [() => staticFiles(fixture.root, { dotfiles: 'yes' as never }), '`dotfiles`'],
    [() => staticFiles(fixture.root, { contentTypes: { xyz: 'text/plain' } }), '`contentTypes`'],
    [() => staticFiles(fixture.root, { contentTypes: { '.x': 'bad' } }), '`contentTypes`'],
    [() => staticFiles(fixture.root, { maxage: 1 } as never), 'unknown option `maxage`'],
  ])('set-up mistake %#: a TypeError naming the option', (make, message) => {
    expect(make).toThrow(TypeError)
    expect(make).toThrow(message)
  })
})

describe.each(transports)('staticFiles under compress(): HEAD ($name)', (transport) => {
  const app = new Gatehouse({ openapiUrl: null })
  app.use(compress())
  app.mount('/static', staticFiles(fixture.root))
  let send: Send
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ send, close } = await transport.open(app))
  })
  afterAll(() => close())

  const NAMES = ['content-encoding', 'content-length', 'etag', 'vary', 'content-type']
  const headersOf = async (method: string, path: string, headers: Record<string, string>) => {
    const res = await send(path, { method, headers })
    await res.arrayBuffer()
    return Object.fromEntries(NAMES.map((name) => [name, res.headers.get(name)]))
  }

  test.each([
    ['/static/streamed.txt', { 'accept-encoding': 'gzip' }],
    ['/static/hello.txt', { 'accept-encoding': 'gzip' }],
    ['/static/streamed.txt', {}],
    ['/static/image.png', { 'accept-encoding': 'gzip' }],
  ])("HEAD %s %j carries its GET's headers (RFC 9110 §9.3.2)", async (path, headers) => {
    expect(await headersOf('HEAD', path, headers)).toEqual(await headersOf('GET', path, headers))
  })

  test('a file compressed whole: HEAD has its coding and Vary, and no length it cannot know', async () => {
    const gzip = { 'accept-encoding': 'gzip' }
    const get = await headersOf('GET', '/static/app.js', gzip)
    const head = await headersOf('HEAD', '/static/app.js', gzip)
    expect(get['content-encoding']).toBe('gzip')
    expect(head).toEqual({ ...get, 'content-length': null })
  })
})
