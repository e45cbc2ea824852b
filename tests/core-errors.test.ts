import { request as httpRequest } from 'node:http'
import {
  Body,
  dependency,
  Form,
  Gatehouse,
  Header,
  HTTPException,
  Path,
  Query,
  RequestValidationError,
} from 'gatehouse'
import { beforeEach, describe, expect, onTestFinished, test } from 'vitest'
import * as z from 'zod'
import { captureLogger, describeEachEngine, serveThrough, startServer } from './helpers/http.js'

const Item = z.object({ name: z.string(), price: z.number().positive() })

function createErrorsApp() {
  const logger = captureLogger()
  const app = new Gatehouse({ logger, bodyLimit: 64, openapiUrl: null })
  const pagination = dependency(
    { limit: Query(z.number().int().max(100)), token: Header(z.string().min(3)) },
    ({ limit }) => limit,
  )
  const nested = dependency({ pagination, q: Query(z.string().min(2)) }, ({ q }) => q)
  app.post(
    '/items/',
    { inputs: { nested, item: Body(Item), verbose: Query(z.boolean()) } },
    ({ item }) => item,
  )
  app.post('/json', { inputs: { item: Body(Item) } }, ({ item }) => item)
  app.post('/optional-json', { inputs: { item: Body(Item.optional()) } }, ({ item }) => ({
    got: item ?? null,
  }))
  app.post(
    '/form',
    { inputs: { username: Form(z.string()), password: Form(z.string().min(8)) } },
    ({ username }) => ({ username }),
  )
  app.post(
    '/signup',
    { inputs: { user: Body(z.object({ name: z.string(), password: z.string().min(8) })) } },
    ({ user }) => user.name,
  )
  app.get('/teapot', {}, () => {
    throw new HTTPException(418, {
      detail: { reason: 'short and stout' },
      headers: { 'x-error': 'teapot' },
    })
  })
  app.get('/forbidden', {}, () => {
    throw new HTTPException(403)
  })
  app.get('/status/{code}', { inputs: { code: Path(z.number().int()) } }, ({ code }) => {
    throw new HTTPException(code)
  })
  app.get('/crash', {}, () => {
    throw new Error('database password is hunter2')
  })
  app.get('/async-crash', {}, async () => {
    await Promise.resolve()
    throw new TypeError('internal state at /srv/app')
  })
  app.get('/manual-422', {}, () => {
    throw new RequestValidationError([
      { type: 'value_error', loc: ['query', 'x'], msg: 'Value error, custom', input: 'y' },
    ])
  })
  return { app, logger }
}

