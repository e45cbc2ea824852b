import { connect } from 'node:net'
import { Body, Gatehouse, HTTPException, serve } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger, describeEachEngine, serveThrough } from './helpers/http.js'

// A request whose answer does not wait for its body: a handler that stops reading it (a `break`,
// `reader.cancel()`, one chunk and let go), the framework's own 413 once a Web `Request` exists, a
// route that never reads it (404, 405). Each gets exactly one answer (RFC 9112 §9.3), and the
// connection then either carries the next request or closes.
function createApp() {
  const logger = captureLogger()
  const app = new Gatehouse({ logger })
  app.post('/break', { inputs: { request: Request } }, async ({ request }) => {
    let first = 0
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      first = chunk.byteLength
      break
    }
    return { first }
  })
  app.post('/cancel', { inputs: { request: Request } }, async ({ request }) => {
    const reader = (request.body as ReadableStream<Uint8Array>).getReader()
    const { value } = await reader.read()
    await reader.cancel()
    return { first: value?.byteLength ?? 0 }
  })
  app.post('/sniff', { inputs: { request: Request } }, async ({ request }) => {
    const reader = (request.body as ReadableStream<Uint8Array>).getReader()
    const { value } = await reader.read()
    reader.releaseLock()
    return { first: value?.byteLength ?? 0 }
  })
  app.post('/sniff-refuse', { inputs: { request: Request } }, async ({ request }) => {
    const reader = (request.body as ReadableStream<Uint8Array>).getReader()
    await reader.read()
    reader.releaseLock()
    throw new HTTPException(400, { detail: 'Not this one' })
  })
  // A middleware that only looks at the Web `Request`: the body is then read through it.
  app.use(async (ctx, next) => {
    if (ctx.request.path === '/limited') void ctx.request.request.headers
    await next()
  })
  const Note = z.object({ text: z.string() })
  app.post('/limited', { inputs: { note: Body(Note) }, bodyLimit: 1024 }, ({ note }) => note)
  app.get('/items', {}, () => ({ items: [] }))
  app.get('/ok', {}, () => ({ ok: true }))
  return { app, logger }
}

const streamOf = (bytes: number) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(bytes).fill(0x61))
      controller.close()
    },
  })

describeEachEngine('a handler that stops reading the body is still answered', (engine) => {
  const { app, logger } = createApp()
  const send = serveThrough(engine, app)
  const post = (path: string, body: BodyInit) =>
    send(path, { method: 'POST', body, duplex: 'half' } as RequestInit)

  test('a break out of `for await` over request.body, and reader.cancel()', async () => {
    for (const path of ['/break', '/cancel']) {
      const response = await post(path, '0123456789')
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ first: 10 })
    }
    expect(logger.calls).toEqual([])
  })

  test('a streamed body over bodyLimit, read through the Web Request: 413', async () => {
    const response = await send('/limited', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: streamOf(5_000),
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(413)
    expect(await response.json()).toEqual({ detail: 'Request body is too large' })
    expect(logger.calls).toEqual([])
  })
})

/** What the server sends on one connection: until it closes it, `enough(data)`, or `waitMs`. */
function converse(
  port: number,
  parts: (string | Uint8Array)[],
  { enough = () => false, gapMs = 100, waitMs = 4_000 } = {} as {
    enough?: (data: string) => boolean
    gapMs?: number
    waitMs?: number
  },
): Promise<{ data: string; closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now()
    const socket = connect(port, '127.0.0.1')
    let data = ''
    let closed = false
    const finish = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve({ data, closed, ms: performance.now() - started })
    }
    const timer = setTimeout(finish, waitMs)
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      data += chunk
      if (enough(data)) finish()
    })
    socket.once('close', () => {
      closed = true
      finish()
    })
    socket.once('error', () => {})
    socket.once('connect', async () => {
      for (const [index, part] of parts.entries()) {
        if (index > 0) await new Promise((resolve) => setTimeout(resolve, gapMs))
        if (!socket.destroyed) socket.write(part)
      }
    })
  })
}

