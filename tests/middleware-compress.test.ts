import { request as httpRequest } from 'node:http'
import { brotliDecompressSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib'
import { type CompressOptions, compress, Gatehouse } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { startServer, transports } from './helpers/http.js'

/** Deterministic, poorly compressible text: zlib has to emit output as it goes. */
function noise(length: number, seed = 1): string {
  let state = seed
  let text = ''
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff
    text += String.fromCharCode(97 + (state % 26))
  }
  return text
}

const BIG = { rows: Array.from({ length: 100 }, (_, id) => ({ id, name: `row number ${id}` })) }
const BIG_TEXT = JSON.stringify(BIG)
const SVG = `<svg xmlns="http://www.w3.org/2000/svg">${'<rect width="1" height="1"/>'.repeat(100)}</svg>`
const MANY = Array.from({ length: 300 }, (_, i) => `line ${i}\n`)
const LARGE = 'a line of text that repeats\n'.repeat(12_000) // ≈ 330 KB, above the whole-body limit

function createApp(options?: CompressOptions) {
  const cancelled: string[] = []
  let release: () => void = () => {}
  const app = new Gatehouse({ openapiUrl: null })
  app.use(compress(options))
  const text = (body: BodyInit, headers: Record<string, string> = {}, status = 200) =>
    new Response(body, { status, headers: { 'content-type': 'text/plain', ...headers } })
  app.get('/big', {}, () => BIG)
  app.get('/small', {}, () => ({ ok: true }))
  app.get('/svg', {}, () => text(SVG, { 'content-type': 'image/svg+xml' }))
  app.get('/png', {}, () => text(noise(4096), { 'content-type': 'image/png' }))
  app.get('/events', {}, () => text(noise(4096), { 'content-type': 'text/event-stream' }))
  app.get('/encoded', {}, () => text(gzipSync(BIG_TEXT), { 'content-encoding': 'gzip' }))
  app.get('/no-transform', {}, () => text(BIG_TEXT, { 'cache-control': 'public, no-transform' }))
  app.get('/etag', {}, () => text(BIG_TEXT, { etag: '"v1"' }))
  app.get('/weak-etag', {}, () => text(BIG_TEXT, { etag: 'W/"v1"' }))
  app.get('/vary', {}, () => text(BIG_TEXT, { vary: 'Origin' }))
  app.get('/empty', { status: 204 }, () => null)
  app.get('/not-modified', {}, () => new Response(null, { status: 304, headers: { etag: '"v1"' } }))
  app.get('/large', {}, () => text(LARGE, { 'content-length': String(LARGE.length) }))
  app.get('/many', {}, () => {
    let index = 0
    return text(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          const line = MANY[index++]
          if (line === undefined) controller.close()
          else controller.enqueue(new TextEncoder().encode(line))
        },
      }),
    )
  })
  app.get('/missing', {}, () => text(BIG_TEXT, {}, 404))
  // Eight noisy chunks, then it waits: a body compressed whole would never start.
  app.get('/live', {}, () => {
    let sent = 0
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    return text(
      new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (sent < 8) controller.enqueue(new TextEncoder().encode(noise(64 * 1024, ++sent)))
          else {
            await released
            controller.enqueue(new TextEncoder().encode('THE END'))
            controller.close()
          }
        },
        cancel() {
          cancelled.push('live')
        },
      }),
    )
  })
  return { app, cancelled, release: () => release() }
}

interface Raw {
  status: number
  header(name: string): string | null
  body: Buffer
}

/**
 * Both engines, read as bytes on the wire: `fetch()` would decode the body, so the Node engine is
 * read with `node:http`. `stream` resolves `first` when the first body bytes arrive.
 */
