import { connect } from 'node:net'
import { Body, Gatehouse, Header, serve } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger } from './helpers/http.js'
import { rawRequest } from './helpers/raw-http.js'

// What Node's HTTP server lets through or answers on its own, held to RFC 9112 by serve(): one
// answer per request in order, framing only by chunked or Content-Length, every header counted,
// the target's authority, and a closing connection that says so.
let release: (() => void) | undefined
function createApp() {
  const app = new Gatehouse({ logger: captureLogger() })
  app.get('/slow', {}, async () => {
    await new Promise<void>((resolve) => {
      release = resolve
      setTimeout(resolve, 2_000)
    })
    return { slow: true }
  })
  app.get('/url', { inputs: { request: Request } }, ({ request }) => ({ url: request.url }))
  app.get('/last', { inputs: { last: Header(z.string().optional()) } }, ({ last }) => ({
    last: last ?? null,
  }))
  app.post('/echo', { inputs: { request: Request } }, async ({ request }) => ({
    body: await request.text(),
  }))
  app.post('/json', { inputs: { note: Body(z.object({ text: z.string() })) } }, ({ note }) => note)
  return app
}

/** Write `bytes` on one connection and collect everything until the server closes it. */
function exchange(port: number, bytes: string[], gapMs = 50): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let data = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      data += chunk
    })
    socket.once('close', () => resolve(data))
    socket.once('error', reject)
    socket.once('connect', async () => {
      for (const [index, part] of bytes.entries()) {
        if (index > 0) await new Promise((resolve) => setTimeout(resolve, gapMs))
        socket.write(part)
      }
    })
    setTimeout(() => socket.destroy(), 5_000).unref()
  })
}

describe('serve() on the wire', () => {
  let server: Awaited<ReturnType<typeof serve>>
  beforeAll(async () => {
    server = await serve(createApp(), { port: 0, signals: false })
  })
  afterAll(() => server.close())

  test('a malformed request pipelined behind one being answered does not take its place', async () => {
    const answering = exchange(server.port, [
      'GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
      'GARBAGE\r\n\r\n',
    ])
    await new Promise((resolve) => setTimeout(resolve, 150))
    release?.()
    const data = await answering
    expect(data.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true)
    expect(data).toContain('{"slow":true}')
    expect(data).toMatch(/\r\nConnection: close\r\n/i)
    expect(data).not.toContain('400 Bad Request')
    expect(data.match(/HTTP\/1\.1 /g)).toHaveLength(1)
  })

  test('CONNECT is refused with 405, not a silently closed connection', async () => {
    const answer = await rawRequest(
      server.port,
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    )
    expect(answer.status).toBe(405)
  })

  test.each(['gzip, chunked', 'foo, chunked', 'deflate,chunked'])(
    'Transfer-Encoding %j, a coding Node would ignore, is a 400',
    async (coding) => {
      const answer = await rawRequest(
        server.port,
        `POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: ${coding}\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
      )
      expect(answer.status).toBe(400)
      expect(JSON.parse(answer.body)).toEqual({ detail: 'Unsupported Transfer-Encoding' })
    },
  )

  test.each([
    [
      'an HTTP/1.0 request with Transfer-Encoding (RFC 9112 §6.1: faulty framing)',
      'HTTP/1.0',
      'Transfer-Encoding in an HTTP/1.0 request',
    ],
    [
      'an HTTP/2.0 request line, which is not HTTP/1.x framing',
      'HTTP/2.0',
      'Unsupported HTTP version',
    ],
  ])('%s is a 400, and the connection closes', async (_, version, detail) => {
    const data = await exchange(server.port, [
      `POST /echo ${version}\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    ])
    expect(data).toMatch(/^HTTP\/1\.1 400 /)
    expect(data).toMatch(/\r\nConnection: close\r\n/i)
    expect(data).toContain(JSON.stringify({ detail }))
  })

  test('a malformed chunk in the body being read is answered 400 at once', async () => {
    const started = performance.now()
    const data = await exchange(server.port, [
      'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n',
      'zz\r\nnot a chunk\r\n',
    ])
    expect(data).toMatch(/^HTTP\/1\.1 400 /)
    expect(performance.now() - started).toBeLessThan(2_000)
  })

  test('Expect: 100-continue: a body its headers already refuse is never asked for', async () => {
    const big = await exchange(server.port, [
      `POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n`,
    ])
    expect(big).toMatch(/^HTTP\/1\.1 413 /)
    expect(big).not.toContain('100 Continue')
    // Nor one of a media type the route does not read: 415 at once, before the body.
    const plain = await exchange(server.port, [
      'POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
    ])
    expect(plain).toMatch(/^HTTP\/1\.1 415 /)
    expect(plain).not.toContain('100 Continue')
    // An empty one of that type is still only a missing body (422), as before.
    const empty = await exchange(server.port, [
      'POST /json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    ])
    expect(empty).toMatch(/^HTTP\/1\.1 422 /)
  })

  test('Expect: 100-continue: a body that will be read gets its 100, then the answer', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1')
      let data = ''
      socket.setEncoding('latin1')
      socket.on('data', (chunk: string) => {
        data += chunk
        // The client sends the body only once told to continue, as curl does.
        if (data.startsWith('HTTP/1.1 100 Continue\r\n\r\n') && !data.includes('200'))
          socket.write('hello')
      })
      socket.once('close', () => resolve(data))
      socket.once('error', reject)
      socket.write(
        'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      )
    })
    expect(answer.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK')).toBe(true)
    expect(answer).toContain('{"body":"hello"}')
  })

  test('plain chunked bodies still work', async () => {
    const answer = await rawRequest(
      server.port,
      'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    )
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toEqual({ body: 'hello' })
  })

  test('every header is read, past the 1,000 Node would keep', async () => {
    const filler = Array.from({ length: 1_200 }, (_, i) => `x-f${i}: 1\r\n`).join('')
    const last = await rawRequest(
      server.port,
      `GET /last HTTP/1.1\r\nHost: 127.0.0.1\r\n${filler}last: seen\r\nConnection: close\r\n\r\n`,
    )
    expect(JSON.parse(last.body)).toEqual({ last: 'seen' })
    const twoHosts = await rawRequest(
      server.port,
      `GET /last HTTP/1.1\r\nHost: 127.0.0.1\r\n${filler}Host: elsewhere\r\nConnection: close\r\n\r\n`,
    )
    expect(twoHosts.status).toBe(400)
  })

  test('the URL handlers see: an empty Host is localhost; an absolute-form target names its own host', async () => {
    const empty = await rawRequest(
      server.port,
      'GET /url?x=1 HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n',
    )
    expect(JSON.parse(empty.body)).toEqual({ url: 'http://localhost/url?x=1' })
    const absolute = await rawRequest(
      server.port,
      'GET http://api.example:9/url HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n',
    )
    expect(JSON.parse(absolute.body)).toEqual({ url: 'http://api.example:9/url' })
  })
})

test('answers written while close() drains say Connection: close', async () => {
  const server = await serve(createApp(), { port: 0, signals: false })
  const answering = exchange(server.port, ['GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'])
  await new Promise((resolve) => setTimeout(resolve, 100))
  const closed = server.close()
  release?.()
  const data = await answering
  await closed
  expect(data.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true)
  expect(data).toMatch(/\r\nConnection: close\r\n/i)
})

test('close() does not wait for connections answering nothing: one that sent nothing yet, one half-way through a head', async () => {
  const server = await serve(createApp(), { port: 0, signals: false, drainTimeout: 60_000 })
  const open = (bytes: string) =>
    new Promise<{ ended: Promise<void> }>((resolve) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        if (bytes !== '') socket.write(bytes)
        resolve({ ended: new Promise((done) => socket.once('close', () => done())) })
      })
      socket.on('error', () => {})
    })
  // A browser's preconnect, and a head still arriving: Node's own idle check skips both, and
  // they held close() for the whole drainTimeout.
  const silent = await open('')
  const partial = await open('GET /url HTTP/1.1\r\nHost: 127.0.0.1\r\n')
  await new Promise((resolve) => setTimeout(resolve, 100))
  const closing = server.close()
  const outcome = await Promise.race([
    closing.then(() => 'closed'),
    new Promise((resolve) => setTimeout(() => resolve('still draining'), 5_000)),
  ])
  expect(outcome).toBe('closed')
  await Promise.all([silent.ended, partial.ended])
})

