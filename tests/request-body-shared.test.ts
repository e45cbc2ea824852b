import { createHmac } from 'node:crypto'
import { Body, Form, Gatehouse, serve } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'
import { describeEachEngine, serveThrough } from './helpers/http.js'

const SECRET = 'webhook secret'
const sign = (text: string) => createHmac('sha256', SECRET).update(text).digest('hex')

/**
 * A webhook app: a middleware checks the body's HMAC (reading it through `ctx.request.request`, as
 * the README allows) before routes that parse the same body with `Body()` and `Form()`.
 */
function createWebhookApp() {
  const app = new Gatehouse()
  app.use(async (ctx, next) => {
    if (ctx.request.header('x-signature') !== undefined) {
      const text = await ctx.request.request.text()
      if (sign(text) !== ctx.request.header('x-signature')) {
        ctx.response = Response.json({ detail: 'bad signature' }, { status: 401 })
        return
      }
      ctx.state.signed = text.length
    }
    if (ctx.request.header('x-read-twice') !== undefined) {
      // Each `request` is a new one over the same bytes, once they were read in full.
      const first = await ctx.request.request.text()
      const second = (await ctx.request.request.json()) as unknown
      ctx.state.twice = [first, second]
    }
    await next()
  })
  const event = z.object({ type: z.string() })
  app.post('/hook', { inputs: { event: Body(event) } }, ({ event }) => ({ event }))
  app.post('/limited', { inputs: { event: Body(event) }, bodyLimit: 16 }, ({ event }) => ({
    event,
  }))
  app.post(
    '/raw',
    { inputs: { event: Body(event), request: Request } },
    async ({ event, request }) => ({
      event,
      text: await request.text(),
      // The same bytes, read again as a stream.
      streamed: await new Response(request.clone().body).text(),
    }),
  )
  app.post(
    '/twice',
    { inputs: { event: Body(event), request: Request } },
    async ({ event, request }) => ({
      event,
      text: await request.text(),
      again: await request.text(),
    }),
  )
  app.post('/form', { inputs: { type: Form(z.string()) } }, ({ type }) => ({ type }))
  // As the MCP SDK's Web transport is used: the handler peeks at the JSON, then hands the same
  // Request on to code that reads it as a stream.
  app.post('/peek-then-stream', { inputs: { request: Request } }, async ({ request }) => {
    const peeked = (await request.json()) as unknown
    const reader = (request.body as ReadableStream<Uint8Array>).getReader()
    const chunks: Uint8Array[] = []
    for (let next = await reader.read(); !next.done; next = await reader.read())
      chunks.push(next.value)
    return {
      peeked,
      streamed: Buffer.concat(chunks).toString(),
      // Each stream is read once; the next `body` is a new one over the same bytes.
      again: await new Response(request.body).text(),
      text: await request.text(),
      bodyUsed: request.bodyUsed,
    }
  })
  const sub = new Gatehouse()
  sub.post('/hook', { inputs: { event: Body(event) } }, ({ event }) => ({ mounted: event }))
  app.mount('/sub', sub)
  return app
}

const json = (text: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  body: text,
  headers: { 'content-type': 'application/json', ...headers },
})

/** A body of unknown length (chunked over HTTP): only reading it tells its size. */
function streamed(text: string): RequestInit {
  const bytes = new TextEncoder().encode(text)
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': sign(text) },
    body: new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 10))
        controller.enqueue(bytes.slice(10))
        controller.close()
      },
    }),
    duplex: 'half',
  } as RequestInit
}

