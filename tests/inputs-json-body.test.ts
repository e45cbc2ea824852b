import { Body, Gatehouse } from 'gatehouse'
import { expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger, describeEngines } from './helpers/http.js'

type Tree = { n?: Tree[] | undefined }
const Tree: z.ZodType<Tree> = z.lazy(() => z.object({ n: z.array(Tree).optional() }))
const Item = z.object({ name: z.string() })

const logger = captureLogger()
// One app per suite: a served app is closed with its server.
function createApp() {
  const app = new Gatehouse({ logger, openapiUrl: null })
  app.post('/tree', { inputs: { tree: Body(Tree) } }, () => 'ok')
  app.post('/any', { inputs: { value: Body(z.any()) } }, ({ value }) => value)
  app.post('/item', { inputs: { item: Body(Item) } }, ({ item }) => item)
  app.post('/optional', { inputs: { item: Body(Item.optional()) } }, ({ item }) => item ?? 'none')
  return app
}

// Bytes, so that `fetch` adds no `text/plain` of its own.
const post = (body: string, contentType?: string): RequestInit => ({
  method: 'POST',
  body: new TextEncoder().encode(body),
  headers: contentType === undefined ? {} : { 'content-type': contentType },
})
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`

describeEngines('JSON bodies: nesting depth', createApp(), (send) => {
  test.each(['/tree', '/any'])(
    '%s: 20,000 nested arrays are a 422 json_invalid, not a 500',
    async (path) => {
      const response = await send(path, post(`{"n":${nested(20_000)}}`, 'application/json'))
      expect(response.status).toBe(422)
      const { detail } = await response.json()
      expect(detail).toEqual([
        {
          type: 'json_invalid',
          loc: ['body'],
          msg: 'JSON decode error',
          input: {},
          ctx: { error: 'Nested deeper than 512 levels' },
        },
      ])
    },
  )

  test('512 levels are read; 513 are not', async () => {
    const ok = await send('/any', post(nested(512), 'application/json'))
    expect(ok.status).toBe(200)
    const deep = await send('/any', post(nested(513), 'application/json'))
    expect(deep.status).toBe(422)
  })

  test('brackets inside strings do not count as nesting', async () => {
    const value = { s: `"\\${'['.repeat(2000)}` }
    const response = await send('/any', post(JSON.stringify(value), 'application/json'))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual(value)
  })

  test('nothing was logged: no body became a 500', () => {
    expect(logger.calls).toEqual([])
  })
})

describeEngines('JSON bodies: content type', createApp(), (send) => {
  const json = '{"name":"a"}'
  test.each(['text/plain', ';;;', 'application/x-www-form-urlencoded', 'application/jsonx'])(
    'a body sent as %s is a 415',
    async (type) => {
      for (const path of ['/item', '/optional']) {
        const response = await send(path, post(json, type))
        expect(response.status).toBe(415)
        expect(await response.json()).toEqual({
          detail: 'Unsupported Media Type: expected application/json',
        })
      }
    },
  )

  test.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/merge-patch+json',
  ])('a body sent as %s is read', async (type) => {
    const response = await send('/item', post(json, type))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ name: 'a' })
  })

  test('without a Content-Type the body is read as JSON, as FastAPI does', async () => {
    const response = await send('/item', post(json))
    expect(response.status).toBe(200)
  })

  test('an empty body under another media type is simply missing', async () => {
    const optional = await send('/optional', post('', 'text/plain'))
    expect(await optional.json()).toBe('none')
    const required = await send('/item', post('', 'text/plain'))
    expect(required.status).toBe(422)
    expect((await required.json()).detail[0].type).toBe('missing')
  })
})

// FastAPI's 422 for malformed JSON: `loc: ["body", position]` and Python's reason in `ctx.error`,
// the position in code points. V8's own message is never shown: it can quote the body.
describeEngines('JSON bodies: where malformed JSON broke', createApp(), (send) => {
  test.each([
    ['{"name": "Foo",', 15, 'Expecting property name enclosed in double quotes'],
    ['{"name": "Foo"', 14, "Expecting ',' delimiter"],
    ['{"name" "Foo"}', 8, "Expecting ':' delimiter"],
    ['{"name": }', 9, 'Expecting value'],
    ['{"name": "Foo"} x', 16, 'Extra data'],
    ['[1,]', 3, 'Expecting value'],
    ['{"name": "abc', 9, 'Unterminated string starting at'],
    ['{"name": "a\\qb"}', 11, 'Invalid \\escape'],
    ['{"name": "\\u12G4"}', 11, 'Invalid \\uXXXX escape'],
    ['{"name": "\\u1234', 11, 'Invalid \\uXXXX escape'],
    ['{"name": "a\u0001"}', 11, 'Invalid control character at'],
    ['{"😀": "secret-value", oops}', 22, 'Expecting property name enclosed in double quotes'],
    ['secret-token-123', 0, 'Expecting value'],
  ])('%j: at %i, "%s"', async (body, position, reason) => {
    const response = await send('/item', post(body, 'application/json'))
    expect(response.status).toBe(422)
    const text = await response.text()
    expect(JSON.parse(text)).toEqual({
      detail: [
        {
          type: 'json_invalid',
          loc: ['body', position],
          msg: 'JSON decode error',
          input: {},
          ctx: { error: reason },
        },
      ],
    })
    expect(text).not.toContain('secret')
  })
})
