import {
  Body,
  Cookie,
  dependency,
  Form,
  Gatehouse,
  Header,
  type OpenAPIDocument,
  Path,
  Query,
  Router,
} from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'
import { describeEachEngine, describeEngines, serveThrough } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const VALIDATION_ERROR_RESPONSE = {
  description: 'Validation Error',
  content: {
    'application/json': { schema: { $ref: '#/components/schemas/HTTPValidationError' } },
  },
}

const VALIDATION_SCHEMAS = {
  HTTPValidationError: {
    type: 'object',
    properties: {
      detail: {
        type: 'array',
        items: { $ref: '#/components/schemas/ValidationError' },
        title: 'Detail',
      },
    },
    title: 'HTTPValidationError',
  },
  ValidationError: {
    type: 'object',
    properties: {
      loc: {
        type: 'array',
        items: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
        title: 'Location',
      },
      msg: { type: 'string', title: 'Message' },
      type: { type: 'string', title: 'Error Type' },
      input: { title: 'Input' },
      ctx: { type: 'object', title: 'Context' },
    },
    required: ['loc', 'msg', 'type'],
    title: 'ValidationError',
  },
}

type Operation = {
  summary?: string
  operationId?: string
  tags?: string[]
  parameters?: Record<string, unknown>[]
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }>; required: boolean }
  responses: Record<string, unknown>
  deprecated?: boolean
  description?: string
}

function operation(doc: OpenAPIDocument, path: string, method: string): Operation {
  const item = doc.paths[path] as Record<string, Operation> | undefined
  const op = item?.[method]
  if (!op) throw new Error(`no ${method} ${path} in the document`)
  return op
}

function schemas(doc: OpenAPIDocument): Record<string, Record<string, unknown>> {
  return (doc.components as { schemas: Record<string, Record<string, unknown>> }).schemas
}

function createSmallApp() {
  const Item = z.object({ name: z.string(), price: z.number() }).meta({ id: 'Item' })
  const app = new Gatehouse({ title: 'Small', version: '1.2.3', description: 'A small API.' })
  app.get('/', {}, function root() {
    return { hello: 'world' }
  })
  const items = new Router({ prefix: '/items', tags: ['items'] })
  items.get(
    '/{item_id}',
    { inputs: { item_id: Path(z.string()), q: Query(z.string().optional()) }, response: Item },
    function readItem({ item_id }) {
      return { name: item_id, price: 1 }
    },
  )
  items.post(
    '/',
    { inputs: { item: Body(Item) }, response: Item, status: 201, summary: 'Create an item' },
    ({ item }) => item,
  )
  app.include(items)
  return app
}

const small = createSmallApp()
describeEngines('OpenAPI snapshot', small, (send) => {
  test('a small app produces exactly this document, served at /openapi.json', async () => {
    const res = await send('/openapi.json')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    const document = await res.json()
    expect(document).toEqual({
      openapi: '3.1.0',
      info: { title: 'Small', description: 'A small API.', version: '1.2.3' },
      paths: {
        '/': {
          get: {
            summary: 'Root',
            operationId: 'root__get',
            responses: {
              '200': {
                description: 'Successful Response',
                content: { 'application/json': { schema: {} } },
              },
            },
          },
        },
        '/items/{item_id}': {
          get: {
            tags: ['items'],
            summary: 'Read Item',
            operationId: 'read_item_items__item_id__get',
            parameters: [
              { name: 'item_id', in: 'path', required: true, schema: { type: 'string' } },
              { name: 'q', in: 'query', required: false, schema: { type: 'string' } },
            ],
            responses: {
              '200': {
                description: 'Successful Response',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
              },
              '422': VALIDATION_ERROR_RESPONSE,
            },
          },
        },
        '/items/': {
          post: {
            tags: ['items'],
            summary: 'Create an item',
            operationId: 'items__post',
            requestBody: {
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
              required: true,
            },
            responses: {
              '201': {
                description: 'Successful Response',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
              },
              '422': VALIDATION_ERROR_RESPONSE,
            },
          },
        },
      },
      components: {
        schemas: {
          ...VALIDATION_SCHEMAS,
          Item: {
            type: 'object',
            properties: { name: { type: 'string' }, price: { type: 'number' } },
            required: ['name', 'price'],
          },
        },
      },
    })
    expect(document).toEqual(small.openapi())
    await expectValidOpenAPI(document)
  })
})

