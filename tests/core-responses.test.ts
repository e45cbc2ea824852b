import { Body, Gatehouse, Path, Query } from 'gatehouse'
import { beforeEach, expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger, describeEachEngine, serveThrough } from './helpers/http.js'

const User = z.object({
  username: z.string(),
  email: z.string().optional(),
  disabled: z.boolean().optional(),
})
const UserInDB = User.extend({ hashed_password: z.string() })
type UserInDB = z.infer<typeof UserInDB>

const db: Record<string, UserInDB> = {
  johndoe: { username: 'johndoe', email: 'john@example.com', hashed_password: 'fakehashedsecret' },
}

function createResponsesApp() {
  const logger = captureLogger()
  const app = new Gatehouse({ logger })
  app.get(
    '/users/{username}',
    { inputs: { username: Path(z.string()) }, response: User },
    ({ username }) => {
      const user = db[username]
      return user ?? { username, hashed_password: 'x', extra: { nested: true } }
    },
  )
  app.get('/users-list', { response: z.array(User) }, () => Object.values(db))
  app.get('/nested', { response: z.object({ owner: User, count: z.number() }) }, () => ({
    owner: db.johndoe as UserInDB,
    count: 1,
  }))
  app.get(
    '/defaults',
    { response: z.object({ name: z.string(), tags: z.array(z.string()).default([]) }) },
    () => ({ name: 'x' }),
  )
  app.post(
    '/items/',
    { inputs: { item: Body(z.object({ name: z.string() })) }, status: 201 },
    ({ item }) => item,
  )
  app.delete('/items/{id}', { inputs: { id: Path(z.number()) }, status: 204 }, () => ({
    ignored: true,
  }))
  app.get(
    '/raw',
    {},
    () =>
      new Response('<p>hi</p>', {
        status: 203,
        headers: { 'content-type': 'text/html', 'x-raw': '1' },
      }),
  )
  app.get('/broken', { response: User }, () => ({ name: 'no username' }) as never)
  // A raw Response would bypass the model, which is there to keep fields out: refused (500, logged).
  app.get('/raw-with-model', { response: User }, () => new Response('{"secret":1}') as never)
  app.get('/nothing', {}, () => undefined)
  app.get(
    '/big',
    { inputs: { n: Query(z.bigint()) }, response: z.object({ n: z.bigint(), text: z.string() }) },
    ({ n }) => ({ n: n * 2n, text: `"bigint:${n}"` }),
  )
  app.get('/big-unmodelled', {}, () => [-(2n ** 70n), 1, 'x'])
  app.get('/async', { response: z.number() }, async () => 42)
  app.get('/cookies', {}, () => {
    const headers = new Headers({ 'content-type': 'text/plain' })
    headers.append('set-cookie', 'a=1; Path=/')
    headers.append('set-cookie', 'b=2; Path=/; HttpOnly')
    return new Response('with cookies', { headers })
  })
  return { app, logger }
}

describeEachEngine('response models', (engine) => {
  const { app, logger } = createResponsesApp()
  const send = serveThrough(engine, app)
  beforeEach(() => {
    logger.calls.length = 0
  })

  test('the response schema strips fields it does not declare (no hashed_password)', async () => {
    const res = await send('/users/johndoe')
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(JSON.parse(text)).toEqual({ username: 'johndoe', email: 'john@example.com' })
    expect(text).not.toContain('hashed')
    const other = await send('/users/alice')
    expect(await other.json()).toEqual({ username: 'alice' })
  })

  test('stripping applies inside arrays and nested objects', async () => {
    expect(await (await send('/users-list')).json()).toEqual([
      { username: 'johndoe', email: 'john@example.com' },
    ])
    expect(await (await send('/nested')).json()).toEqual({
      owner: { username: 'johndoe', email: 'john@example.com' },
      count: 1,
    })
  })

  test('defaults of the response schema are filled in', async () => {
    expect(await (await send('/defaults')).json()).toEqual({ name: 'x', tags: [] })
  })

  test('a result that fails the response schema is a 500, logged, not leaked', async () => {
    const res = await send('/broken')
    expect(res.status).toBe(500)
    const text = await res.text()
    expect(JSON.parse(text)).toEqual({ detail: 'Internal Server Error' })
    expect(text).not.toContain('no username')
    expect(logger.calls).toHaveLength(1)
    const [message, errors] = logger.calls[0] as [string, unknown]
    expect(message).toContain('GET /broken')
    expect(errors).toEqual([
      expect.objectContaining({ type: 'missing', loc: ['response', 'username'] }),
    ])
  })

  test('an async handler is awaited before serialization', async () => {
    expect(await (await send('/async')).json()).toBe(42)
  })

  test('a bigint goes out as a JSON number with every digit, with a model or without', async () => {
    const res = await send('/big?n=12345678901234567890')
    expect(res.status).toBe(200)
    // Strings that look like the markers used inside stay strings.
    expect(await res.text()).toBe(
      '{"n":24691357802469135780,"text":"\\"bigint:12345678901234567890\\""}',
    )
    expect(await (await send('/big-unmodelled')).text()).toBe(`[-${2n ** 70n},1,"x"]`)
    expect(logger.calls).toEqual([])
  })

  test('undefined is sent as JSON null', async () => {
    const res = await send('/nothing')
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.text()).toBe('null')
  })
})

describeEachEngine('status and raw responses', (engine) => {
  const { app, logger } = createResponsesApp()
  const send = serveThrough(engine, app)
  beforeEach(() => {
    logger.calls.length = 0
  })

  test('status per route: 201', async () => {
    const res = await send('/items/', {
      method: 'POST',
      body: JSON.stringify({ name: 'Foo' }),
      headers: { 'content-type': 'application/json' },
    })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({ name: 'Foo' })
  })

  test('204 has an empty body whatever the handler returns', async () => {
    const res = await send('/items/3', { method: 'DELETE' })
    expect(res.status).toBe(204)
    expect(res.headers.get('content-type')).toBeNull()
    expect(await res.text()).toBe('')
  })

  test('a returned Response passes through untouched on a route without a response model', async () => {
    const res = await send('/raw')
    expect(res.status).toBe(203)
    expect(res.headers.get('content-type')).toBe('text/html')
    expect(res.headers.get('x-raw')).toBe('1')
    expect(await res.text()).toBe('<p>hi</p>')
    expect(logger.calls).toEqual([])
  })

  test('a returned Response on a route with a response model is refused, not passed around it', async () => {
    const res = await send('/raw-with-model')
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ detail: 'Internal Server Error' })
    expect(String((logger.calls[0]?.[1] as Error | undefined)?.message)).toMatch(/would bypass/)
  })

  test('a returned Response keeps every Set-Cookie header', async () => {
    const res = await send('/cookies')
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/; HttpOnly'])
    expect(await res.text()).toBe('with cookies')
  })

  test('a JSON answer declares its Content-Length, and HEAD declares the same without a body', async () => {
    const get = await send('/users/johndoe')
    const text = await get.text()
    expect(get.headers.get('content-length')).toBe(String(Buffer.byteLength(text)))
    const head = await send('/users/johndoe', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toBe('application/json')
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(text)))
    expect(await head.text()).toBe('')
  })

  test('HEAD on a returned Response keeps its status and headers and sends no body', async () => {
    const res = await send('/raw', { method: 'HEAD' })
    expect(res.status).toBe(203)
    expect(res.headers.get('x-raw')).toBe('1')
    expect(await res.text()).toBe('')
  })
})
