import { Body, Cookie, Form, Gatehouse, Header, Path, Query } from 'gatehouse'
import { expect, test } from 'vitest'
import * as z from 'zod'
import { describeEachEngine, serveThrough } from './helpers/http.js'

const Item = z.object({ name: z.string(), price: z.number() })
const User = z.object({ username: z.string() })

function createInputsApp() {
  const app = new Gatehouse({ openapiUrl: null })
  app.get(
    '/query',
    {
      inputs: {
        q: Query(z.string().optional()),
        limit: Query(z.number().int().default(10)),
        ratio: Query(z.number().optional()),
        big: Query(z.bigint().optional()),
        flag: Query(z.boolean().optional()),
        item_query: Query(z.string().optional(), { alias: 'item-query' }),
      },
    },
    (inputs) => ({ ...inputs, big: inputs.big?.toString() }),
  )
  app.get(
    '/tags',
    {
      inputs: {
        tag: Query(z.array(z.string()).default([])),
        n: Query(z.array(z.number()).optional()),
      },
    },
    (inputs) => inputs,
  )
  app.get(
    '/model',
    {
      inputs: {
        filter: Query(
          z.object({
            limit: z.number().int().max(100).default(100),
            order_by: z.enum(['created_at', 'updated_at']).default('created_at'),
            tags: z.array(z.string()).default([]),
          }),
        ),
      },
    },
    ({ filter }) => filter,
  )
  app.get(
    '/headers',
    {
      inputs: {
        user_agent: Header(z.string().optional()),
        xToken: Header(z.string().optional()),
        strange_header: Header(z.string().optional(), { convertUnderscores: false }),
        other: Header(z.string().optional(), { alias: 'X-Other-Name' }),
        x_values: Header(z.array(z.string()).optional()),
      },
    },
    (inputs) => inputs,
  )
  app.get(
    '/cookies',
    { inputs: { session: Cookie(z.string().optional()), ads_id: Cookie(z.string().optional()) } },
    (inputs) => inputs,
  )
  app.put(
    '/items/{item_id}',
    { inputs: { item_id: Path(z.number()), item: Body(Item), q: Query(z.string().optional()) } },
    (inputs) => inputs,
  )
  app.put('/embed', { inputs: { item: Body(Item, { embed: true }) } }, ({ item }) => item)
  app.put(
    '/several',
    { inputs: { item: Body(Item), user: Body(User), importance: Body(z.number()) } },
    (inputs) => inputs,
  )
  app.post(
    '/login',
    {
      inputs: {
        username: Form(z.string()),
        password: Form(z.string()),
        remember: Form(z.boolean().default(false)),
      },
    },
    ({ username, remember }) => ({ username, remember }),
  )
  app.post(
    '/login-model',
    { inputs: { form: Form(z.object({ username: z.string(), scope: z.string().default('') })) } },
    ({ form }) => form,
  )
  app.post(
    '/upload',
    { inputs: { file: Form(z.file()), note: Form(z.string().optional()) } },
    async ({ file, note }) => ({
      name: file.name,
      type: file.type,
      size: file.size,
      text: await file.text(),
      note,
    }),
  )
  app.post(
    '/raw/{id}',
    { inputs: { request: Request, id: Path(z.string()) } },
    async ({ request, id }) => ({
      id,
      method: request.method,
      path: new URL(request.url).pathname,
      header: request.headers.get('x-custom'),
      text: await request.text(),
    }),
  )
  app.post(
    '/bare/{item_id}',
    { inputs: { item_id: z.number(), item: Item, q: z.string().optional() } },
    (inputs) => inputs,
  )
  return app
}

