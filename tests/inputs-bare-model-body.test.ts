import { Gatehouse } from 'gatehouse'
import { expect, test } from 'vitest'
import * as z from 'zod'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

// FastAPI's "Bodies of pure lists": a bare `images: list[Image]` is the JSON body, and so is a
// union of models; a bare list of scalars stays a query parameter here.
const Image = z.object({ url: z.string(), name: z.string() }).meta({ id: 'Image' })
const Offer = z.object({ id: z.number() })

const app = new Gatehouse()
app.post('/images', { inputs: { images: z.array(Image) } }, ({ images }) => images)
app.post('/union', { inputs: { item: z.union([Image, Offer]) } }, ({ item }) => item)
app.post(
  '/tagged',
  {
    inputs: {
      item: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('a'), a: z.string() }),
        z.object({ kind: z.literal('b'), b: z.number() }),
      ]),
    },
  },
  ({ item }) => item,
)
app.post('/weights', { inputs: { weights: z.record(z.string(), z.number()) } }, (x) => x.weights)
app.post('/optional', { inputs: { images: z.array(Image).optional() } }, ({ images }) => ({
  absent: images === undefined,
}))
app.get('/tags', { inputs: { tags: z.array(z.string()).optional() } }, ({ tags }) => ({ tags }))

const post = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

describeEngines('bare schemas that hold models are the body', app, (send) => {
  const answer = async (path: string, init?: RequestInit) => {
    const response = await send(path, init)
    return { status: response.status, body: await response.json() }
  }

  test('a list of models is the JSON array body', async () => {
    const images = [{ url: 'http://a/1.png', name: 'one' }]
    expect(await answer('/images', post(images))).toEqual({ status: 200, body: images })
    // Optional, it may be left out.
    expect(await answer('/optional', { method: 'POST' })).toEqual({
      status: 200,
      body: { absent: true },
    })
  })

  test('its errors point into the body', async () => {
    const { status, body } = await answer('/images', post([{ url: 'u' }]))
    expect(status).toBe(422)
    expect(body.detail).toEqual([
      { type: 'missing', loc: ['body', 0, 'name'], msg: 'Field required', input: { url: 'u' } },
    ])
    const missing = await answer('/images', { method: 'POST' })
    expect(missing.body.detail).toEqual([
      { type: 'missing', loc: ['body'], msg: 'Field required', input: null },
    ])
  })

  test('a union or a discriminated union of models is the body', async () => {
    expect(await answer('/union', post({ id: 1 }))).toEqual({ status: 200, body: { id: 1 } })
    expect(await answer('/tagged', post({ kind: 'b', b: 2 }))).toEqual({
      status: 200,
      body: { kind: 'b', b: 2 },
    })
  })

  test('a record is the body; a list of scalars stays a query parameter', async () => {
    expect(await answer('/weights', post({ a: 1 }))).toEqual({ status: 200, body: { a: 1 } })
    // A list of scalars is still read from the query.
    expect(await answer('/tags?tags=a&tags=b')).toEqual({ status: 200, body: { tags: ['a', 'b'] } })
  })
})

test('OpenAPI documents them as the request body, not as query parameters', async () => {
  const document = app.openapi() as unknown as {
    paths: Record<string, Record<string, { parameters?: unknown[]; requestBody?: unknown }>>
  }
  const images = document.paths['/images']?.post
  expect(images?.parameters).toBeUndefined()
  expect(images?.requestBody).toEqual({
    content: {
      'application/json': {
        schema: { type: 'array', items: { $ref: '#/components/schemas/Image' } },
      },
    },
    required: true,
  })
  for (const path of ['/union', '/tagged', '/weights']) {
    expect(document.paths[path]?.post?.parameters).toBeUndefined()
    expect(document.paths[path]?.post?.requestBody).toMatchObject({ required: true })
  }
  expect(document.paths['/optional']?.post?.requestBody).toMatchObject({ required: false })
  expect(document.paths['/tags']?.get?.parameters).toMatchObject([{ name: 'tags', in: 'query' }])
  await expectValidOpenAPI(document)
})
