import { Gatehouse, HTTPException, Path, Query } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger, describeEachEngine, serveThrough, startServer } from './helpers/http.js'
import { type RawAnswer, rawRequest } from './helpers/raw-http.js'

// What an app hands the engines that HTTP cannot carry as given — a header value with CR/LF or a
// character above U+00FF, its own Content-Length, a status outside 200–599 — is answered the same
// by both engines: a logged 500 (or the engine's own framing), never a crashed process, a
// rejected `fetch` or a malformed answer on the wire.
function createApp() {
  const logger = captureLogger()
  const app = new Gatehouse({ logger })
  // The value comes from the client: an app echoing it into a challenge must not take the server down.
  app.get('/challenge', { inputs: { user: Query(z.string()) } }, ({ user }) => {
    throw new HTTPException(401, { headers: { 'www-authenticate': `Basic realm="${user}"` } })
  })
  app.get('/latin1', {}, () => {
    throw new HTTPException(400, { headers: { 'x-note': 'café' } })
  })
  app.get('/framing', { inputs: { response: Response } }, ({ response }) => {
    response.headers.set('content-length', '1')
    response.headers.set('transfer-encoding', 'chunked')
    return { hello: 'world' }
  })
  app.get('/framing-error', {}, () => {
    throw new HTTPException(400, { headers: { 'Content-Length': '2' } })
  })
  app.get('/status', { inputs: { response: Response, to: Query(z.coerce.number()) } }, (input) => {
    input.response.status = input.to
    return { ok: true }
  })
  app.get('/reset', { status: 205 }, () => ({ ignored: true }))
  app.get('/alive', {}, () => ({ alive: true }))
  // DEL (U+007F): `Headers` takes it, Node does not; both engines answer as Node must.
  app.get('/del-parameter', { inputs: { response: Response } }, ({ response }) => {
    response.headers.set('x-del', 'a\x7fb')
    return { ok: true }
  })
  app.get('/del-exception', {}, () => {
    throw new HTTPException(400, { headers: { 'x-del': 'a\x7fb' } })
  })
  app.get('/del-response', {}, () => new Response('raw', { headers: { 'x-del': 'a\x7fb' } }))
  app.get('/q/{name}/', { inputs: { name: Path(z.string()) } }, ({ name }) => ({ name }))
  return { app, logger }
}

const HELLO = JSON.stringify({ hello: 'world' })