describe('OpenAPI snapshot', () => {
  test('without inputs anywhere there are no validation schemas at all', async () => {
    const app = new Gatehouse()
    app.get('/health', {}, () => 'ok')
    const document = app.openapi()
    expect(document).toEqual({
      openapi: '3.1.0',
      info: { title: 'Gatehouse', version: '0.1.0' },
      paths: {
        '/health': {
          get: {
            summary: 'Get Health',
            operationId: 'health_get',
            responses: {
              '200': {
                description: 'Successful Response',
                content: { 'application/json': { schema: {} } },
              },
            },
          },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})

describe('OpenAPI parameters', () => {
  test('path, query, header and cookie parameters with schemas, names, required and docs', async () => {
    const paging = dependency(
      { limit: Query(z.number().int().positive().max(100).default(10)) },
      ({ limit }) => limit,
    )
    const app = new Gatehouse()
    app.get(
      '/files/{file_path:path}',
      {
        inputs: {
          file_path: Path(z.string(), { description: 'Where the file lives' }),
          paging,
          tags: Query(z.array(z.string()).optional()),
          item_query: Query(z.string().optional(), { alias: 'item-query', deprecated: true }),
          xToken: Header(z.string()),
          session: Cookie(z.string().optional()),
          hidden: Query(z.string().optional(), { includeInSchema: false }),
          filter: Query(z.object({ order_by: z.enum(['a', 'b']), page: z.number().optional() })),
        },
      },
      () => null,
    )
    const document = app.openapi()
    expect(Object.keys(document.paths)).toEqual(['/files/{file_path}'])
    expect(operation(document, '/files/{file_path}', 'get').parameters).toEqual([
      {
        name: 'file_path',
        in: 'path',
        required: true,
        schema: { type: 'string' },
        description: 'Where the file lives',
      },
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: { type: 'integer', exclusiveMinimum: 0, maximum: 100, default: 10 },
      },
      {
        name: 'tags',
        in: 'query',
        required: false,
        schema: { type: 'array', items: { type: 'string' } },
      },
      {
        name: 'item-query',
        in: 'query',
        required: false,
        schema: { type: 'string' },
        deprecated: true,
      },
      {
        name: 'order_by',
        in: 'query',
        required: true,
        schema: { type: 'string', enum: ['a', 'b'] },
      },
      { name: 'page', in: 'query', required: false, schema: { type: 'number' } },
      // Grouped by location, path then query, header and cookie, as FastAPI lists them.
      { name: 'x-token', in: 'header', required: true, schema: { type: 'string' } },
      { name: 'session', in: 'cookie', required: false, schema: { type: 'string' } },
    ])
    await expectValidOpenAPI(document)
  })
})

describe('OpenAPI request bodies', () => {
  const Item = z
    .object({ name: z.string(), owner: z.object({ id: z.number() }).meta({ id: 'Owner' }) })
    .meta({ id: 'Item', description: 'An item' })

  function createBodiesApp() {
    const app = new Gatehouse()
    app.post('/json', { inputs: { item: Body(Item) } }, () => null)
    app.post('/anonymous', { inputs: { data: Body(z.object({ a: z.string() })) } }, () => null)
    app.post(
      '/optional',
      { inputs: { data: Body(z.object({ a: z.string() }).optional()) } },
      () => null,
    )
    app.post(
      '/embedded',
      { inputs: { item: Item, importance: Body(z.number()), note: Body(z.string().optional()) } },
      () => null,
    )
    app.post(
      '/login',
      {
        inputs: {
          username: Form(z.string()),
          password: Form(z.string()),
          scope: Form(z.string().default('')),
        },
      },
      () => null,
    )
    app.post(
      '/upload',
      {
        inputs: { file: Form(z.file().mime(['image/png'])), caption: Form(z.string().optional()) },
      },
      () => null,
    )
    app.post(
      '/vendor',
      {
        inputs: {
          data: Body(z.object({ a: z.string() }), { mediaType: 'application/vnd.api+json' }),
        },
      },
      () => null,
    )
    return app
  }

  test('a JSON body refers to its named component; nested named schemas are components too', async () => {
    const document = createBodiesApp().openapi()
    expect(operation(document, '/json', 'post').requestBody).toEqual({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
      required: true,
    })
    expect(schemas(document).Item).toEqual({
      description: 'An item',
      type: 'object',
      properties: { name: { type: 'string' }, owner: { $ref: '#/components/schemas/Owner' } },
      required: ['name', 'owner'],
    })
    expect(schemas(document).Owner).toMatchObject({ type: 'object', required: ['id'] })
    await expectValidOpenAPI(document)
  })

  test('an anonymous object body gets a Body_<operationId> component; optional bodies are not required', () => {
    const document = createBodiesApp().openapi()
    expect(operation(document, '/anonymous', 'post').requestBody).toEqual({
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/Body_anonymous_post' } },
      },
      required: true,
    })
    expect(schemas(document).Body_anonymous_post).toMatchObject({
      title: 'Body_anonymous_post',
      required: ['a'],
    })
    expect(operation(document, '/optional', 'post').requestBody?.required).toBe(false)
  })

  test('several bodies are documented embedded, as they are read', () => {
    const document = createBodiesApp().openapi()
    expect(operation(document, '/embedded', 'post').requestBody).toEqual({
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/Body_embedded_post' } },
      },
      required: true,
    })
    expect(schemas(document).Body_embedded_post).toEqual({
      type: 'object',
      properties: {
        item: { $ref: '#/components/schemas/Item' },
        importance: { type: 'number' },
        note: { type: 'string' },
      },
      required: ['item', 'importance'],
      title: 'Body_embedded_post',
    })
  })

  test('urlencoded and multipart forms; a file field is binary', async () => {
    const document = createBodiesApp().openapi()
    expect(operation(document, '/login', 'post').requestBody).toEqual({
      content: {
        'application/x-www-form-urlencoded': {
          schema: { $ref: '#/components/schemas/Body_login_post' },
        },
      },
      required: true,
    })
    expect(schemas(document).Body_login_post).toEqual({
      type: 'object',
      properties: {
        username: { type: 'string' },
        password: { type: 'string' },
        scope: { type: 'string', default: '' },
      },
      required: ['username', 'password'],
      title: 'Body_login_post',
    })
    const upload = operation(document, '/upload', 'post').requestBody
    expect(Object.keys(upload?.content ?? {})).toEqual(['multipart/form-data'])
    expect(schemas(document).Body_upload_post).toMatchObject({
      properties: { file: { type: 'string', format: 'binary' }, caption: { type: 'string' } },
      required: ['file'],
    })
    await expectValidOpenAPI(document)
  })

  test('a custom media type is documented', () => {
    const document = createBodiesApp().openapi()
    expect(Object.keys(operation(document, '/vendor', 'post').requestBody?.content ?? {})).toEqual([
      'application/vnd.api+json',
    ])
  })
})

function createOperationsApp() {
  const app = new Gatehouse({
    title: 'Ops',
    openapiTags: [{ name: 'users', description: 'People' }],
    servers: [{ url: 'https://api.example.com' }],
  })
  const users = new Router({ prefix: '/users', tags: ['users'] })
  users.get('/', { tags: ['listing'] }, function listUsers() {
    return []
  })
  users.get('/{id}', { inputs: { id: Path(z.number()) } }, () => null)
  app.include(users)
  app.get('/a-b', {}, () => null)
  app.get('/a_b', {}, () => null)
  app.delete(
    '/things/{id}',
    {
      inputs: { id: Path(z.string()) },
      status: 204,
      deprecated: true,
      description: 'Removes a thing.',
      responses: { 404: { description: 'Not found', schema: z.object({ detail: z.string() }) } },
    },
    () => null,
  )
  app.get('/internal', { includeInSchema: false }, () => null)
  app.get('/explicit', { operationId: 'getExplicit', responseDescription: 'The thing' }, () => null)
  return app
}

describe('OpenAPI operations', () => {
  test('summary, operationId, tags, description and deprecated', async () => {
    const document = createOperationsApp().openapi()
    expect(operation(document, '/users/', 'get')).toMatchObject({
      tags: ['users', 'listing'],
      summary: 'List Users',
      operationId: 'list_users_users__get',
    })
    expect(operation(document, '/users/{id}', 'get')).toMatchObject({
      tags: ['users'],
      summary: 'Get Users',
      operationId: 'users__id__get',
    })
    expect(operation(document, '/things/{id}', 'delete')).toMatchObject({
      description: 'Removes a thing.',
      deprecated: true,
    })
    expect(operation(document, '/explicit', 'get').operationId).toBe('getExplicit')
    expect(document.tags).toEqual([{ name: 'users', description: 'People' }])
    expect(document.servers).toEqual([{ url: 'https://api.example.com' }])
    await expectValidOpenAPI(document)
  })

  test("a router's and an include's responses, deprecated and includeInSchema (FastAPI bigger_applications)", async () => {
    const app = new Gatehouse()
    const items = new Router({
      prefix: '/items',
      tags: ['items'],
      responses: { 404: { description: 'Not found' }, 409: { description: 'Router conflict' } },
    })
    items.get('/{id}', { inputs: { id: Path(z.string()) } }, () => null)
    items.put(
      '/{id}',
      { inputs: { id: Path(z.string()) }, responses: { 409: { description: 'Route conflict' } } },
      () => null,
    )
    app.include(items)
    const admin = new Router()
    admin.post('/', {}, () => null)
    app.include(admin, {
      prefix: '/admin',
      responses: { 418: { description: "I'm a teapot" } },
      deprecated: true,
    })
    const hidden = new Router()
    hidden.get('/hidden', {}, () => ({ ok: true }))
    app.include(hidden, { includeInSchema: false })
    const document = app.openapi()
    expect(operation(document, '/items/{id}', 'get').responses).toMatchObject({
      '404': { description: 'Not found' },
      '409': { description: 'Router conflict' },
    })
    // The route's own entry for a status wins over the router's.
    expect(operation(document, '/items/{id}', 'put').responses?.['409']).toEqual({
      description: 'Route conflict',
    })
    expect(operation(document, '/admin/', 'post')).toMatchObject({
      deprecated: true,
      responses: { '418': { description: "I'm a teapot" } },
    })
    expect(Object.keys(document.paths)).toEqual(['/items/{id}', '/admin/'])
    expect(await (await app.request('/hidden')).json()).toEqual({ ok: true })
    await expectValidOpenAPI(document)
  })

  test('a misspelt router or include option throws, naming it', () => {
    expect(() => new Router({ prefx: '/a' } as never)).toThrow('include: unknown option `prefx`')
    expect(() => new Gatehouse().include(new Router(), { respones: {} } as never)).toThrow(
      'include: unknown option `respones`',
    )
  })

  test('operationIds are unique even when generated ones collide', () => {
    const document = createOperationsApp().openapi()
    const ids = Object.values(document.paths).flatMap((item) =>
      Object.values(item as Record<string, Operation>).map((op) => op.operationId),
    )
    expect(new Set(ids).size).toBe(ids.length)
    expect(operation(document, '/a-b', 'get').operationId).toBe('a_b_get')
    expect(operation(document, '/a_b', 'get').operationId).toBe('a_b_get_2')
  })

  test('HTTPValidationError only on operations with inputs; 204 and extra responses', () => {
    const document = createOperationsApp().openapi()
    expect(operation(document, '/users/', 'get').responses['422']).toBeUndefined()
    expect(operation(document, '/users/{id}', 'get').responses['422']).toEqual(
      VALIDATION_ERROR_RESPONSE,
    )
    expect(operation(document, '/things/{id}', 'delete').responses).toEqual({
      '204': { description: 'Successful Response' },
      '404': {
        description: 'Not found',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: { detail: { type: 'string' } },
              required: ['detail'],
            },
          },
        },
      },
      '422': VALIDATION_ERROR_RESPONSE,
    })
    expect(operation(document, '/explicit', 'get').responses['200']).toMatchObject({
      description: 'The thing',
    })
    expect(schemas(document)).toMatchObject(VALIDATION_SCHEMAS)
  })

  test('dependency-only inputs still document the 422', () => {
    const app = new Gatehouse()
    const needsToken = dependency({ token: Header(z.string()) }, ({ token }) => token)
    app.get('/', { dependencies: [needsToken] }, () => null)
    const op = operation(app.openapi(), '/', 'get')
    expect(op.parameters).toEqual([
      { name: 'token', in: 'header', required: true, schema: { type: 'string' } },
    ])
    expect(op.responses['422']).toEqual(VALIDATION_ERROR_RESPONSE)
  })
})