const statusLines = (data: string) => data.match(/HTTP\/1\.1 \d{3}/g) ?? []
const HOST = 'Host: 127.0.0.1\r\n'

describe('serve(): a body the answer does not wait for, on the wire', () => {
  let server: Awaited<ReturnType<typeof serve>>
  let logs: unknown[][]
  beforeAll(async () => {
    const { app, logger } = createApp()
    logs = logger.calls
    // Short, so a second answer at the request timeout would show within the test.
    server = await serve(app, { port: 0, signals: false, requestTimeout: 600 })
  })
  afterAll(() => server.close())

  test.each([
    ['a whole body', 'Content-Length: 10\r\n\r\n0123456789'],
    ['a body still to come', `Content-Length: 100000\r\n\r\n${'a'.repeat(1_000)}`],
  ])('a break or cancel of %s: answered with Connection: close, then closed', async (_, rest) => {
    for (const path of ['/break', '/cancel']) {
      const { data, closed } = await converse(server.port, [
        `POST ${path} HTTP/1.1\r\n${HOST}${rest}`,
      ])
      expect(statusLines(data)).toEqual(['HTTP/1.1 200'])
      expect(data).toMatch(/\r\nconnection: close\r\n/i)
      expect(data).toMatch(/\{"first":\d+\}/)
      expect(closed).toBe(true)
    }
  })

  test('a chunked body over bodyLimit, read through the Web Request: 413, then closed', async () => {
    const { data, closed } = await converse(server.port, [
      `POST /limited HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n${'a'.repeat(5_000)}\r\n0\r\n\r\n`,
    ])
    expect(statusLines(data)).toEqual(['HTTP/1.1 413'])
    expect(data).toMatch(/\r\nconnection: close\r\n/i)
    expect(data).toContain('{"detail":"Request body is too large"}')
    expect(closed).toBe(true)
  })

  test.each([
    ['a handler that read one chunk and let go', '/sniff', 200],
    ['one that then threw an HTTPException', '/sniff-refuse', 400],
  ])(
    '%s: the rest of a large body is dropped, and the next request is answered at once',
    async (_, path, status) => {
      const size = 300_000
      const { data, ms } = await converse(
        server.port,
        [
          `POST ${path} HTTP/1.1\r\n${HOST}Content-Length: ${size}\r\n\r\n`,
          new Uint8Array(size).fill(0x61),
          `GET /ok HTTP/1.1\r\n${HOST}\r\n`,
        ],
        { enough: (data) => data.includes('{"ok":true}'), gapMs: 0 },
      )
      expect(statusLines(data)).toEqual([`HTTP/1.1 ${status}`, 'HTTP/1.1 200'])
      expect(ms).toBeLessThan(500)
    },
  )

  test.each([
    [
      'a 404, then a body that stalls',
      [`POST /nope HTTP/1.1\r\n${HOST}Content-Length: 100\r\n\r\nab`],
      '404',
    ],
    [
      'a 404, then a malformed chunk',
      [`POST /nope HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\n`, 'zz\r\nhello\r\n'],
      '404',
    ],
    [
      'a 405, then a malformed chunk',
      [`POST /items HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\n`, 'zz\r\n'],
      '405',
    ],
  ])(
    '%s: one answer, then the connection is cut (no 408 or 400 after it)',
    async (_, parts, status) => {
      const { data, closed } = await converse(server.port, parts)
      expect(statusLines(data)).toEqual([`HTTP/1.1 ${status}`])
      expect(closed).toBe(true)
    },
  )

  test('a body that stalls before any answer still gets its 408', async () => {
    const { data, closed } = await converse(server.port, [
      `POST /limited HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"te`,
    ])
    expect(statusLines(data)).toEqual(['HTTP/1.1 408'])
    expect(closed).toBe(true)
  })

  test('nothing of it was logged', () => {
    expect(logs).toEqual([])
  })
})
