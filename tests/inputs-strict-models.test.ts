import { Body, Cookie, Form, Gatehouse, Header, Query } from 'gatehouse'
import { expect, test } from 'vitest'
import * as z from 'zod'
import { describeEngines } from './helpers/http.js'

// FastAPI's "Forbid Extra Query Parameters" (and cookies, headers, form fields): a model with
// `extra: "forbid"`, here `z.strictObject`, refuses every name it does not declare.
const app = new Gatehouse({ openapiUrl: null })
const Filter = z.strictObject({
  limit: z.number().default(100),
  tags: z.array(z.string()).optional(),
})
app.get('/items', { inputs: { f: Query(Filter) } }, ({ f }) => f)
app.get('/lenient', { inputs: { f: Query(z.object({ limit: z.number() })) } }, ({ f }) => f)
app.get('/loose', { inputs: { f: Query(z.looseObject({ limit: z.number() })) } }, ({ f }) => f)
app.get(
  '/cookies',
  { inputs: { c: Cookie(z.strictObject({ session_id: z.string().optional() })) } },
  ({ c }) => c,
)
app.post(
  '/login',
  { inputs: { f: Form(z.strictObject({ username: z.string(), note: z.string().optional() })) } },
  ({ f }) => f,
)
app.post('/json', { inputs: { item: Body(z.strictObject({ name: z.string() })) } }, (x) => x)
// FastAPI's header tutorial model: it declares `host`, which every HTTP/1.1 request carries.
const CommonHeaders = z.strictObject({
  host: z.string(),
  save_data: z.boolean(),
  x_tag: z.array(z.string()).default([]),
})
app.get('/headers', { inputs: { h: Header(CommonHeaders) } }, ({ h }) => h)
// What a bare `node:http` client adds on its own is declared too, so that one gets through.
const closed = CommonHeaders.extend({ connection: z.string().optional() })
app.get('/closed', { inputs: { h: Header(closed) } }, ({ h }) => ({ ...h, connection: undefined }))

// A mounted app reads the names through the parent's view.
const mounted = new Gatehouse({ openapiUrl: null })
mounted.get('/', { inputs: { h: Header(closed), c: Cookie(z.strictObject({})) } }, ({ h }) => h)
app.mount('/mounted', mounted)

const extra = (loc: (string | number)[], input: unknown) => ({
  type: 'extra_forbidden',
  loc,
  msg: 'Extra inputs are not permitted',
  input,
})
const form = (body: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body,
})