describeEachEngine('a body read once is there for every reader', (engine) => {
  const send = serveThrough(engine, createWebhookApp())
  const payload = '{"type":"push"}'

  test('a middleware reads the text (an HMAC), then a Body() route parses it', async () => {
    const answer = await send('/hook', json(payload, { 'x-signature': sign(payload) }))
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ event: { type: 'push' } })
    const forged = await send('/hook', json(payload, { 'x-signature': sign('{}') }))
    expect(forged.status).toBe(401)
  })

  test('so does a mounted app behind the middleware', async () => {
    const answer = await send('/sub/hook', json(payload, { 'x-signature': sign(payload) }))
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ mounted: { type: 'push' } })
  })

  test('the handler reads request.text() (and the stream) after Body() parsed it', async () => {
    for (const headers of [{}, { 'x-signature': sign(payload) }]) {
      const answer = await send('/raw', json(payload, headers))
      expect(answer.status).toBe(200)
      expect(await answer.json()).toEqual({
        event: { type: 'push' },
        text: payload,
        streamed: payload,
      })
    }
  })

  test("request.body streams the bytes again after the handler's own json() (MCP SDK)", async () => {
    for (const init of [json(payload), streamed(payload)]) {
      const answer = await send('/peek-then-stream', init)
      expect(answer.status).toBe(200)
      expect(await answer.json()).toEqual({
        peeked: { type: 'push' },
        streamed: payload,
        again: payload,
        text: payload,
        bodyUsed: true,
      })
    }
  })

  test('reading in full again on the same Request gives the same bytes', async () => {
    const answer = await send('/twice', json(payload))
    expect(await answer.json()).toEqual({ event: { type: 'push' }, text: payload, again: payload })
  })

  test('a middleware may read it twice, and the route still parses it', async () => {
    const answer = await send('/hook', json(payload, { 'x-read-twice': '1' }))
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ event: { type: 'push' } })
  })

  test('a Form() route parses a form a middleware read', async () => {
    const form = 'type=push'
    const answer = await send('/form', {
      method: 'POST',
      body: form,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-signature': sign(form),
      },
    })
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ type: 'push' })
  })

  test('the size limit still holds (413) when a middleware read the body first', async () => {
    const large = '{"type":"a much longer event type"}'
    const refused = await send('/limited', streamed(large))
    expect(refused.status).toBe(413)
    const small = '{"type":"push"}'
    const answered = await send('/limited', streamed(small))
    expect(answered.status).toBe(200)
    expect(await answered.json()).toEqual({ event: { type: 'push' } })
  })
})

/**
 * Reads of the whole body that bring no limit of their own: a middleware's before routing, a
 * handler's `request.text()`. An app of 64-byte bodies, one upload route of 4 KiB, a mounted app
 * with its own 1 KiB route.
 */
function createLimitsApp() {
  const app = new Gatehouse({ bodyLimit: 64 })
  const read: number[] = []
  app.use(async (ctx, next) => {
    if (ctx.request.header('x-middleware-reads') !== undefined)
      read.push((await ctx.request.request.text()).length)
    // Peeking at a copy, as Hono and Workers code does: held to the same limit.
    if (ctx.request.header('x-middleware-clones') !== undefined)
      read.push((await ctx.request.request.clone().text()).length)
    await next()
  })
  app.post('/small', {}, () => ({ ok: true }))
  app.post('/upload', { bodyLimit: 4096 }, () => ({ ok: true }))
  app.post('/handler', { inputs: { request: Request } }, async ({ request }) => ({
    length: (await request.text()).length,
  }))
  app.post(
    '/handler-upload',
    { inputs: { request: Request }, bodyLimit: 4096 },
    async ({ request }) => ({ length: (await request.arrayBuffer()).byteLength }),
  )
  const sub = new Gatehouse({ bodyLimit: 16 })
  sub.post('/big', { bodyLimit: 8192 }, () => ({ ok: true }))
  app.mount('/sub', sub)
  return { app, read }
}

/** `length` bytes, with a declared Content-Length or (chunked) without one. */
function sized(
  length: number,
  chunked: boolean,
  headers: Record<string, string> = {},
): RequestInit {
  const bytes = new TextEncoder().encode('x'.repeat(length))
  if (!chunked) return { method: 'POST', body: bytes, headers }
  return {
    method: 'POST',
    headers,
    body: new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < length; at += 1000) controller.enqueue(bytes.slice(at, at + 1000))
        controller.close()
      },
    }),
    duplex: 'half',
  } as RequestInit
}