describeEachEngine('inputs', (engine) => {
  const app = createInputsApp()
  const send = serveThrough(engine, app)

  const json = async (path: string, init?: RequestInit) => {
    const res = await send(path, init)
    return { status: res.status, body: await res.json() }
  }
  const jsonBody = (method: string, body: unknown): RequestInit => ({
    method,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  })

  test('query scalars: numbers, bigints and booleans are coerced without z.coerce', async () => {
    expect(
      await json('/query?q=abc&limit=5&ratio=0.5&big=12345678901234567890&flag=yes&item-query=x'),
    ).toEqual({
      status: 200,
      body: {
        q: 'abc',
        limit: 5,
        ratio: 0.5,
        big: '12345678901234567890',
        flag: true,
        item_query: 'x',
      },
    })
    expect(await json('/query')).toEqual({ status: 200, body: { limit: 10 } })
    for (const [raw, value] of [
      ['off', false],
      ['0', false],
      ['True', true],
      ['1', true],
    ] as const)
      expect((await json(`/query?flag=${raw}`)).body.flag).toBe(value)
  })

  test('query: the last of repeated values wins; text that does not convert is reported', async () => {
    expect((await json('/query?limit=1&limit=2&q=a&q=b')).body).toEqual({ limit: 2, q: 'b' })
    const bad = await json('/query?limit=ten&flag=maybe')
    expect(bad.status).toBe(422)
    expect(bad.body.detail.map((e: { loc: unknown; input: unknown }) => [e.loc, e.input])).toEqual([
      [['query', 'limit'], 'ten'],
      [['query', 'flag'], 'maybe'],
    ])
  })

  test('query lists read every occurrence', async () => {
    expect(await json('/tags?tag=a&tag=b&n=1&n=2')).toEqual({
      status: 200,
      body: { tag: ['a', 'b'], n: [1, 2] },
    })
    expect((await json('/tags')).body).toEqual({ tag: [] })
    const bad = await json('/tags?n=1&n=x')
    expect(bad.status).toBe(422)
    expect(bad.body.detail[0]).toMatchObject({ loc: ['query', 'n', 1], input: 'x' })
  })

  test('a query model reads several parameters into one object', async () => {
    expect(await json('/model?limit=3&tags=a&tags=b&order_by=updated_at')).toEqual({
      status: 200,
      body: { limit: 3, order_by: 'updated_at', tags: ['a', 'b'] },
    })
    expect((await json('/model')).body).toEqual({ limit: 100, order_by: 'created_at', tags: [] })
    const bad = await json('/model?limit=500&order_by=name')
    expect(bad.status).toBe(422)
    expect(bad.body.detail.map((e: { loc: unknown }) => e.loc)).toEqual([
      ['query', 'limit'],
      ['query', 'order_by'],
    ])
  })

  test('headers: underscores and camelCase become dashes; alias and convertUnderscores', async () => {
    const { body } = await json('/headers', {
      headers: {
        'user-agent': 'tests/1.0',
        'x-token': 'abc',
        strange_header: 'kept',
        'x-other-name': 'aliased',
        'x-values': 'a, b',
      },
    })
    expect(body).toEqual({
      user_agent: 'tests/1.0',
      xToken: 'abc',
      strange_header: 'kept',
      other: 'aliased',
      x_values: ['a', 'b'],
    })
    // A header sent with underscores does not satisfy a converted name.
    const underscored = await json('/headers', { headers: { x_token: 'nope' } })
    expect(underscored.body.xToken).toBeUndefined()
  })

  test('a header sent on several lines reads as its values joined, a list as every value', async () => {
    const { body } = await json('/headers', {
      headers: [
        ['x-token', 'first'],
        ['x-token', 'second'],
        ['x-values', 'a'],
        ['x-values', 'b, c'],
      ],
    })
    expect(body).toMatchObject({ xToken: 'first, second', x_values: ['a', 'b', 'c'] })
  })

  test('a repeated User-Agent reads joined too, like any other header', async () => {
    // Node keeps only the first of a few "singleton" headers (user-agent, referer, ...); the
    // Fetch standard joins every repeated header, so app.fetch sees both values.
    const { body } = await json('/headers', {
      headers: [
        ['user-agent', 'tests/1.0'],
        ['user-agent', 'proxy/2.0'],
      ],
    })
    expect(body).toMatchObject({ user_agent: 'tests/1.0, proxy/2.0' })
  })

  test('cookies are read and decoded', async () => {
    expect(
      await json('/cookies', { headers: { cookie: 'session=s%20one; ads_id="quoted"; x=1' } }),
    ).toEqual({ status: 200, body: { session: 's one', ads_id: 'quoted' } })
    expect((await json('/cookies')).body).toEqual({})
  })

  test('cookies from several Cookie header lines are all read', async () => {
    const res = await json('/cookies', {
      headers: [
        ['cookie', 'session=one'],
        ['cookie', 'ads_id=two'],
      ],
    })
    expect(res).toEqual({ status: 200, body: { session: 'one', ads_id: 'two' } })
  })

  test('path, body and query together', async () => {
    expect(await json('/items/5?q=x', jsonBody('PUT', { name: 'Foo', price: 1.5 }))).toEqual({
      status: 200,
      body: { item_id: 5, item: { name: 'Foo', price: 1.5 }, q: 'x' },
    })
  })

  test('Body({ embed: true }) reads body[key]', async () => {
    const item = { name: 'Foo', price: 2 }
    expect(await json('/embed', jsonBody('PUT', { item }))).toEqual({ status: 200, body: item })
    const whole = await json('/embed', jsonBody('PUT', item))
    expect(whole.status).toBe(422)
    expect(whole.body.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'item'] })
  })

  test('several bodies are embedded under their keys', async () => {
    const body = { item: { name: 'Foo', price: 2 }, user: { username: 'dave' }, importance: 5 }
    expect(await json('/several', jsonBody('PUT', body))).toEqual({ status: 200, body })
    const bad = await json('/several', jsonBody('PUT', { item: { name: 'Foo' }, importance: 'x' }))
    expect(bad.body.detail.map((e: { loc: unknown }) => e.loc)).toEqual([
      ['body', 'item', 'price'],
      ['body', 'user'],
      ['body', 'importance'],
    ])
  })

  test('urlencoded forms: fields, coercion, last value wins, empty counts as missing', async () => {
    const res = await json('/login', {
      method: 'POST',
      body: new URLSearchParams([
        ['username', 'first'],
        ['username', 'johndoe'],
        ['password', 'secret'],
        ['remember', 'true'],
      ]),
    })
    expect(res).toEqual({ status: 200, body: { username: 'johndoe', remember: true } })
    const empty = await json('/login', {
      method: 'POST',
      body: new URLSearchParams({ username: '', password: 'x' }),
    })
    expect(empty.status).toBe(422)
    expect(empty.body.detail).toEqual([
      { type: 'missing', loc: ['body', 'username'], msg: 'Field required', input: null },
    ])
  })

  test('a form model reads the whole form', async () => {
    expect(
      await json('/login-model', { method: 'POST', body: new URLSearchParams({ username: 'j' }) }),
    ).toEqual({ status: 200, body: { username: 'j', scope: '' } })
  })

  test('multipart forms carry files (z.file()) and text fields', async () => {
    const form = new FormData()
    form.append('file', new File(['hello file'], 'hello.txt', { type: 'text/plain' }))
    form.append('note', 'a note')
    expect(await json('/upload', { method: 'POST', body: form })).toEqual({
      status: 200,
      body: { name: 'hello.txt', type: 'text/plain', size: 10, text: 'hello file', note: 'a note' },
    })
    const missing = await json('/upload', { method: 'POST', body: new FormData() })
    expect(missing.status).toBe(422)
    expect(missing.body.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'file'] })
    // Text where a file is expected is a validation error, not a crash.
    const text = new FormData()
    text.append('file', 'not a file')
    const wrong = await json('/upload', { method: 'POST', body: text })
    expect(wrong.status).toBe(422)
    expect(wrong.body.detail[0].loc).toEqual(['body', 'file'])
  })

  test('the raw Request is passed through with its body unread', async () => {
    expect(
      await json('/raw/abc', { method: 'POST', body: 'raw text', headers: { 'x-custom': 'yes' } }),
    ).toEqual({
      status: 200,
      body: { id: 'abc', method: 'POST', path: '/raw/abc', header: 'yes', text: 'raw text' },
    })
  })

  test('a bare schema is a path parameter if the path names it, a body if an object, else query', async () => {
    const res = await json('/bare/3?q=z', jsonBody('POST', { name: 'Foo', price: 1 }))
    expect(res).toEqual({
      status: 200,
      body: { item_id: 3, item: { name: 'Foo', price: 1 }, q: 'z' },
    })
    const bad = await json('/bare/x', jsonBody('POST', {}))
    expect(bad.body.detail.map((e: { loc: unknown }) => e.loc)).toEqual([
      ['path', 'item_id'],
      ['body', 'name'],
      ['body', 'price'],
    ])
  })
})