describeEngines('strict models refuse extra names', app, (send, engine) => {
  const answer = async (path: string, init?: RequestInit) => {
    const response = await send(path, init)
    return { status: response.status, body: await response.json() }
  }

  test('an extra query parameter is extra_forbidden, as in FastAPI; declared ones are read', async () => {
    expect(await answer('/items?limit=5&tool=plumbus')).toEqual({
      status: 422,
      body: { detail: [extra(['query', 'tool'], 'plumbus')] },
    })
    expect(await answer('/items?limit=5&tags=a&tags=b')).toEqual({
      status: 200,
      body: { limit: 5, tags: ['a', 'b'] },
    })
  })

  test('a repeated extra echoes every value, each extra its own error, in strict models only', async () => {
    const { body } = await answer('/items?tool=a&tool=b&other=1')
    expect(body.detail).toEqual([
      extra(['query', 'tool'], ['a', 'b']),
      extra(['query', 'other'], '1'),
    ])
    // Only a strict model: plain and loose objects ignore them, as before.
    expect(await answer('/lenient?limit=1&tool=plumbus')).toEqual({
      status: 200,
      body: { limit: 1 },
    })
    expect(await answer('/loose?limit=1&tool=plumbus')).toEqual({ status: 200, body: { limit: 1 } })
  })

  test('a mounted app refuses extras the same way', async () => {
    const headers: [string, string][] = [
      ['save-data', 'true'],
      ['x-tag', 'one'],
      ['x-tag', 'two'],
      ['cookie', 'a=1'],
    ]
    const { status, body } = await answer('/mounted/', { headers })
    expect(status).toBe(422)
    expect(body.detail).toEqual([
      extra(['header', 'cookie'], '[redacted]'),
      extra(['cookie', 'a'], '[redacted]'),
    ])
  })

  test('odd names are extras like any other, never a 500', async () => {
    const { status, body } = await answer('/items?__proto__=x&constructor=y&=z')
    expect(status).toBe(422)
    expect(body.detail).toEqual([
      extra(['query', '__proto__'], 'x'),
      extra(['query', 'constructor'], 'y'),
      extra(['query', ''], 'z'),
    ])
  })

  test('an extra cookie is refused (cookie values are redacted in errors)', async () => {
    const headers = { cookie: 'session_id=1; santa_tracker=good-list-please' }
    expect(await answer('/cookies', { headers })).toEqual({
      status: 422,
      body: { detail: [extra(['cookie', 'santa_tracker'], '[redacted]')] },
    })
    const ok = await answer('/cookies', { headers: { cookie: 'session_id=1' } })
    expect(ok).toEqual({ status: 200, body: { session_id: '1' } })
  })

  test('an extra form field is refused, empty or not, urlencoded or multipart', async () => {
    expect((await answer('/login', form('username=a&extra=1&blank='))).body.detail).toEqual([
      extra(['body', 'extra'], '1'),
      extra(['body', 'blank'], ''),
    ])
    const multipart = new FormData()
    multipart.append('username', 'a')
    multipart.append('extra', 'x')
    const { body } = await answer('/login', { method: 'POST', body: multipart })
    expect(body.detail).toEqual([extra(['body', 'extra'], 'x')])
    expect(await answer('/login', form('username=a&note='))).toEqual({
      status: 200,
      body: { username: 'a' },
    })
  })

  test('an extra is reported with the other problems of the same model', async () => {
    const { body } = await answer('/login', form('extra=1'))
    expect(body.detail).toEqual([
      { type: 'missing', loc: ['body', 'username'], msg: 'Field required', input: { extra: '1' } },
      extra(['body', 'extra'], '1'),
    ])
  })

  test('an unknown key of a strict JSON body is extra_forbidden too', async () => {
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"a","x":1}',
    }
    expect((await answer('/json', init)).body.detail).toEqual([extra(['body', 'x'], 1)])
  })

  test('a strict header model refuses every header it does not declare, and reads the rest', async () => {
    const { status, body } = await answer('/headers', {
      headers: { 'save-data': 'true', tool: 'plumbus', authorization: 'Bearer secret' },
    })
    expect(status).toBe(422)
    const names = body.detail.map((item: { loc: string[] }) => item.loc[1])
    expect(body.detail).toContainEqual(extra(['header', 'tool'], 'plumbus'))
    // Credentials are never echoed.
    expect(body.detail).toContainEqual(extra(['header', 'authorization'], '[redacted]'))
    for (const item of body.detail) expect(item.type).toBe('extra_forbidden')
    // As in FastAPI, the headers a client adds on its own are extras too: `fetch` sends some.
    if (engine.name === 'app.fetch') expect(names).toEqual(['authorization', 'tool'])
    else expect(names).toEqual(expect.arrayContaining(['user-agent', 'accept', 'connection']))

    // A repeated name goes out through `node:http` (Host and Connection only); `save_data`, the
    // field's own name, is no extra (nor read), as in FastAPI.
    const headers: [string, string][] = [
      ['save-data', 'true'],
      ['x-tag', 'one'],
      ['x-tag', 'two'],
      ['save_data', 'x'],
    ]
    expect(await answer('/closed', { headers })).toEqual({
      status: 200,
      body: { host: new URL(send.origin).host, save_data: true, x_tag: ['one', 'two'] },
    })
  })
})
