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
      expect(running.server.maxConnections).toBe(1_000)
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

  test('connections over the cap are refused at once; the ones inside it are served', async () => {
    const running = await serve(createApp().app, { port: 0, signals: false, maxConnections: 3 })
    const sockets: Socket[] = []
    try {
      for (let i = 0; i < 3; i++) sockets.push(await open(running.port))
      await new Promise((resolve) => setTimeout(resolve, 50))
      const extra = await open(running.port)
      const refused = await untilClosed(extra)
      expect(refused.data).toBe('')
      const first = sockets[0] as Socket
      const answered = new Promise<string>((resolve) =>
        first.once('data', (chunk) => resolve(String(chunk))),
      )
      first.write('GET /ping HTTP/1.1\r\nHost: x\r\n\r\n')
      expect(await answered).toMatch(/^HTTP\/1\.1 200/)
    } finally {
      for (const socket of sockets) socket.destroy()
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
})
