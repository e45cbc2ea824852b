import { connect } from 'node:net'
import { Body, type Fetchable, Gatehouse, serve } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'

// A client that leaves mid-body is no fault of the server: through either engine it is the quiet
// RequestAbortedError (a debug line, no "Unhandled error"), whether the framework reads the body
// (a `Body()` input) or a handler does (`await request.text()`). Over the wire (serve(), both
// engines) a raw client leaves; in process (`app.fetch`) the body's stream fails, as a runtime's does.
function createApp() {
  const logs: string[] = []
  const app = new Gatehouse({
    logger: {
      error: (message) => void logs.push(`error: ${message}`),
      debug: (message) => void logs.push(`debug: ${message}`),
    },
  })
  app.post('/items', { inputs: { item: Body(z.object({ name: z.string() })) } }, ({ item }) => item)
  app.post('/text', { inputs: { request: Request } }, async ({ request }) => ({
    text: await request.text(),
  }))
  return { app, logs }
}

const ABORTED = 'The client closed the connection before the request was complete'

/** A body whose stream fails after its first bytes, as a runtime's does when the peer goes. */
function brokenBody(): ReadableStream<Uint8Array> {
  let pulls = 0
  return new ReadableStream({
    pull(controller) {
      if (pulls++ === 0) controller.enqueue(new TextEncoder().encode('{"name":'))
      else controller.error(new TypeError('terminated'))
    },
  })
}

describe('app.fetch: a request body whose stream fails', () => {
  test.each(['/items', '/text'])(
    '%s: a quiet RequestAbortedError (400), never a logged 500',
    async (path) => {
      const { app, logs } = createApp()
      const response = await app.fetch(
        new Request(`http://localhost${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: brokenBody(),
          duplex: 'half',
        } as RequestInit),
      )
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ detail: ABORTED })
      expect(logs).toEqual([`debug: ${ABORTED} (POST ${path})`])
    },
  )
})

/** Send a JSON POST's head and `body` (all of `length` bytes, or less) on a raw connection, then leave. */
async function sendThenLeave(
  port: number,
  path: string,
  body: string,
  length: number,
  wait: number,
): Promise<void> {
  const socket = connect(port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n${body}`,
  )
  await new Promise((resolve) => setTimeout(resolve, wait))
  socket.destroy()
}

/** Send a head and part of the body on a raw connection, then leave. */
const leaveMidBody = (port: number, path: string) => sendThenLeave(port, path, '{"name":', 100, 100)

describe('serve(): a client that leaves mid-body', () => {
  test.each([
    ['the Node engine (serve(app))', (app: Gatehouse): Fetchable => app],
    [
      'the Web engine under @hono/node-server (serve({ fetch }))',
      (app: Gatehouse): Fetchable => ({ fetch: (request: Request) => app.fetch(request) }),
    ],
  ])('%s: a debug line, nothing logged as an error', async (_, servable) => {
    const { app, logs } = createApp()
    const server = await serve(servable(app), { port: 0, signals: false })
    try {
      for (const path of ['/items', '/text']) {
        logs.length = 0
        await leaveMidBody(server.port, path)
        await expect.poll(() => logs).toEqual([`debug: ${ABORTED} (POST ${path})`])
      }
    } finally {
      await server.close()
    }
  })
})

describe('serve(): a client that left before its body was read', () => {
  test.each([
    ['the Node engine (serve(app))', (app: Gatehouse): Fetchable => app],
    [
      'the Web engine under @hono/node-server (serve({ fetch }))',
      (app: Gatehouse): Fetchable => ({ fetch: (request: Request) => app.fetch(request) }),
    ],
  ])(
    '%s: the read fails at once and the request ends, never waits forever',
    async (_, servable) => {
      const { app, logs } = createApp()
      let finished = 0
      // A slow middleware: the client is gone by the time the body is read.
      app.use(async (_ctx, next) => {
        await new Promise((resolve) => setTimeout(resolve, 300))
        try {
          await next()
        } finally {
          finished++
        }
      })
      const server = await serve(servable(app), { port: 0, signals: false })
      try {
        await leaveMidBody(server.port, '/items')
        // The whole body sent, then gone before the read: no answer can reach it either.
        await sendThenLeave(server.port, '/items', '{"name":"a"}', 12, 50)
        await expect.poll(() => finished, { timeout: 3000 }).toBe(2)
        expect(logs.filter((line) => line.startsWith('error'))).toEqual([])
      } finally {
        const closing = performance.now()
        await server.close()
        // Nothing left in flight for close() to wait out.
        expect(performance.now() - closing).toBeLessThan(2000)
      }
    },
  )
})
