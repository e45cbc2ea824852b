import { gunzipSync } from 'node:zlib'
import { Gatehouse, HTTPException, type Middleware } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createMiddlewareApp } from '../examples/middleware/app.js'
import { captureLogger, type Send, transports } from './helpers/http.js'

/** An app whose middleware record what they see, so each test can read the onion from outside. */
function createApp() {
  const logger = captureLogger()
  const events: string[] = []
  const app = new Gatehouse({ openapiUrl: null, logger })
  const layer =
    (name: string): Middleware =>
    async (ctx, next) => {
      events.push(`${name}>`)
      await next()
      events.push(`<${name}:${ctx.status}`)
    }
  app.use(layer('a'))
  app.use(async (ctx, next) => {
    const path = ctx.request.path
    if (path === '/short') {
      ctx.response = new Response('answered early', { status: 418 })
      return
    }
    if (path === '/boom-before') throw new Error('middleware secret detail')
    if (path === '/refuse')
      throw new HTTPException(401, { headers: { 'www-authenticate': 'Basic' } })
    ctx.state.seenBy = 'second'
    await next()
    if (path === '/boom-after') throw new Error('after next')
    if (path === '/wrap') {
      const text = await ctx.response.text()
      ctx.response = new Response(text.toUpperCase(), ctx.response)
    }
  })
  app.use(layer('c'))
  app.use(async (ctx, next) => {
    await next()
    ctx.setHeader('x-state', String(ctx.state.seenBy))
    ctx.setHeader('x-content-type', ctx.header('content-type') ?? 'none')
    ctx.setHeader('x-size', String(ctx.bodySize ?? 'unknown'))
    ctx.setHeader('vary', 'Origin', { append: true })
    ctx.setHeader('set-cookie', 'b=2', { append: true })
  })
  app.get('/items', {}, () => {
    events.push('handler')
    return { items: ['é', '😀', '\ud800'] }
  })
  app.get(
    '/own',
    {},
    () => new Response('own', { headers: { vary: 'Accept', 'set-cookie': 'a=1' } }),
  )
  app.get('/redirect', {}, () => Response.redirect('http://localhost/items', 302))
  app.get('/stream', {}, () => new Response(new Blob(['streamed']).stream()))
  app.get('/wrap', {}, () => new Response('quiet', { headers: { 'content-type': 'text/plain' } }))
  app.get('/boom-after', {}, () => 'fine')
  return { app, events, logger }
}