describeEachEngine('errors', (engine) => {
  const { app, logger } = createErrorsApp()
  const send = serveThrough(engine, app)
  beforeEach(() => {
    logger.calls.length = 0
  })

  const json = async (path: string, init?: RequestInit) => {
    const res = await send(path, init)
    return { status: res.status, headers: res.headers, body: await res.json() }
  }
  const post = (body: string, contentType = 'application/json'): RequestInit => ({
    method: 'POST',
    body,
    headers: { 'content-type': contentType },
  })

  test('a converted value is echoed as the text that was sent (FastAPI path_params)', async () => {
    const app = new Gatehouse()
    app.get(
      '/things/{id}',
      {
        inputs: {
          id: Path(z.number().int()),
          page: Query(z.object({ size: z.number().max(50) })),
          ids: Query(z.array(z.number().int())),
          on: Header(z.boolean()),
        },
      },
      () => null,
    )
    app.post('/form', { inputs: { n: Form(z.number().int()) } }, () => null)
    const { send: served, close } = await engine.open(app)
    onTestFinished(close)
    const res = await served('/things/4.2?size=70&ids=1&ids=2.5', { headers: { on: 'maybe' } })
    expect(res.status).toBe(422)
    const inputs = (await res.json()).detail.map((item: { loc: unknown[]; input: unknown }) => [
      item.loc,
      item.input,
    ])
    expect(inputs).toEqual([
      [['path', 'id'], '4.2'],
      [['query', 'size'], '70'],
      [['query', 'ids', 1], '2.5'],
      [['header', 'on'], 'maybe'],
    ])
    const form = await served('/form', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'n=7.5',
    })
    expect((await form.json()).detail).toEqual([expect.objectContaining({ input: '7.5' })])
  })

  test('every invalid input of a request, across nested dependencies, lands in one 422', async () => {
    const res = await json(
      '/items/?limit=1000&q=x&verbose=perhaps',
      post(JSON.stringify({ name: 'Foo', price: -1 })),
    )
    expect(res.status).toBe(422)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.body).toEqual({
      detail: [
        {
          type: 'too_big',
          loc: ['query', 'limit'],
          msg: 'Too big: expected number to be <=100',
          // As sent: the text, not the number it was converted to (Pydantic echoes "1000").
          input: '1000',
          ctx: { maximum: 100, inclusive: true },
        },
        { type: 'missing', loc: ['header', 'token'], msg: 'Field required', input: null },
        {
          type: 'too_small',
          loc: ['query', 'q'],
          msg: 'Too small: expected string to have >=2 characters',
          input: 'x',
          ctx: { minimum: 2, inclusive: true },
        },
        {
          type: 'invalid_type',
          loc: ['query', 'verbose'],
          msg: 'Invalid input: expected boolean, received string',
          input: 'perhaps',
          ctx: { expected: 'boolean' },
        },
        {
          type: 'too_small',
          loc: ['body', 'price'],
          msg: 'Too small: expected number to be >0',
          input: -1,
          ctx: { minimum: 0, inclusive: false },
        },
      ],
    })
  })

  test('each item has type, loc, msg and input', async () => {
    const res = await json('/json', post(JSON.stringify({ price: 'free' })))
    expect(res.status).toBe(422)
    for (const item of res.body.detail) {
      expect(Object.keys(item)).toEqual(expect.arrayContaining(['type', 'loc', 'msg', 'input']))
      expect(item.loc[0]).toBe('body')
    }
    expect(res.body.detail[0]).toEqual({
      type: 'missing',
      loc: ['body', 'name'],
      msg: 'Field required',
      input: { price: 'free' },
    })
  })

  test('a missing body is one "missing" error at ["body"]', async () => {
    expect(await json('/json', { method: 'POST' })).toMatchObject({
      status: 422,
      body: { detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] },
    })
    expect(await json('/optional-json', { method: 'POST' })).toMatchObject({
      status: 200,
      body: { got: null },
    })
  })

  test('malformed JSON is 422 json_invalid', async () => {
    const res = await json('/json', post('{"name": "Foo",'))
    expect(res.status).toBe(422)
    expect(res.body.detail).toHaveLength(1)
    // FastAPI's: where it broke (a code-point index) and Python's reason.
    expect(res.body.detail[0]).toEqual({
      type: 'json_invalid',
      loc: ['body', 15],
      msg: 'JSON decode error',
      input: {},
      ctx: { error: 'Expecting property name enclosed in double quotes' },
    })
  })

  test('a JSON body sent as a form is a 415; form fields sent as JSON are missing', async () => {
    const asForm = await json(
      '/json',
      post('name=Foo&price=1', 'application/x-www-form-urlencoded'),
    )
    expect(asForm.status).toBe(415)
    const asJSON = await json('/form', post(JSON.stringify({ username: 'a', password: 'b' })))
    expect(asJSON.status).toBe(422)
    expect(asJSON.body.detail.map((e: { type: string; loc: unknown }) => [e.type, e.loc])).toEqual([
      ['missing', ['body', 'username']],
      ['missing', ['body', 'password']],
    ])
    const asText = await json('/json', post('{"name":"Foo","price":1}', 'text/plain'))
    expect(asText.status).toBe(415)
  })

  test('a body sent with two Content-Type headers is a 400, read as neither type', async () => {
    // app.fetch sees "application/json, text/plain", serve() would see only the first one.
    const res = await send('/json', {
      method: 'POST',
      body: JSON.stringify({ name: 'Foo', price: 1 }),
      headers: [
        ['content-type', 'application/json'],
        ['content-type', 'text/plain'],
      ],
    })
    const text = await res.text()
    expect(`${res.status} ${text}`).toMatch(/^400 /)
    expect(JSON.parse(text)).toMatchObject({ detail: expect.any(String) })
  })

  test('HTTPException answers {"detail": ...} with its status and headers', async () => {
    const res = await json('/teapot')
    expect(res.status).toBe(418)
    expect(res.body).toEqual({ detail: { reason: 'short and stout' } })
    expect(res.headers.get('x-error')).toBe('teapot')
    expect(await json('/forbidden')).toMatchObject({ status: 403, body: { detail: 'Forbidden' } })
  })

  test("an HTTPException's default detail is the status's reason phrase, as FastAPI's is", async () => {
    const phrases = {
      410: 'Gone',
      412: 'Precondition Failed',
      451: 'Unavailable For Legal Reasons',
      502: 'Bad Gateway',
      504: 'Gateway Timeout',
    }
    for (const [code, detail] of Object.entries(phrases))
      expect(await json(`/status/${code}`)).toMatchObject({
        status: Number(code),
        body: { detail },
      })
    // A status with no registered phrase still says which kind it is.
    expect(await json('/status/499')).toMatchObject({
      status: 499,
      body: { detail: 'Client Error' },
    })
    expect(await json('/status/599')).toMatchObject({
      status: 599,
      body: { detail: 'Server Error' },
    })
  })

  test('a RequestValidationError thrown by a handler is a 422 too', async () => {
    expect(await json('/manual-422')).toMatchObject({
      status: 422,
      body: {
        detail: [
          { type: 'value_error', loc: ['query', 'x'], msg: 'Value error, custom', input: 'y' },
        ],
      },
    })
  })

  test('any other error is a 500 that leaks nothing and is logged exactly once', async () => {
    for (const path of ['/crash', '/async-crash']) {
      const res = await send(path)
      expect(res.status).toBe(500)
      const text = await res.text()
      expect(JSON.parse(text)).toEqual({ detail: 'Internal Server Error' })
      expect(text).not.toMatch(/hunter2|srv|Error:|at /)
    }
    expect(logger.calls).toHaveLength(2)
    const [[message, error], [, second]] = logger.calls as [[string, Error], [string, Error]]
    expect(message).toContain('GET /crash')
    expect(error.message).toBe('database password is hunter2')
    expect(second).toBeInstanceOf(TypeError)
  })

  test('a field named password that fails validation is redacted in "input"', async () => {
    const form = await send('/form', {
      method: 'POST',
      body: new URLSearchParams({ username: 'u', password: 'short1' }),
    })
    const formText = await form.text()
    expect(form.status).toBe(422)
    expect(formText).not.toContain('short1')
    expect(JSON.parse(formText).detail[0]).toMatchObject({
      loc: ['body', 'password'],
      input: '[redacted]',
    })
    // Nested in a JSON body, and in the parent object echoed for a missing sibling.
    const body = await send('/signup', post(JSON.stringify({ password: 'tiny' })))
    const bodyText = await body.text()
    expect(body.status).toBe(422)
    expect(bodyText).not.toContain('tiny')
    expect(JSON.parse(bodyText).detail).toEqual([
      {
        type: 'missing',
        loc: ['body', 'name'],
        msg: 'Field required',
        input: { password: '[redacted]' },
      },
      expect.objectContaining({ loc: ['body', 'password'], input: '[redacted]' }),
    ])
  })

  test.each([
    ['gzip', 'gzip'],
    ['a list with a coding in it', 'identity, br'],
  ])(
    'a compressed body (%s) is 415 with Accept-Encoding: identity, never read as the body',
    async (_name, coding) => {
      const res = await send('/json', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': coding },
        body: JSON.stringify({ name: 'widget', price: 1 }),
      })
      expect(res.status).toBe(415)
      expect(res.headers.get('accept-encoding')).toBe('identity')
      expect(await res.json()).toEqual({
        detail: 'Unsupported Content-Encoding: send the request body uncompressed',
      })
      // identity is no coding at all.
      const plain = await send('/json', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'identity' },
        body: JSON.stringify({ name: 'widget', price: 1 }),
      })
      expect(plain.status).toBe(200)
      expect(logger.calls).toEqual([])
    },
  )

  test('a body over the limit is 413 when Content-Length says so', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(200), price: 1 })
    const res = await json('/json', post(big))
    expect(res).toMatchObject({ status: 413, body: { detail: 'Request body is too large' } })
    // Exactly at the limit is fine.
    const exact = JSON.stringify({ name: 'x'.repeat(64 - 21), price: 1 })
    expect(new TextEncoder().encode(exact).byteLength).toBe(64)
    expect((await send('/json', post(exact))).status).toBe(200)
  })

  test('a streamed (chunked) body over the limit is 413 too', async () => {
    const encoder = new TextEncoder()
    let pulls = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++
        if (pulls > 50) controller.close()
        else controller.enqueue(encoder.encode(pulls === 1 ? '{"name":"' : 'xxxxxxxxxxxxxxxx'))
      },
    })
    const res = await send('/json', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(413)
    expect(await res.json()).toEqual({ detail: 'Request body is too large' })
    expect(logger.calls).toEqual([])
  })

  test('forms are limited as well', async () => {
    const res = await send('/form', {
      method: 'POST',
      body: new URLSearchParams({ username: 'u'.repeat(100), password: 'p'.repeat(10) }),
    })
    expect(res.status).toBe(413)
  })
})