/** `GET path` as raw bytes to `app` served on 127.0.0.1 (the server closed after), with headers. */
async function rawGet(app: Gatehouse, path: string, headers = ''): Promise<RawAnswer> {
  const server = await startServer(app)
  try {
    return await rawRequest(
      server.port,
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Connection: close\r\n\r\n`,
    )
  } finally {
    await server.close()
  }
}

describeEachEngine('response output the wire cannot carry', (engine) => {
  const { app, logger } = createApp()
  const send = serveThrough(engine, app)

  test.each([
    ['CR LF', 'a%0D%0AX-Injected:%201'],
    ['a character above U+00FF', '%E2%82%AC'],
    ['a NUL', 'a%00b'],
  ])('a header value with %s is a logged 500, and the server keeps serving', async (_, user) => {
    logger.calls.length = 0
    const res = await send(`/challenge?user=${user}`)
    expect(res.status).toBe(500)
    expect(res.headers.get('x-injected')).toBeNull()
    expect(await res.json()).toEqual({ detail: 'Internal Server Error' })
    expect(logger.calls).toHaveLength(1)
    // The header is named, its value (which may hold a token) is not.
    expect(String(logger.calls[0]?.[1])).toContain('www-authenticate')
    expect(String(logger.calls[0]?.[1])).not.toContain('Injected')
    expect((await send('/alive')).status).toBe(200)
  })

  test.each(['/del-parameter', '/del-exception', '/del-response'])(
    'a DEL in a header value (%s) is a logged 500',
    async (path) => {
      logger.calls.length = 0
      const res = await send(path)
      expect(res.status).toBe(500)
      expect(res.headers.get('x-del')).toBeNull()
      expect(logger.calls).toHaveLength(1)
    },
  )

  test('a request head over 16 KiB is 431, as Node answers it', async () => {
    const res = await send('/alive', { headers: { 'x-big': 'a'.repeat(20 * 1024) } })
    expect(res.status).toBe(431)
    const fits = await send('/alive', { headers: { 'x-big': 'a'.repeat(8 * 1024) } })
    expect(fits.status).toBe(200)
  })

  test('a Latin-1 header value reaches the client as the same character', async () => {
    const res = await send('/latin1')
    expect(res.status).toBe(400)
    expect(res.headers.get('x-note')).toBe('café')
  })

  test("the app's own Content-Length and Transfer-Encoding give way to the engine's", async () => {
    const res = await send('/framing')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe(String(HELLO.length))
    expect(res.headers.get('transfer-encoding')).toBeNull()
    expect(await res.text()).toBe(HELLO)
    const error = await send('/framing-error')
    expect(error.headers.get('content-length')).toBe(String((await error.text()).length))
  })

  test.each([0, 99, 101, 600, 1000, 200.5])(
    'response.status = %s is a logged 500',
    async (status) => {
      logger.calls.length = 0
      const res = await send(`/status?to=${status}`)
      expect(res.status).toBe(500)
      expect(String(logger.calls[0]?.[1])).toContain('response.status must be an integer')
    },
  )

  test('response.status within 200–599 is sent', async () => {
    expect((await send('/status?to=202')).status).toBe(202)
  })

  test('205 Reset Content sends no content, and says so', async () => {
    const res = await send('/reset')
    expect(res.status).toBe(205)
    expect(res.headers.get('content-length')).toBe('0')
    expect(await res.text()).toBe('')
  })
})

describe('on the wire (serve)', () => {
  test('one Content-Length, no Transfer-Encoding, however the app set them', async () => {
    const server = await startServer(createApp().app)
    try {
      for (const path of ['/framing', '/framing-error']) {
        const answer = await rawRequest(
          server.port,
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
        )
        expect(answer.headers['content-length']).toBe(String(answer.body.length))
        expect(answer.headers['transfer-encoding']).toBeUndefined()
      }
      const raw = await rawRequest(
        server.port,
        'GET /framing HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      )
      expect(raw.body).toBe(HELLO)
    } finally {
      await server.close()
    }
  })

  test('a raw Response whose body is longer than its Content-Length is cut, logged, not sent past it', async () => {
    const logger = captureLogger()
    const app = new Gatehouse({ logger })
    app.get('/lies', {}, () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('0123456789'))
          controller.close()
        },
      })
      return new Response(body, { headers: { 'content-length': '4' } })
    })
    const answer = await rawGet(app, '/lies')
    expect(answer.closed).toBe(true)
    expect(answer.body.length).toBeLessThanOrEqual(4)
    expect(logger.calls.length).toBe(1)
  })
})

test('an Expect other than 100-continue is 417 through both engines, as Node answers it', async () => {
  // fetch refuses to send Expect: in-process through app.request, over HTTP as raw bytes.
  const { app } = createApp()
  expect((await app.request('/alive', { headers: { expect: 'something-else' } })).status).toBe(417)
  expect((await rawGet(app, '/alive', 'Expect: something-else\r\n')).status).toBe(417)
})

describeEachEngine('request methods', (engine) => {
  const app = new Gatehouse()
  const seen: string[] = []
  app.use(async (ctx, next) => {
    seen.push(ctx.request.method)
    await next()
  })
  app.get('/items', {}, () => ['a'])
  const send = serveThrough(engine, app)

  test('a method Node does not parse is 400 on both engines, before any middleware', async () => {
    // Node's parser refuses it before the app runs, so app.fetch does too; `patch` is not PATCH
    // (fetch case-normalises only six methods).
    for (const method of ['FOO', 'patch', 'BREW']) {
      const res = await send('/items', { method })
      expect(res.status, method).toBe(400)
      expect(await res.text()).toBe('')
    }
    expect(seen).toEqual([])
    // One Node knows but no route takes is the router's 405, middleware included.
    const known = await send('/items', { method: 'PROPFIND' })
    expect(known.status).toBe(405)
    expect(known.headers.get('allow')).toBe('GET, HEAD')
    expect(seen).toEqual(['PROPFIND'])
  })
})

describe('paths the URL parser would encode', () => {
  test('a slash redirect sends the percent-encoded form through both engines', async () => {
    const { app } = createApp()
    const inProcess = await app.request('/q/a"b')
    expect(inProcess.headers.get('location')).toBe('/q/a%22b/')
    const raw = await rawGet(app, '/q/a"b')
    expect(raw.status).toBe(307)
    expect(raw.headers.location).toBe('/q/a%22b/')
  })
})

describe('set-up', () => {
  test('a method outside HTTPMethod is refused: Node would never route it', () => {
    const app = new Gatehouse()
    expect(() => app.route('FOO' as never, '/x', {}, () => ({}))).toThrow(
      'FOO /x: the method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
    )
  })

  test.each([100, 101, 103, 199, 600])(
    'a route status of %s is refused naming the route',
    (status) => {
      const app = new Gatehouse()
      expect(() => app.get('/x', { status }, () => ({}))).toThrow(
        /GET \/x: `status` must be an HTTP status code from 200 to 599/,
      )
    },
  )
})