function engine(name: string) {
  return async (app: Gatehouse) => {
    if (name === 'in-process') {
      const get = async (path: string, headers: Record<string, string> = {}, method = 'GET') => {
        const res = await app.request(path, { headers, method })
        return toRaw(res.status, (n) => res.headers.get(n), Buffer.from(await res.arrayBuffer()))
      }
      const stream = async (path: string, headers: Record<string, string>, onFirst: () => void) => {
        const res = await app.request(path, { headers })
        const reader = (res.body as ReadableStream<Uint8Array>).getReader()
        const chunks: Buffer[] = []
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          if (chunks.length === 0) onFirst()
          chunks.push(Buffer.from(value))
        }
        return toRaw(res.status, (n) => res.headers.get(n), Buffer.concat(chunks))
      }
      return { get, stream, close: async () => {} }
    }
    const server = await startServer(app)
    const call = (
      path: string,
      headers: Record<string, string>,
      method: string,
      onFirst: () => void,
    ): Promise<Raw> =>
      new Promise((resolve, reject) => {
        const req = httpRequest(`${server.url}${path}`, { headers, method }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => {
            if (chunks.length === 0) onFirst()
            chunks.push(chunk)
          })
          res.on('end', () => {
            const value = (n: string) => {
              const v = res.headers[n.toLowerCase()]
              return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v
            }
            resolve(toRaw(res.statusCode ?? 0, value, Buffer.concat(chunks)))
          })
          res.on('error', reject)
        })
        req.on('error', reject)
        req.end()
      })
    return {
      get: (path: string, headers: Record<string, string> = {}, method = 'GET') =>
        call(path, headers, method, () => {}),
      stream: (path: string, headers: Record<string, string>, onFirst: () => void) =>
        call(path, headers, 'GET', onFirst),
      close: () => server.close(),
    }
  }
}

function toRaw(status: number, header: (name: string) => string | null, body: Buffer): Raw {
  return { status, header, body }
}

const decode = (raw: Raw): string => {
  const coding = raw.header('content-encoding')
  const bytes =
    coding === 'gzip'
      ? gunzipSync(raw.body)
      : coding === 'br'
        ? brotliDecompressSync(raw.body)
        : coding === 'deflate'
          ? inflateSync(raw.body)
          : raw.body
  return bytes.toString('utf8')
}

