import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { Gatehouse, type RunningServer, serve } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { captureLogger, describeEachEngine, serveThrough } from './helpers/http.js'
import { until } from './helpers/until.js'

// serve() wrote every handler's own Response as a stream: `new Response('text')`, Response.json()
// and a null body went out chunked with no Content-Length (Starlette sends one), and a stream that
// failed before its first byte left the client with no answer at all, the head already buffered.

function createApp() {
  const logger = captureLogger()
  const app = new Gatehouse({ logger, openapiUrl: null })
  app.get('/text', {}, () => new Response('héllo'))
  app.get('/json', {}, () => Response.json({ a: 1 }))
  app.get('/empty', {}, () => new Response(null, { status: 200 }))
  app.get('/bytes', {}, () => new Response(new Uint8Array(70_000).fill(65)))
  app.get('/declared', {}, () => new Response('abc', { headers: { 'content-length': '3' } }))
  app.get('/no-content', {}, () => new Response(null, { status: 204 }))
  app.get(
    '/slow-events',
    {},
    () =>
      new Response(
        new ReadableStream<Uint8Array>({
          async pull(controller) {
            await new Promise((resolve) => setTimeout(resolve, 300))
            controller.enqueue(new TextEncoder().encode('data: late\n\n'))
            controller.close()
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      ),
  )
  app.get(
    '/fails-at-once',
    {},
    () =>
      new Response(
        new ReadableStream({
          pull() {
            throw new Error('cursor failed')
          },
        }),
      ),
  )
  const released: string[] = []
  const tracked = (name: string) =>
    new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('x'.repeat(65_536)))
      },
      cancel() {
        released.push(name)
      },
    })
  // A header value Node refuses (DEL): the logged 500, and the stream released.
  app.get(
    '/bad-header',
    {},
    () => new Response(tracked('bad-header'), { headers: { 'x-a': 'a\x7fb' } }),
  )
  // Answered only after the client has gone.
  app.get('/late', {}, async () => {
    await new Promise((resolve) => setTimeout(resolve, 200))
    return new Response(tracked('late'))
  })
  return { app, logger, released }
}

describeEachEngine("a handler's own Response", (engine) => {
  const { app } = createApp()
  const send = serveThrough(engine, app)

  test('bodies arrive whole, whatever the framing', async () => {
    expect(await (await send('/text')).text()).toBe('héllo')
    expect(await (await send('/json')).json()).toEqual({ a: 1 })
    expect(await (await send('/empty')).text()).toBe('')
    expect((await (await send('/bytes')).arrayBuffer()).byteLength).toBe(70_000)
    expect(await (await send('/declared')).text()).toBe('abc')
    expect(await (await send('/slow-events')).text()).toBe('data: late\n\n')
  })
})

describe('serve() frames a Response whose body is whole at once', () => {
  const { app, logger, released } = createApp()
  let server: RunningServer
  beforeAll(async () => {
    server = await serve(app, { port: 0, hostname: '127.0.0.1', signals: false })
  })
  afterAll(() => server.close())

  const head = (path: string, method = 'GET') =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: string; at: number }>(
      (resolve, reject) => {
        const started = performance.now()
        const req = httpRequest(`${server.url}${path}`, { method }, (res) => {
          const at = performance.now() - started
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => {
            body += chunk
          })
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, at }),
          )
          res.on('error', reject)
        })
        req.on('error', reject)
        req.end()
      },
    )

  test('with a Content-Length, not chunked, as Starlette sends it', async () => {
    for (const [path, length] of [
      ['/text', '6'],
      ['/json', '7'],
      ['/empty', '0'],
      ['/bytes', '70000'],
      ['/declared', '3'],
    ] as const) {
      const { status, headers } = await head(path)
      expect(status, path).toBe(200)
      expect(headers['content-length'], path).toBe(length)
      expect(headers['transfer-encoding'], path).toBeUndefined()
    }
    const noContent = await head('/no-content')
    expect(noContent.status).toBe(204)
    expect(noContent.headers['content-length']).toBeUndefined()
  })

  test('a stream not ready at once gets its head at once (before its first event), chunked', async () => {
    const { headers, body, at } = await head('/slow-events')
    expect(at).toBeLessThan(250)
    expect(headers['transfer-encoding']).toBe('chunked')
    expect(body).toBe('data: late\n\n')
  })

  test('a stream failing before its first byte is a logged 500, not a dropped connection', async () => {
    logger.calls.length = 0
    const { status, body } = await head('/fails-at-once')
    expect(status).toBe(500)
    expect(JSON.parse(body)).toEqual({ detail: 'Internal Server Error' })
    expect(logger.calls.map(([, error]) => (error as Error).message)).toEqual(['cursor failed'])
  })

  test('a stream that is not sent is released: a refused header, a client gone before the answer', async () => {
    logger.calls.length = 0
    expect((await head('/bad-header')).status).toBe(500)
    await until(() => released.includes('bad-header'))
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${server.url}/late`)
      req.on('error', () => resolve())
      req.end()
      setTimeout(() => {
        req.destroy()
        resolve()
      }, 50)
    })
    await until(() => released.includes('late'))
  })

  test('HEAD keeps only a declared length', async () => {
    expect((await head('/declared', 'HEAD')).headers['content-length']).toBe('3')
    const text = await head('/text', 'HEAD')
    expect(text.status).toBe(200)
    expect(text.body).toBe('')
  })
})
