import { connect, type Socket } from 'node:net'
import { Body, Gatehouse, serve } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger } from './helpers/http.js'

function createApp() {
  const logger = captureLogger()
  const app = new Gatehouse({ logger })
  app.post(
    '/items/',
    { inputs: { item: Body(z.object({ name: z.string() })) } },
    ({ item }) => item,
  )
  app.get('/ping', {}, () => 'pong')
  return { app, logger }
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Everything the server sends until it closes the connection, and how long that took. */
function untilClosed(socket: Socket): Promise<{ data: string; ms: number }> {
  const start = performance.now()
  let data = ''
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => {
    data += chunk
  })
  return new Promise((resolve) => {
    socket.once('close', () => resolve({ data, ms: performance.now() - start }))
    socket.once('error', () => {})
  })
}

describe('serve() limits', () => {
  test('defaults are seconds, not minutes, with a connection cap', async () => {
    const running = await serve(createApp().app, { port: 0, signals: false })
    try {
      expect(running.server.headersTimeout).toBe(10_000)
      expect(running.server.requestTimeout).toBe(30_000)
      expect(running.server.keepAliveTimeout).toBe(5_000)
    } finally {
      await running.close()
    }
  })

  test('a body that stalls is cut with 408 within the request timeout, and nothing is logged', async () => {
    const { app, logger } = createApp()
    const running = await serve(app, { port: 0, signals: false, requestTimeout: 600 })
    try {
      const socket = await open(running.port)
      const closed = untilClosed(socket)
      socket.write(
        'POST /items/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":',
      )
      const { data, ms } = await closed
      expect(data).toMatch(/^HTTP\/1\.1 408/)
      expect(ms).toBeLessThan(5_000)
      expect(logger.calls).toEqual([])
      // The server still answers everyone else.
      expect(await (await fetch(`${running.url}/ping`)).json()).toBe('pong')
    } finally {
      await running.close()
    }
  })

  test('a request head that never ends is cut with 408 after the headers timeout', async () => {
    const running = await serve(createApp().app, {
      port: 0,
      signals: false,
      headersTimeout: 400,
      requestTimeout: 5_000,
    })
    try {
      const socket = await open(running.port)
      const closed = untilClosed(socket)
      socket.write('GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: ')
      const { data, ms } = await closed
      expect(data).toMatch(/^HTTP\/1\.1 408/)
      expect(ms).toBeLessThan(4_000)
    } finally {
      await running.close()
    }
  })

  /** One raw GET on a new connection: the status line, or '' when the server closed it unanswered. */
  const ping = async (port: number) => {
    const socket = await open(port)
    const closed = untilClosed(socket)
    socket.write('GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    return (await closed).data.split('\r\n')[0]
  }

  test('at the cap, a new connection takes the place of the oldest one still sending its head', async () => {
    // Slowloris: connections that trickle a head in would otherwise hold every slot for good.
    const running = await serve(createApp().app, { port: 0, signals: false, maxConnections: 3 })
    const slow: Socket[] = []
    try {
      for (let i = 0; i < 3; i++) {
        const socket = await open(running.port)
        socket.write('GET /ping HTTP/1.1\r\nHost: x\r\n')
        slow.push(socket)
      }
      const oldest = untilClosed(slow[0] as Socket)
      for (let i = 0; i < 5; i++) expect(await ping(running.port)).toBe('HTTP/1.1 200 OK')
      expect((await oldest).data).toBe('')
    } finally {
      for (const socket of slow) socket.destroy()
      await running.close()
    }
  })

  test('at the cap, the longest quiet connection gives way, not a busy keep-alive one that is older', async () => {
    const running = await serve(createApp().app, { port: 0, signals: false, maxConnections: 3 })
    const sockets: Socket[] = []
    try {
      // The oldest connection, a keep-alive client between two of its requests.
      const client = await open(running.port)
      sockets.push(client)
      let received = ''
      client.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1')
      })
      const answers = () => received.split('HTTP/1.1 200 OK').length - 1
      const request = async (count: number) => {
        client.write('GET /ping HTTP/1.1\r\nHost: x\r\n\r\n')
        await expect.poll(answers).toBe(count)
      }
      await request(1)
      // Two newer connections that have sent nothing whole since they opened.
      for (let i = 0; i < 2; i++) {
        const quiet = await open(running.port)
        quiet.write('GET /ping HTTP/1.1\r\nHost: x\r\n')
        sockets.push(quiet)
      }
      const firstQuiet = untilClosed(sockets[1] as Socket)
      await request(2)
      // A new connection takes the place of the quiet one opened first, not of the client.
      expect(await ping(running.port)).toBe('HTTP/1.1 200 OK')
      expect((await firstQuiet).data).toBe('')
      await request(3)
      expect(client.destroyed).toBe(false)
    } finally {
      for (const socket of sockets) socket.destroy()
      await running.close()
    }
  })

  test('at the cap, a slow upload gives way too; a connection being answered never does', async () => {
    const logger = captureLogger()
    const app = new Gatehouse({ logger })
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let entered = 0
    app.get('/slow', {}, async () => {
      entered++
      await gate
      return 'done'
    })
    app.post(
      '/items/',
      { inputs: { item: Body(z.object({ name: z.string() })) } },
      ({ item }) => item,
    )
    app.get('/ping', {}, () => 'pong')
    const running = await serve(app, { port: 0, signals: false, maxConnections: 3 })
    const busy: Socket[] = []
    try {
      const upload = await open(running.port)
      const uploadClosed = untilClosed(upload)
      upload.write(
        'POST /items/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"na',
      )
      const answers: Promise<{ data: string }>[] = []
      /** A whole request whose answer waits for the gate: its connection is busy. */
      const slow = async () => {
        const socket = await open(running.port)
        answers.push(untilClosed(socket))
        socket.write('GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        busy.push(socket)
      }
      for (let i = 0; i < 2; i++) await slow()
      await expect.poll(() => entered).toBe(2)
      // The upload is given up for the new connection, which is served.
      expect(await ping(running.port)).toBe('HTTP/1.1 200 OK')
      expect((await uploadClosed).data).toBe('')
      // Three connections with whole requests being answered: the next one is refused.
      await slow()
      await expect.poll(() => entered).toBe(3)
      expect(await ping(running.port)).toBe('')
      release()
      for (const answer of answers) expect((await answer).data).toMatch(/^HTTP\/1\.1 200/)
      expect(logger.calls).toEqual([])
    } finally {
      release()
      for (const socket of busy) socket.destroy()
      await running.close()
    }
  })

  test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const running = await serve(createApp().app, { port: 0, signals: false, keepAliveTimeout: 300 })
    try {
      const socket = await open(running.port)
      const closed = untilClosed(socket)
      socket.write('GET /ping HTTP/1.1\r\nHost: x\r\n\r\n')
      const { data, ms } = await closed
      expect(data).toMatch(/^HTTP\/1\.1 200/)
      expect(ms).toBeLessThan(3_000)
    } finally {
      await running.close()
    }
  })

  test.each([
    [{ requestTimeout: -1 }, '`requestTimeout` must be a positive integer'],
    // 0 is "never" to Node: the protection off, silently.
    [{ headersTimeout: 0 }, '`headersTimeout` must be a positive integer'],
    [{ requestTimeout: 0 }, '`requestTimeout` must be a positive integer'],
    [{ keepAliveTimeout: 0 }, '`keepAliveTimeout` must be a positive integer'],
    [{ maxConnections: 0 }, '`maxConnections` must be a positive integer'],
    [{ drainTimeout: -1 }, '`drainTimeout` must be a non-negative integer'],
    [{ hostname: '' }, '`hostname` must be a non-empty string'],
    [{ hostname: 123 }, '`hostname` must be a non-empty string'],
    [{ port: 'abc' }, '`port` must be an integer from 0 to 65535'],
    [{ port: 70000 }, '`port` must be an integer from 0 to 65535'],
    [{ signals: 'SIGTERM' }, '`signals` must be false or a list of signal names'],
    [{ signals: ['SIGFOO'] }, '`signals` must be false or a list of signal names'],
    [{ signals: true }, '`signals` must be false or a list of signal names'],
    [{ headerTimeout: 5 }, 'unknown option `headerTimeout`'],
  ])('bad options are TypeErrors naming the option: %j', async (options, message) => {
    await expect(serve(createApp().app, { port: 0, ...options } as never)).rejects.toThrow(
      `serve: ${message}`,
    )
  })

  test('drainTimeout 0 is allowed: close() cuts at once', async () => {
    const server = await serve(createApp().app, { port: 0, drainTimeout: 0, signals: false })
    await server.close()
  })

  test('a request still being read when drainTimeout runs out is cut, and that is logged', async () => {
    const { app, logger } = createApp()
    const server = await serve(app, { port: 0, drainTimeout: 200, signals: false })
    const socket = await open(server.port)
    const ended = untilClosed(socket)
    // Half a body: the route waits for the rest, which never comes.
    socket.write(
      'POST /items/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"name":',
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    const idle = await open(server.port)
    await server.close()
    expect((await ended).data).toBe('')
    idle.destroy()
    expect(logger.calls).toContainEqual([
      'Shut-down cut 1 connection whose request was still being read or answered when drainTimeout ran out',
      { cut: 1 },
    ])
  })

  test('close() lets an answer still being sent to a slow client finish', async () => {
    const { app, logger } = createApp()
    const body = 'x'.repeat(16 * 1024 * 1024)
    app.get('/download', {}, () => new Response(body))
    const server = await serve(app, { port: 0, drainTimeout: 5000, signals: false })
    const socket = await open(server.port)
    // The client reads nothing yet: most of the answer waits in the server's queue.
    socket.pause()
    socket.write('GET /download HTTP/1.1\r\nHost: x\r\n\r\n')
    await new Promise((resolve) => setTimeout(resolve, 200))
    const closing = server.close()
    await new Promise((resolve) => setTimeout(resolve, 100))
    let received = 0
    socket.on('data', (chunk: Buffer) => {
      received += chunk.byteLength
    })
    socket.resume()
    await new Promise((resolve) => socket.once('close', resolve))
    await closing
    expect(received).toBeGreaterThan(body.length)
    expect(logger.calls).toEqual([])
  })

  test('a drain that finishes in time logs nothing', async () => {
    const { app, logger } = createApp()
    const server = await serve(app, { port: 0, drainTimeout: 1000, signals: false })
    const idle = await open(server.port)
    expect((await fetch(`${server.url}/ping`)).status).toBe(200)
    await server.close()
    idle.destroy()
    expect(logger.calls).toEqual([])
  })
})
