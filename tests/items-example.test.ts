import { beforeEach, expect, test } from 'vitest'
import { createItemsApp, type ItemsAppOptions } from '../examples/items/app.js'
import {
  describeEachEngine,
  type ServedSend,
  serveThrough,
  type Transport,
} from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const KEY = { 'x-key': 'fake-super-secret-key' }

/**
 * The example app served through `engine` once for a whole suite, with its in-memory items and
 * its event log put back as created before every test.
 */
function serveItemsApp(engine: Transport, options: ItemsAppOptions = {}) {
  const { app, items, events, audit } = createItemsApp(options)
  const initial = structuredClone([...items])
  const send = serveThrough(engine, app)
  beforeEach(() => {
    events.length = 0
    audit.length = 0
    items.clear()
    for (const [id, item] of structuredClone(initial)) items.set(id, item)
  })
  return { app, items, events, audit, send }
}

/** Sessions close after the response is written: wait until every opened one has closed. */
async function settled(events: string[]): Promise<void> {
  const balanced = () =>
    events.filter((e) => e === 'db:open').length === events.filter((e) => e === 'db:close').length
  for (let i = 0; i < 100 && !balanced(); i++) await new Promise((r) => setTimeout(r, 5))
}

async function call(send: ServedSend, path: string, init?: RequestInit, events?: string[]) {
  const res = await send(path, init)
  const body = res.status === 204 ? null : await res.json()
  if (events) await settled(events)
  return { status: res.status, body }
}

const jsonPost = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
})

describeEachEngine('items example: GET /items/', (engine) => {
  const { events, send } = serveItemsApp(engine)

  test('lists items through nested dependencies, without internal_note', async () => {
    expect(await call(send, '/items/', undefined, events)).toEqual({
      status: 200,
      body: [
        { id: 1, name: 'Foo', price: 50.2 },
        { id: 2, name: 'Bar', description: 'The bartenders', price: 62, tax: 20.2 },
      ],
    })
    expect(events).toEqual(['db:open', 'db:close'])
  })

  test('pagination and search read the query', async () => {
    expect((await call(send, '/items/?skip=1&limit=1')).body).toEqual([
      { id: 2, name: 'Bar', description: 'The bartenders', price: 62, tax: 20.2 },
    ])
    expect((await call(send, '/items/?q=FOO')).body).toEqual([{ id: 1, name: 'Foo', price: 50.2 }])
    expect((await call(send, '/items/?limit=0')).body).toEqual({
      detail: [expect.objectContaining({ type: 'too_small', loc: ['query', 'limit'], input: '0' })],
    })
  })

  test('invalid query values are one 422 and the database is never opened', async () => {
    const res = await call(send, '/items/?skip=-1&limit=101&q=ab')
    expect(res.status).toBe(422)
    expect(res.body.detail.map((e: { loc: unknown }) => e.loc)).toEqual([
      ['query', 'skip'],
      ['query', 'limit'],
      ['query', 'q'],
    ])
    expect(events).toEqual([])
  })

  test('the router dependency checks X-Key on every route', async () => {
    expect(await call(send, '/items/', { headers: KEY }, events)).toMatchObject({ status: 200 })
    expect(await call(send, '/items/', { headers: { 'x-key': 'wrong' } })).toEqual({
      status: 400,
      body: { detail: 'X-Key header invalid' },
    })
    expect(await call(send, '/items/1', { headers: { 'x-key': 'wrong' } })).toMatchObject({
      status: 400,
    })
    // The rejected requests never opened the database.
    expect(events).toEqual(['db:open', 'db:close'])
  })

  test('/items redirects to /items/ keeping the query', async () => {
    const res = await send('/items?q=foo')
    expect(res.status).toBe(307)
    expect(res.headers.get('location')).toBe('/items/?q=foo')
  })
})

describeEachEngine('items example: GET /items/{item_id}', (engine) => {
  const { events, send } = serveItemsApp(engine)

  test('reads one item through the response model', async () => {
    expect(await call(send, '/items/2', undefined, events)).toEqual({
      status: 200,
      body: { id: 2, name: 'Bar', description: 'The bartenders', price: 62, tax: 20.2 },
    })
    expect(events).toEqual(['db:open', 'db:close'])
  })

  test('404 for an unknown item still closes the database', async () => {
    expect(await call(send, '/items/99', undefined, events)).toEqual({
      status: 404,
      body: { detail: 'Item not found', item_id: 99 },
    })
    expect(events).toEqual(['db:open', 'db:close'])
  })

  test('a non-integer id is a 422', async () => {
    for (const id of ['abc', '1.5']) {
      const res = await call(send, `/items/${id}`)
      expect(res.status).toBe(422)
      expect(res.body.detail[0]).toMatchObject({ loc: ['path', 'item_id'] })
    }
  })

  test('other methods are 405 with Allow', async () => {
    const res = await send('/items/1', { method: 'DELETE' })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, HEAD')
    expect(events).toEqual([])
  })
})