describe.each(transports)('compress ($name)', ({ name }) => {
  const { app, cancelled, release } = createApp()
  let client: Awaited<ReturnType<ReturnType<typeof engine>>>
  beforeAll(async () => {
    client = await engine(name)(app)
  })
  afterAll(() => client.close())

  test('gzip: encoded, Vary, Content-Length of the compressed bytes, same JSON', async () => {
    const raw = await client.get('/big', { 'accept-encoding': 'gzip' })
    expect(raw.status).toBe(200)
    expect(raw.header('content-encoding')).toBe('gzip')
    expect(raw.header('vary')).toBe('Accept-Encoding')
    expect(raw.header('content-length')).toBe(String(raw.body.length))
    expect(raw.body.length).toBeLessThan(BIG_TEXT.length / 2)
    expect(JSON.parse(decode(raw))).toEqual(BIG)
  })

  test.each([
    ['gzip, deflate, br', 'br'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['*', 'br'],
    ['br;q=0, *', 'gzip'],
    ['*;q=0.1, gzip;q=0.2', 'gzip'],
    ['x-gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['gzip;q=abc, br', 'br'],
    ['identity, gzip;q=0.5', null],
    ['gzip;q=0', null],
    ['deflate', null],
    ['identity', null],
    ['identity;q=0', null],
    ['', null],
    [';;;,,,', null],
    ['gzip;q=2', null],
    ['gzip;q=0.5.5', null],
    ['gzip;q=-1', null],
    ['g z i p', null],
    [`${','.repeat(4000)}br`, 'br'],
    ['zstd, compress, bzip2', null],
  ])('Accept-Encoding %j → %s', async (accept, coding) => {
    const raw = await client.get('/big', { 'accept-encoding': accept })
    expect(raw.status).toBe(200)
    expect(raw.header('content-encoding')).toBe(coding)
    expect(raw.header('vary')).toBe('Accept-Encoding')
    expect(JSON.parse(decode(raw))).toEqual(BIG)
  })

  test('no Accept-Encoding: identity, but still Vary (another client would get it compressed)', async () => {
    const raw = await client.get('/big')
    expect(raw.header('content-encoding')).toBeNull()
    expect(raw.header('vary')).toBe('Accept-Encoding')
    expect(raw.body.toString()).toBe(BIG_TEXT)
  })

  test('a small body is left alone, unless the client refuses identity', async () => {
    const small = await client.get('/small', { 'accept-encoding': 'gzip, br' })
    expect(small.header('content-encoding')).toBeNull()
    // Another client (one refusing identity) gets other bytes for it: caches must know.
    expect(small.header('vary')).toBe('Accept-Encoding')
    expect(small.body.toString()).toBe('{"ok":true}')
    const forced = await client.get('/small', { 'accept-encoding': 'gzip, identity;q=0' })
    expect(forced.header('content-encoding')).toBe('gzip')
    expect(decode(forced)).toBe('{"ok":true}')
  })

  test('types: SVG is compressed; images and event streams are not', async () => {
    const svg = await client.get('/svg', { 'accept-encoding': 'gzip' })
    expect(svg.header('content-encoding')).toBe('gzip')
    expect(decode(svg)).toBe(SVG)
    for (const path of ['/png', '/events']) {
      const raw = await client.get(path, { 'accept-encoding': 'gzip' })
      expect(raw.header('content-encoding')).toBeNull()
      expect(raw.body.length).toBe(4096)
    }
  })

  test('already encoded, no-transform and 204 are left alone; HEAD gets the headers of GET', async () => {
    const encoded = await client.get('/encoded', { 'accept-encoding': 'br' })
    expect(encoded.header('content-encoding')).toBe('gzip')
    expect(gunzipSync(encoded.body).toString()).toBe(BIG_TEXT)
    const kept = await client.get('/no-transform', { 'accept-encoding': 'gzip' })
    expect(kept.header('content-encoding')).toBeNull()
    expect(kept.body.toString()).toBe(BIG_TEXT)
    const head = await client.get('/etag', { 'accept-encoding': 'gzip' }, 'HEAD')
    const get = await client.get('/etag', { 'accept-encoding': 'gzip' })
    expect(head.status).toBe(200)
    // The headers of GET, its coding, length and weakened ETag included (RFC 9110 §9.3.2).
    for (const name of ['content-encoding', 'content-length', 'etag', 'vary', 'content-type'])
      expect(head.header(name), name).toBe(get.header(name))
    expect(head.header('content-encoding')).toBe('gzip')
    expect(head.body.length).toBe(0)
    const notModified = await client.get('/not-modified', { 'accept-encoding': 'gzip' })
    expect(notModified.status).toBe(304)
    // The Vary its 200 would have sent (RFC 9110 §15.4.5).
    expect(notModified.header('vary')).toBe('Accept-Encoding')
    const empty = await client.get('/empty', { 'accept-encoding': 'gzip' })
    expect(empty.status).toBe(204)
    expect(empty.header('content-encoding')).toBeNull()
  })

  test('a strong ETag turns weak; a weak one and an existing Vary are kept', async () => {
    const strong = await client.get('/etag', { 'accept-encoding': 'gzip' })
    expect(strong.header('etag')).toBe('W/"v1"')
    const weak = await client.get('/weak-etag', { 'accept-encoding': 'gzip' })
    expect(weak.header('etag')).toBe('W/"v1"')
    const vary = await client.get('/vary', { 'accept-encoding': 'gzip' })
    expect(vary.header('vary')).toBe('Origin, Accept-Encoding')
  })

  test('error answers are compressed too', async () => {
    const raw = await client.get('/missing', { 'accept-encoding': 'gzip' })
    expect(raw.status).toBe(404)
    expect(raw.header('content-encoding')).toBe('gzip')
    expect(decode(raw)).toBe(BIG_TEXT)
  })

  test('a large body is compressed as a stream: Content-Length dropped, bytes intact', async () => {
    for (const coding of ['gzip', 'br']) {
      const raw = await client.get('/large', { 'accept-encoding': coding })
      expect(raw.header('content-encoding')).toBe(coding)
      expect(raw.header('content-length')).toBeNull()
      expect(decode(raw)).toBe(LARGE)
    }
  })

  test.each(['gzip', 'br'])(
    'a stream stays a stream (%s): bytes arrive before it ends',
    async (coding) => {
      let releasedEarly = false
      const raw = await client.stream('/live', { 'accept-encoding': coding }, () => {
        releasedEarly = true
        release()
      })
      expect(releasedEarly).toBe(true)
      expect(raw.header('content-encoding')).toBe(coding)
      const text = decode(raw)
      expect(text.length).toBe(8 * 64 * 1024 + 'THE END'.length)
      expect(text.endsWith('THE END')).toBe(true)
      expect(cancelled).toEqual([])
    },
  )

  test('a stream of many small chunks: intact, and no listener piles up', async () => {
    const warnings: Error[] = []
    const onWarning = (warning: Error) => void warnings.push(warning)
    process.on('warning', onWarning)
    try {
      const raw = await client.get('/many', { 'accept-encoding': 'br' })
      expect(raw.header('content-encoding')).toBe('br')
      expect(decode(raw)).toBe(MANY.join(''))
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings).toEqual([])
  })
})

test('a client that leaves mid-stream cancels the source (Node engine)', async () => {
  const { app, cancelled } = createApp()
  const server = await startServer(app)
  try {
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${server.url}/live`, { headers: { 'accept-encoding': 'br' } })
      req.on('response', (res) => {
        res.once('data', () => {
          req.destroy()
          resolve()
        })
      })
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET') reject(error)
      })
      req.end()
    })
    await expect.poll(() => cancelled, { timeout: 5_000 }).toEqual(['live'])
  } finally {
    await server.close()
  }
})

test('deflate when offered', async () => {
  const { app } = createApp({ encodings: ['deflate', 'gzip'], threshold: 100, level: 9 })
  const raw = await engine('in-process')(app)
  const res = await raw.get('/big', { 'accept-encoding': 'gzip, deflate' })
  expect(res.header('content-encoding')).toBe('deflate')
  expect(JSON.parse(decode(res))).toEqual(BIG)
})

describe('compress set-up mistakes are TypeErrors naming the option', () => {
  test.each([
    [{ threshold: -1 }, '`threshold`'],
    [{ threshold: 1.5 }, '`threshold`'],
    [{ encodings: [] }, '`encodings`'],
    [{ encodings: ['zstd'] }, '`encodings`'],
    [{ filter: 'text/*' }, '`filter`'],
    [{ level: 0 }, '`level`'],
    [{ brotliQuality: 12 }, '`brotliQuality`'],
    [{ treshold: 10 }, 'unknown option `treshold`'],
  ])('%j', (options, message) => {
    expect(() => compress(options as unknown as CompressOptions)).toThrow(TypeError)
    expect(() => compress(options as unknown as CompressOptions)).toThrow(message)
  })
})

test('without node:zlib (other runtimes): gzip through Web CompressionStream, brotli not offered', async () => {
  const getBuiltinModule = process.getBuiltinModule
  vi.resetModules()
  Object.defineProperty(process, 'getBuiltinModule', { value: undefined, configurable: true })
  try {
    // A fresh copy of the module, which finds no node:zlib on first use.
    const fresh = await import('../src/middleware/compress.js')
    const app = new Gatehouse({ openapiUrl: null })
    app.use(fresh.compress())
    app.get('/big', {}, () => BIG)
    app.get('/large', {}, () => new Response(LARGE, { headers: { 'content-type': 'text/plain' } }))
    const client = await engine('in-process')(app)
    const big = await client.get('/big', { 'accept-encoding': 'br, gzip' })
    expect(big.header('content-encoding')).toBe('gzip')
    expect(JSON.parse(decode(big))).toEqual(BIG)
    const large = await client.get('/large', { 'accept-encoding': 'br;q=1, gzip;q=0.5' })
    expect(large.header('content-encoding')).toBe('gzip')
    expect(decode(large)).toBe(LARGE)
    expect((await client.get('/big', { 'accept-encoding': 'br' })).header('content-encoding')).toBe(
      null,
    )
  } finally {
    Object.defineProperty(process, 'getBuiltinModule', {
      value: getBuiltinModule,
      configurable: true,
      writable: true,
    })
  }
})