describe.each(transports)('middleware ($name)', (transport) => {
  const { app, events, logger } = createApp()
  let send: Send
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ send, close } = await transport.open(app))
  })
  afterAll(() => close())

  const run = async (path: string, init?: RequestInit) => {
    events.length = 0
    logger.calls.length = 0
    const res = await send(path, init)
    return { res, text: await res.text() }
  }

  test('run as an onion: first added is outermost, the handler in the middle', async () => {
    const { res, text } = await run('/items')
    expect(res.status).toBe(200)
    expect(JSON.parse(text)).toEqual({ items: ['é', '😀', '\ud800'] })
    expect(events).toEqual(['a>', 'c>', 'handler', '<c:200', '<a:200'])
    expect(res.headers.get('x-state')).toBe('second')
  })

  test('setHeader on a framework reply: set, append (joined), Set-Cookie kept separate', async () => {
    const { res, text } = await run('/items')
    expect(res.headers.get('x-content-type')).toBe('application/json')
    // The UTF-8 size of the JSON text (é is 2 bytes, 😀 4, a lone surrogate escaped by JSON).
    expect(res.headers.get('x-size')).toBe(String(new TextEncoder().encode(text).length))
    expect(Number(res.headers.get('x-size'))).toBeGreaterThan(text.length)
    expect(res.headers.get('vary')).toBe('Origin')
    expect(res.headers.getSetCookie()).toEqual(['b=2'])
  })

  test("setHeader on a handler's own Response: appended to its headers", async () => {
    const { res, text } = await run('/own')
    expect(text).toBe('own')
    expect(res.headers.get('vary')).toBe('Accept, Origin')
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    expect(res.headers.get('x-size')).toBe('unknown')
  })

  test('setHeader on a Response with immutable headers (Response.redirect) works', async () => {
    const { res } = await run('/redirect', { redirect: 'manual' })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('http://localhost/items')
    expect(res.headers.get('vary')).toBe('Origin')
  })

  test('a streamed body passes through untouched', async () => {
    const { res, text } = await run('/stream')
    expect(text).toBe('streamed')
    expect(res.headers.get('x-size')).toBe('unknown')
  })

  test('they see 404, 405 (with Allow) and an unrouted OPTIONS', async () => {
    const missing = await run('/missing')
    expect(missing.res.status).toBe(404)
    expect(events).toEqual(['a>', 'c>', '<c:404', '<a:404'])
    expect(missing.res.headers.get('vary')).toBe('Origin')

    const wrongMethod = await run('/items', { method: 'DELETE' })
    expect(wrongMethod.res.status).toBe(405)
    expect(wrongMethod.res.headers.get('allow')).toBe('GET, HEAD')
    expect(events).toEqual(['a>', 'c>', '<c:405', '<a:405'])

    const options = await run('/items', { method: 'OPTIONS' })
    expect(options.res.status).toBe(405)
    expect(events).toEqual(['a>', 'c>', '<c:405', '<a:405'])
  })

  test('not calling next() answers without routing; outer middleware still see it', async () => {
    const { res, text } = await run('/short')
    expect(res.status).toBe(418)
    expect(text).toBe('answered early')
    expect(events).toEqual(['a>', '<a:418'])
  })

  test('ctx.response can be read and replaced', async () => {
    const { res, text } = await run('/wrap')
    expect(text).toBe('QUIET')
    expect(res.headers.get('content-type')).toBe('text/plain')
  })

  test('an error thrown before next() is a logged bare 500 that outer middleware still see', async () => {
    const { res, text } = await run('/boom-before')
    expect(res.status).toBe(500)
    expect(JSON.parse(text)).toEqual({ detail: 'Internal Server Error' })
    expect(text).not.toContain('secret')
    expect(events).toEqual(['a>', '<a:500'])
    expect(logger.calls).toHaveLength(1)
    expect(logger.calls[0]?.[0]).toBe('Unhandled error in a middleware')
  })

  test('an error thrown after next() replaces the answer with a logged 500', async () => {
    const { res, text } = await run('/boom-after')
    expect(res.status).toBe(500)
    expect(text).not.toContain('fine')
    expect(logger.calls).toHaveLength(1)
  })

  test('an error after reading ctx.response is not undone by an outer middleware reading it', async () => {
    events.length = 0
    const app = new Gatehouse({ openapiUrl: null, logger: captureLogger() })
    app.use(async (ctx, next) => {
      await next()
      events.push(`outer sees ${ctx.response.status}`)
    })
    app.use(async (ctx, next) => {
      await next()
      void ctx.response
      throw new Error('after reading the response')
    })
    app.get('/stale', {}, () => 'would leak')
    const { send: sendTo, close: closeIt } = await transport.open(app)
    try {
      const res = await sendTo('/stale')
      expect(res.status).toBe(500)
      expect(await res.text()).not.toContain('would leak')
      expect(events).toEqual(['outer sees 500'])
    } finally {
      await closeIt()
    }
  })

  test('an HTTPException thrown by a middleware answers with its status and headers', async () => {
    const { res, text } = await run('/refuse')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Basic')
    expect(JSON.parse(text)).toEqual({ detail: 'Unauthorized' })
    expect(logger.calls).toHaveLength(0)
  })
})