describeEachEngine('items example: POST /items/', (engine) => {
  const { items, events, send } = serveItemsApp(engine)

  test('creates an item: 201, id assigned, internal_note stored but not returned', async () => {
    const res = await call(
      send,
      '/items/',
      jsonPost({ name: 'Baz', price: 3.5, tax: 0.5 }, KEY),
      events,
    )
    expect(res).toEqual({ status: 201, body: { id: 3, name: 'Baz', price: 3.5, tax: 0.5 } })
    expect(items.get(3)).toEqual({
      id: 3,
      name: 'Baz',
      price: 3.5,
      tax: 0.5,
      internal_note: 'created through the API',
    })
    expect(events).toEqual(['db:open', 'db:close'])
    expect((await call(send, '/items/3')).body).toMatchObject({ id: 3, name: 'Baz' })
  })

  test('an invalid item is a 422 listing every problem', async () => {
    const res = await call(send, '/items/', jsonPost({ name: '', price: -1, tax: 'x' }))
    expect(res.status).toBe(422)
    expect(res.body.detail.map((e: { type: string; loc: unknown }) => [e.type, e.loc])).toEqual([
      ['too_small', ['body', 'name']],
      ['too_small', ['body', 'price']],
      ['invalid_type', ['body', 'tax']],
    ])
    expect(items.size).toBe(2)
  })

  test('malformed JSON and a missing body', async () => {
    const bad = await call(send, '/items/', {
      method: 'POST',
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    })
    expect(bad.body.detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', 8] })
    expect(await call(send, '/items/', { method: 'POST' })).toEqual({
      status: 422,
      body: { detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] },
    })
  })
})

describeEachEngine('items example: POST /items/{item_id}/rename', (engine) => {
  const { items, events, send } = serveItemsApp(engine)

  test('renames from a urlencoded form', async () => {
    const res = await call(
      send,
      '/items/1/rename',
      { method: 'POST', body: new URLSearchParams({ name: 'Renamed' }) },
      events,
    )
    expect(res).toEqual({ status: 200, body: { id: 1, name: 'Renamed', price: 50.2 } })
    expect(items.get(1)?.name).toBe('Renamed')
    expect(events).toEqual(['db:open', 'db:close'])
  })

  test('renames from a multipart form too', async () => {
    const form = new FormData()
    form.append('name', 'Multi')
    expect(
      (await call(send, '/items/2/rename', { method: 'POST', body: form })).body,
    ).toMatchObject({
      name: 'Multi',
    })
  })

  test('a missing name, an unknown item, a JSON body', async () => {
    expect(
      await call(send, '/items/1/rename', {
        method: 'POST',
        body: new URLSearchParams({ name: '' }),
      }),
    ).toEqual({
      status: 422,
      body: {
        detail: [{ type: 'missing', loc: ['body', 'name'], msg: 'Field required', input: null }],
      },
    })
    expect(events).toEqual([])
    expect(
      await call(
        send,
        '/items/42/rename',
        { method: 'POST', body: new URLSearchParams({ name: 'x' }) },
        events,
      ),
    ).toEqual({ status: 404, body: { detail: 'Item not found', item_id: 42 } })
    expect(events).toEqual(['db:open', 'db:close'])
    expect((await call(send, '/items/1/rename', jsonPost({ name: 'x' }))).status).toBe(422)
  })
})

describeEachEngine('items example: OpenAPI', (engine) => {
  const { send } = serveItemsApp(engine)

  test('the document is valid and describes every route', async () => {
    const document = await (await send('/openapi.json')).json()
    await expectValidOpenAPI(document)
    expect(document.info).toEqual({
      title: 'Items example',
      description: 'Path, query, body and form inputs with nested dependencies.',
      version: '1.0.0',
    })
    expect(Object.keys(document.paths)).toEqual([
      '/items/',
      '/items/favorite',
      '/items/{item_id}',
      '/items/{item_id}/favorite',
      '/items/{item_id}/rename',
    ])
    expect(Object.keys(document.paths['/items/'])).toEqual(['get', 'post'])
    const list = document.paths['/items/'].get
    expect(list.tags).toEqual(['items'])
    // Grouped by location as FastAPI lists them; within one, the plan's order (the router's
    // dependency first, then the route's nested dependencies).
    expect(list.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual([
      'query:skip',
      'query:limit',
      'query:q',
      'header:x-key',
    ])
    expect(list.responses['200'].content['application/json'].schema).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/ItemOut' },
    })
    const create = document.paths['/items/'].post
    expect(create.requestBody).toEqual({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
      required: true,
    })
    expect(Object.keys(create.responses)).toEqual(['201', '422'])
    const rename = document.paths['/items/{item_id}/rename'].post
    expect(Object.keys(rename.requestBody.content)).toEqual(['application/x-www-form-urlencoded'])
    expect(document.components.schemas.ItemOut.properties).not.toHaveProperty('internal_note')
    expect(Object.keys(document.components.schemas).sort()).toEqual(
      expect.arrayContaining(['HTTPValidationError', 'Item', 'ItemOut', 'ValidationError']),
    )
    const ids = Object.values(document.paths).flatMap((item) =>
      Object.values(item as Record<string, { operationId: string }>).map((op) => op.operationId),
    )
    expect(new Set(ids).size).toBe(6)
  })
})

describeEachEngine('items example: one session', (engine) => {
  const { events, send } = serveItemsApp(engine)

  test('creates, reads back and redirects, closing the database after each request', async () => {
    const created = await send('/items/', jsonPost({ name: 'Net', price: 1 }))
    expect(created.status).toBe(201)
    expect(await created.json()).toEqual({ id: 3, name: 'Net', price: 1 })
    const read = await send('/items/3')
    expect(await read.json()).toEqual({ id: 3, name: 'Net', price: 1 })
    const redirect = await send('/items?skip=1')
    expect(redirect.status).toBe(307)
    expect(redirect.headers.get('location')).toBe('/items/?skip=1')
    await settled(events)
    expect(events).toEqual(['db:open', 'db:close', 'db:open', 'db:close'])
  })
})