describe('body limit (app.fetch)', () => {
  test('a declared Content-Length over the limit is refused before any byte is read', async () => {
    const { app } = createErrorsApp()
    let pulls = 0
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls++
          controller.enqueue(new TextEncoder().encode('{}'))
          controller.close()
        },
      },
      { highWaterMark: 0 },
    )
    const request = new Request('http://localhost/json', {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { 'content-type': 'application/json', 'content-length': '65' },
    } as RequestInit)
    expect((await app.request(request)).status).toBe(413)
    expect(pulls).toBe(0)
  })
})

describe('body limit (serve)', () => {
  test('a declared Content-Length over the limit is refused before any byte is sent', async () => {
    const { app } = createErrorsApp()
    const server = await startServer(app)
    try {
      // Only the headers go out; the answer must come without waiting for the 65 bytes.
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const request = httpRequest(`${server.url}/json`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': '65' },
        })
        request.on('response', (response) => {
          response.resume()
          resolve(response.statusCode)
          request.destroy()
        })
        request.on('error', reject)
        request.flushHeaders()
      })
      expect(status).toBe(413)
    } finally {
      await server.close()
    }
  })
})

describeEachEngine('default body limit', (engine) => {
  const app = new Gatehouse()
  app.post('/', { inputs: { data: Body(z.string()) } }, ({ data }) => data.length)
  const send = serveThrough(engine, app)

  test('is 1 MiB', async () => {
    const ok = JSON.stringify('x'.repeat(1024 * 1024 - 2))
    const tooBig = JSON.stringify('x'.repeat(1024 * 1024 - 1))
    const post = (body: string) =>
      send('/', { method: 'POST', body, headers: { 'content-type': 'application/json' } })
    expect((await post(ok)).status).toBe(200)
    expect((await post(tooBig)).status).toBe(413)
  })
})