describeEachEngine('reads with no limit of their own are held to bodyLimit', (engine) => {
  const { app, read } = createLimitsApp()
  const send = serveThrough(engine, app)
  const middleware = { 'x-middleware-reads': '1' }

  for (const chunked of [false, true]) {
    const kind = chunked ? 'chunked' : 'with Content-Length'
    test(`a middleware's text() is a 413 past the app's largest limit (${kind})`, async () => {
      read.length = 0
      // The upload route takes 4 KiB: a middleware may read that much before routing.
      const upload = await send('/upload', sized(4096, chunked, middleware))
      expect(upload.status).toBe(200)
      expect(read).toEqual([4096])
      // A mounted app's route takes 8 KiB: so may the mounting app's middleware.
      const mounted = await send('/sub/big', sized(8192, chunked, middleware))
      expect(mounted.status).toBe(200)
      expect(read).toEqual([4096, 8192])
      const over = await send('/upload', sized(100_000, chunked, middleware))
      expect(over.status).toBe(413)
      expect(await over.json()).toEqual({ detail: 'Request body is too large' })
      expect(read).toEqual([4096, 8192])
      // What a middleware read within the ceiling is still held to the route's own limit.
      const routeLimit = await send('/handler', sized(1000, chunked, middleware))
      expect(routeLimit.status).toBe(413)
      // A route that never reads the body answers.
      const unread = await send('/small', sized(1000, chunked, middleware))
      expect(unread.status).toBe(200)
    })

    test(`a handler's request.text() is a 413 past its route's limit (${kind})`, async () => {
      const within = await send('/handler', sized(64, chunked))
      expect(await within.json()).toEqual({ length: 64 })
      const over = await send('/handler', sized(65, chunked))
      expect(over.status).toBe(413)
      const upload = await send('/handler-upload', sized(4096, chunked))
      expect(await upload.json()).toEqual({ length: 4096 })
      const overUpload = await send('/handler-upload', sized(5000, chunked))
      expect(overUpload.status).toBe(413)
    })
  }

  test('a clone is held to the same limit, and the body is still there after it', async () => {
    read.length = 0
    const clones = { 'x-middleware-clones': '1' }
    const over = await send('/upload', sized(100_000, true, clones))
    expect(over.status).toBe(413)
    const within = await send('/handler-upload', sized(3000, false, clones))
    expect(await within.json()).toEqual({ length: 3000 })
    expect(read).toEqual([3000])
  })

  test('the connection is still usable for the next request', async () => {
    const over = await send('/handler', sized(100_000, true))
    expect(over.status).toBe(413)
    const next = await send('/handler', sized(10, false))
    expect(await next.json()).toEqual({ length: 10 })
  })
})

describeEachEngine('a body read as a stream', (engine) => {
  const app = new Gatehouse()
  app.post('/count', { inputs: { request: Request } }, async ({ request }) => {
    let bytes = 0
    let chunks = 0
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength
      chunks++
    }
    return { bytes, chunks: chunks > 0, used: request.bodyUsed }
  })
  app.post('/after-stream', { inputs: { request: Request } }, async ({ request }) => {
    await new Response(request.body).arrayBuffer()
    return { again: await request.text().catch((error: unknown) => (error as Error).name) }
  })
  const send = serveThrough(engine, app)

  test('still streams to a handler that reads request.body', async () => {
    const answer = await send('/count', { method: 'POST', body: 'x'.repeat(100_000) })
    expect(await answer.json()).toEqual({ bytes: 100_000, chunks: true, used: true })
  })

  test('is not kept: it cannot be read in full afterwards', async () => {
    const answer = await send('/after-stream', { method: 'POST', body: 'abc' })
    expect(await answer.json()).toEqual({ again: 'TypeError' })
  })
})

describe('through the Web engine under @hono/node-server (its own Request objects)', () => {
  test('bodies are read, shared and replayed: no 500', async () => {
    const app = createWebhookApp()
    // A fetch handler that is not the app: serve() runs it through @hono/node-server, whose
    // requests are `Request`s by prototype, not undici's.
    const server = await serve({ fetch: (request: Request) => app.fetch(request) }, { port: 0 })
    try {
      const url = `http://127.0.0.1:${server.port}`
      const payload = '{"type":"push"}'
      const hook = await fetch(`${url}/hook`, json(payload, { 'x-signature': sign(payload) }))
      expect(hook.status).toBe(200)
      expect(await hook.json()).toEqual({ event: { type: 'push' } })
      const raw = await fetch(`${url}/raw`, json(payload))
      expect(await raw.json()).toEqual({
        event: { type: 'push' },
        text: payload,
        streamed: payload,
      })
      const peek = await fetch(`${url}/peek-then-stream`, json(payload))
      expect(peek.status).toBe(200)
      expect((await peek.json()).streamed).toBe(payload)
      const form = await fetch(`${url}/form`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'type=push',
      })
      expect(await form.json()).toEqual({ type: 'push' })
    } finally {
      await server.close()
    }
  })
})

describe('a request without a body', () => {
  test('is handed to the handler as it came (app.fetch)', async () => {
    const app = new Gatehouse()
    let handed: Request | undefined
    app.get('/', { inputs: { request: Request } }, ({ request }) => {
      handed = request
      return {}
    })
    const request = new Request('http://localhost/')
    await app.fetch(request)
    expect(handed).toBe(request)
  })
})