describe.each(transports)('middleware misuse and mounting ($name)', (transport) => {
  test('calling next() twice, answering nothing, or reading the answer away is a logged 500', async () => {
    const logger = captureLogger()
    const app = new Gatehouse({ openapiUrl: null, logger })
    app.use(async (ctx, next) => {
      if (ctx.request.path === '/twice') {
        await next()
        await next()
      }
      if (ctx.request.path === '/read') {
        await next()
        await ctx.response.text()
      }
    })
    app.get('/twice', {}, () => 'x')
    app.get('/nothing', {}, () => 'x')
    app.get('/read', {}, () => 'x')
    const { send, close } = await transport.open(app)
    try {
      expect((await send('/twice')).status).toBe(500)
      expect((await send('/nothing')).status).toBe(500)
      const read = await send('/read')
      expect(read.status).toBe(500)
      expect(await read.json()).toEqual({ detail: 'Internal Server Error' })
      expect(logger.calls.map(([, error]) => String(error))).toEqual([
        'TypeError: a middleware called next() twice',
        'TypeError: a middleware neither called next() nor set ctx.response',
        'TypeError: a middleware read the body of ctx.response without setting a new ctx.response',
      ])
    } finally {
      await close()
    }
  })

  test("a mounted app's middleware run inside the parent's, only for its paths", async () => {
    const events: string[] = []
    const parent = new Gatehouse({ openapiUrl: null })
    const child = new Gatehouse({ openapiUrl: null })
    parent.use(async (ctx, next) => {
      events.push(`parent ${ctx.request.path}`)
      await next()
      ctx.setHeader('x-parent', '1')
    })
    child.use(async (ctx, next) => {
      events.push(`child ${ctx.request.path}`)
      await next()
      ctx.setHeader('x-child', '1')
    })
    child.get('/hello', {}, () => 'hi')
    parent.get('/top', {}, () => 'top')
    parent.mount('/child', child)
    const { send, close } = await transport.open(parent)
    try {
      const inner = await send('/child/hello')
      expect(await inner.json()).toBe('hi')
      expect([inner.headers.get('x-parent'), inner.headers.get('x-child')]).toEqual(['1', '1'])
      const top = await send('/top')
      expect([top.headers.get('x-parent'), top.headers.get('x-child')]).toEqual(['1', null])
      expect(events).toEqual(['parent /child/hello', 'child /hello', 'parent /top'])
    } finally {
      await close()
    }
  })
})

test('use() refuses what is not a function, naming the method', () => {
  const app = new Gatehouse()
  expect(() => app.use('cors' as unknown as Middleware)).toThrow(
    new TypeError('use: a middleware must be a function'),
  )
})

describe.each(transports)('the middleware example app ($name)', (transport) => {
  const FRONT = 'http://127.0.0.1:5173'
  let send: Send
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ send, close } = await transport.open(createMiddlewareApp({ allowedOrigins: [FRONT] })))
  })
  afterAll(() => close())

  test('every answer carries CORS headers and the timing middleware, big ones are gzipped', async () => {
    const res = await send('/report', { headers: { origin: FRONT, 'accept-encoding': 'gzip' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe(FRONT)
    expect(res.headers.get('access-control-allow-credentials')).toBe('true')
    expect(res.headers.get('server-timing')).toMatch(/^app;dur=\d+\.\d$/)
    expect(res.headers.get('content-encoding')).toBe('gzip')
    // compress() is inside cors(), so it adds to Vary first.
    expect(res.headers.get('vary')).toBe('Accept-Encoding, Origin')
    // fetch() decodes the body itself; app.request() gives the bytes as sent.
    const bytes = Buffer.from(await res.arrayBuffer())
    const text = transport.name === 'app.fetch' ? gunzipSync(bytes).toString() : bytes.toString()
    expect(JSON.parse(text).rows).toHaveLength(200)
  })

  test('a 401 exposes its challenge; a preflight is answered; static files are served', async () => {
    const me = await send('/users/me', { headers: { origin: FRONT } })
    expect(me.status).toBe(401)
    expect(me.headers.get('www-authenticate')).toBe('Bearer')
    expect(me.headers.get('access-control-expose-headers')).toBe('WWW-Authenticate')
    const preflight = await send('/users/me', {
      method: 'OPTIONS',
      headers: {
        origin: FRONT,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'Authorization, Content-Type, Accept, Accept-Language, Content-Language',
    )
    const page = await send('/static/', { headers: { origin: FRONT } })
    expect(await page.text()).toContain('<title>Gatehouse front end</title>')
    expect(page.headers.get('cache-control')).toBe('public, max-age=3600')
    expect(page.headers.get('access-control-allow-origin')).toBe(FRONT)
  })
})
