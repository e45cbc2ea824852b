import { Body, Gatehouse, Query } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger, describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

function createApp() {
  const app = new Gatehouse({ logger: captureLogger(), bodyLimit: 1024 })
  const Note = z.object({ text: z.string() })
  app.post('/small', { inputs: { note: Body(Note) }, bodyLimit: 16 }, ({ note }) => note)
  app.post('/default', { inputs: { note: Body(Note) } }, ({ note }) => note)
  app.get(
    '/extra',
    {
      openapiExtra: {
        'x-internal': true,
        responses: { '200': { description: 'Overridden' } },
        parameters: [{ name: 'x-trace', in: 'header', schema: { type: 'string' } }],
      },
    },
    () => ({ ok: true }),
  )
  // A route that answers bad input itself documents no 422.
  app.get(
    '/own-errors',
    {
      inputs: { q: Query(z.string()) },
      openapiExtra: {
        responses: { 422: null },
        'x-new': { kept: 1, dropped: null },
        security: null,
      },
    },
    ({ q }) => q,
  )
  return app
}

describeEngines('per-route bodyLimit', createApp(), (send) => {
  const post = (path: string, text: string) =>
    send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    })

  test('a body over the route limit is 413, under the app limit elsewhere', async () => {
    const tooBig = await post('/small', 'x'.repeat(40))
    expect(tooBig.status).toBe(413)
    expect(await tooBig.json()).toEqual({ detail: 'Request body is too large' })
    expect((await post('/small', 'ok')).status).toBe(200)
    expect((await post('/default', 'x'.repeat(40))).status).toBe(200)
    expect((await post('/default', 'x'.repeat(2000))).status).toBe(413)
  })
})

describe('route options', () => {
  test('openapiExtra is merged into the operation, objects key by key', async () => {
    const document = createApp().openapi()
    const operation = (document.paths['/extra'] as Record<string, Record<string, unknown>>).get
    expect(operation?.['x-internal']).toBe(true)
    expect(operation?.responses).toEqual({
      '200': {
        description: 'Overridden',
        content: { 'application/json': { schema: {} } },
      },
    })
    expect(operation?.parameters).toEqual([
      { name: 'x-trace', in: 'header', schema: { type: 'string' } },
    ])
    expect(operation?.operationId).toBe('extra_get')
    const own = (document.paths['/own-errors'] as Record<string, Record<string, unknown>>).get
    expect(Object.keys(own?.responses as object)).toEqual(['200'])
    expect(own?.['x-new']).toEqual({ kept: 1 })
    expect(own).not.toHaveProperty('security')
    await expectValidOpenAPI(document)
  })

  test('a bad bodyLimit throws at registration, naming the route', () => {
    const app = new Gatehouse()
    expect(() => app.post('/x', { bodyLimit: -1 }, () => null)).toThrow(
      /POST \/x: `bodyLimit` must be a non-negative integer/,
    )
  })
})

describe('misspelt options are set-up mistakes, not silently ignored', () => {
  test('an unknown route option throws naming the route and the key', () => {
    const app = new Gatehouse()
    expect(() => app.get('/x', { secruity: [] } as never, () => ({}))).toThrow(
      'GET /x: unknown route option `secruity`',
    )
  })

  test('an unknown app option throws naming the key', () => {
    expect(() => new Gatehouse({ rootpath: '/api' } as never)).toThrow(
      'Gatehouse: unknown option `rootpath`',
    )
  })

  test.each(['/api?x=1', '/api#f', '/a b'])('rootPath %j is refused', (rootPath) => {
    expect(() => new Gatehouse({ rootPath })).toThrow(/`rootPath` must be/)
  })
})

test('openapiExtra that is not an object is refused naming the route', () => {
  const app = new Gatehouse()
  expect(() => app.get('/x', { openapiExtra: 5 } as never, () => ({}))).toThrow(
    'GET /x: `openapiExtra` must be an object',
  )
})