test('close() leaves an upgraded connection (a WebSocket) to the app until drainTimeout, so it can say goodbye', async () => {
  const server = await serve(createApp(), { port: 0, signals: false, drainTimeout: 5_000 })
  let closing: Promise<void> | undefined
  server.server.on('upgrade', (_request, socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n')
    // The app's own goodbye, a moment after the shutdown began.
    closing = server.close()
    setTimeout(() => socket.end('goodbye'), 100)
  })
  const data = await exchange(server.port, [
    'GET /url HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n',
  ])
  expect(data.startsWith('HTTP/1.1 101 ')).toBe(true)
  expect(data.endsWith('goodbye')).toBe(true)
  await closing
})

test("app.nodeListener() under node:http2's compatibility API answers as under node:http", async () => {
  const { connect: connectHTTP2, createServer: createHTTP2Server } = await import('node:http2')
  // Typed for node:http; the compatibility API's request and response stand in for those at run time.
  const h2 = createHTTP2Server(createApp().nodeListener() as never)
  await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve))
  const { port } = h2.address() as { port: number }
  const session = connectHTTP2(`http://127.0.0.1:${port}`)
  try {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const stream = session.request({ ':path': '/last', last: 'h2' })
      let status = 0
      let body = ''
      stream.on('response', (headers) => {
        status = Number(headers[':status'])
      })
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => {
        body += chunk
      })
      stream.on('end', () => resolve({ status, body }))
      stream.on('error', reject)
    })
    expect(answer).toEqual({ status: 200, body: '{"last":"h2"}' })
    // A body over the limit: 413, without the HTTP/1 `Connection: close` that HTTP/2 forbids
    // (Node dropped it with a process warning).
    const warnings: string[] = []
    const onWarning = (warning: Error) => warnings.push(warning.message)
    process.on('warning', onWarning)
    const refused = await new Promise<number>((resolve, reject) => {
      const stream = session.request({
        ':method': 'POST',
        ':path': '/json',
        'content-type': 'application/json',
        'content-length': String(2 * 1024 * 1024),
      })
      // Answered from its head: the body is never sent.
      stream.on('response', (headers) => {
        resolve(Number(headers[':status']))
        stream.close()
      })
      stream.on('error', reject)
    })
    await new Promise((resolve) => setImmediate(resolve))
    process.off('warning', onWarning)
    expect(refused).toBe(413)
    expect(warnings.filter((message) => /connection header/i.test(message))).toEqual([])
  } finally {
    session.close()
    await new Promise((resolve) => h2.close(resolve))
  }
})