describeEachEngine('OpenAPI served', (engine) => {
  const app = createOperationsApp()
  const send = serveThrough(engine, app)
  const moved = new Gatehouse({ openapiUrl: '/api/schema.json' })
  moved.get('/', {}, () => null)
  const sendMoved = serveThrough(engine, moved)
  const off = new Gatehouse({ openapiUrl: null })
  off.get('/', {}, () => null)
  const sendOff = serveThrough(engine, off)

  test('includeInSchema: false hides a route that is still served', async () => {
    expect(app.openapi().paths['/internal']).toBeUndefined()
    expect((await send('/internal')).status).toBe(200)
  })

  test('openapiUrl moves the document; null turns it and the docs pages off', async () => {
    expect((await sendMoved('/openapi.json')).status).toBe(404)
    const res = await sendMoved('/api/schema.json')
    expect(res.status).toBe(200)
    expect((await res.json()).openapi).toBe('3.1.0')

    for (const path of ['/openapi.json', '/docs', '/redoc', '/docs/oauth2-redirect'])
      expect((await sendOff(path)).status).toBe(404)
  })
})

describe('OpenAPI URL', () => {
  test('the document follows routes added after it was first generated', () => {
    const app = new Gatehouse()
    app.get('/a', {}, () => null)
    expect(Object.keys(app.openapi().paths)).toEqual(['/a'])
    app.get('/b', {}, () => null)
    expect(Object.keys(app.openapi().paths)).toEqual(['/a', '/b'])
  })
})
