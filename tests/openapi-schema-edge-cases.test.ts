import { Body, Gatehouse, type OpenAPIDocument, Query } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

// Schemas the document once got wrong: it must stay a valid OpenAPI 3.1 description whose
// request schemas accept what the server accepts.
type Node = { v: number; next?: Node | undefined }
const Linked: z.ZodType<Node> = z.lazy(() => z.object({ v: z.number(), next: Linked.optional() }))
const Y = z.object({ d: z.number().default(1) }).meta({ id: 'Y' })
const X = z.object({ y: Y, name: z.string() }).meta({ id: 'X' })

function createApp() {
  const app = new Gatehouse({
    title: 'Edges',
    rootPath: '/api/v1',
    servers: [{ url: 'https://prod.example.com' }],
  })
  // Anonymous and recursive: inline, `"$ref": "#"` would mean the whole document.
  app.post('/linked', { inputs: { node: Body(Linked) }, response: Linked }, ({ node }) => node)
  // One schema for input and output, with a default inside: each side names its own variant.
  app.post('/x', { inputs: { x: Body(X) }, response: X }, ({ x }) => x)
  app.post(
    '/odd',
    {
      operationId: 'login user/v2',
      inputs: { item: Body(z.object({ a: z.string() }).meta({ id: 'My Item~1' })) },
    },
    () => null,
  )
  app.get(
    '/when',
    {
      inputs: { zone: Query(z.string().optional()) },
      response: z.object({ at: z.date() }),
      responses: { 200: { description: 'The time' }, 422: { description: 'Bad input' } },
    },
    () => ({ at: new Date(0) }),
  )
  app.post(
    '/when',
    { inputs: { at: Body(z.object({ strict: z.date(), coerced: z.coerce.date() })) } },
    () => null,
  )
  app.get(
    '/count',
    { inputs: { above: Query(z.bigint()) }, response: z.object({ total: z.bigint() }) },
    ({ above }) => ({ total: above + 1n }),
  )
  return app
}

const COMPONENT_NAME = /^[a-zA-Z0-9.\-_]+$/

describeEngines('OpenAPI edge cases', createApp(), (send) => {
  let document: OpenAPIDocument
  const load = async () => {
    document ??= (await (await send('/openapi.json')).json()) as OpenAPIDocument
    return document
  }
  const components = async () =>
    ((await load()).components as { schemas: Record<string, Record<string, unknown>> }).schemas
  const bodyRef = async (path: string) =>
    (
      (await load()).paths[path] as {
        post: { requestBody: { content: Record<string, { schema: { $ref: string } }> } }
      }
    ).post.requestBody.content['application/json']?.schema.$ref

  test('the document is valid, and every component name is one OpenAPI allows', async () => {
    await expectValidOpenAPI(await load())
    for (const name of Object.keys(await components())) expect(name).toMatch(COMPONENT_NAME)
  })

  test('an anonymous recursive schema becomes a component that refers to itself', async () => {
    expect(await bodyRef('/linked')).toBe('#/components/schemas/Body_linked_post')
    const body = (await components()).Body_linked_post as {
      properties: { next: { $ref: string } }
    }
    expect(body.properties.next.$ref).toBe('#/components/schemas/Body_linked_post')
    expect(JSON.stringify(await load())).not.toContain('"$ref":"#"')
  })

  test("a request body refers to its parts' input variants, a response to their output ones", async () => {
    const all = await components()
    expect(await bodyRef('/x')).toBe('#/components/schemas/X')
    expect(all.X?.properties).toMatchObject({ y: { $ref: '#/components/schemas/Y' } })
    expect(all['X-Output']?.properties).toMatchObject({
      y: { $ref: '#/components/schemas/Y-Output' },
    })
    // The input side of Y does not require what its default fills in.
    expect(all.Y?.required).toBeUndefined()
    expect(all['Y-Output']?.required).toEqual(['d'])
  })

  test('names from an operationId or an id with other characters are made safe', async () => {
    const all = await components()
    expect(all.My_Item_1).toBeDefined()
    expect(await bodyRef('/odd')).toBe('#/components/schemas/My_Item_1')
  })

  test('a description for the success status or the 422 keeps their schemas', async () => {
    type Documented = { description: string; content: Record<string, { schema: unknown }> }
    const responses = (
      (await load()).paths['/when'] as { get: { responses: Record<string, Documented> } }
    ).get.responses
    expect(responses['200']?.description).toBe('The time')
    expect(responses['422']?.description).toBe('Bad input')
    expect(responses['422']?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/HTTPValidationError',
    })
    expect(responses['200']?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/Response_when_get',
    })
    const response = (await components()).Response_when_get as {
      properties: { at: unknown }
    }
    // A Date goes out as JSON.stringify writes it.
    expect(response.properties.at).toEqual({ type: 'string', format: 'date-time' })
  })

  test('a date input is a date-time string, converted or coerced to a Date', async () => {
    const body = (await components()).Body_when_post as {
      properties: { strict: unknown; coerced: unknown }
    }
    // ISO text becomes a Date for a plain z.date() too, as FastAPI reads a datetime.
    expect(body.properties.strict).toEqual({ type: 'string', format: 'date-time' })
    expect(body.properties.coerced).toEqual({ type: 'string', format: 'date-time' })
  })

  test('a bigint is an integer, in and out', async () => {
    const get = (await load()).paths['/count'] as {
      get: { parameters: { schema: unknown }[]; responses: Record<string, unknown> }
    }
    expect(get.get.parameters[0]?.schema).toEqual({ type: 'integer' })
    const response = (await components()).Response_count_get as { properties: { total: unknown } }
    expect(response.properties.total).toEqual({ type: 'integer' })
  })

  test("the root path is the first server, before the app's own", async () => {
    expect((await load()).servers).toEqual([
      { url: '/api/v1' },
      { url: 'https://prod.example.com' },
    ])
  })
})

describe('openapiExtra set-up mistakes', () => {
  test('an operationId given through openapiExtra must be unique too', () => {
    const app = new Gatehouse()
    app.get('/a', { operationId: 'uniq' }, () => null)
    expect(() => app.get('/b', { openapiExtra: { operationId: 'uniq' } }, () => null)).toThrow(
      'GET /b: duplicate operationId "uniq"',
    )
  })

  test.each([
    [{ responses: 'oops' }, '`openapiExtra.responses` must be an object'],
    [{ parameters: 5 }, '`openapiExtra.parameters` must be an array'],
    [{ operationId: 7 }, '`openapiExtra.operationId` must be a string'],
  ])('%j is refused naming the field', (extra, message) => {
    const app = new Gatehouse()
    expect(() => app.get('/x', { openapiExtra: extra }, () => null)).toThrow(message)
  })
})

// Client generators need a discriminated union's property and mapping to pick a member, an int
// enum's `integer` to make ints, and a `.catch()` field not required (it takes its fallback).
enum Level {
  Low = 1,
  High = 2,
}
const Cat = z.object({ kind: z.literal('cat'), meow: z.boolean() }).meta({ id: 'Cat' })
const Dog = z.object({ kind: z.literal(['dog', 'puppy']), bark: z.boolean() }).meta({ id: 'Dog' })

function createPetsApp() {
  const app = new Gatehouse({ title: 'Pets' })
  app.post(
    '/pets',
    {
      inputs: {
        pet: Body(z.discriminatedUnion('kind', [Cat, Dog])),
        level: Query(z.enum(Level)),
        size: Query(z.literal([1, 2, 3]).optional()),
        ratio: Query(z.literal([0.5, 1]).optional()),
        options: Body(
          z.object({
            color: z.string().catch('brown'),
            inline: z.discriminatedUnion('t', [
              z.object({ t: z.literal('a') }),
              z.object({ t: z.literal('b') }),
            ]),
          }),
        ),
      },
    },
    ({ pet, level, options }) => ({ kind: pet.kind, level, color: options.color }),
  )
  return app
}

describeEngines(
  'OpenAPI for discriminated unions, int enums and .catch()',
  createPetsApp(),
  (send) => {
    const load = async () => (await (await send('/openapi.json')).json()) as OpenAPIDocument
    type Schemas = Record<
      string,
      { properties: Record<string, Record<string, unknown>>; required?: string[] }
    >

    test('a discriminated union of components has its property and mapping; the document is valid', async () => {
      const document = await load()
      await expectValidOpenAPI(document)
      const schemas = (document.components as { schemas: Schemas }).schemas
      const body = schemas.Body_pets_post
      expect(body?.properties.pet).toEqual({
        oneOf: [{ $ref: '#/components/schemas/Cat' }, { $ref: '#/components/schemas/Dog' }],
        discriminator: {
          propertyName: 'kind',
          mapping: {
            cat: '#/components/schemas/Cat',
            dog: '#/components/schemas/Dog',
            puppy: '#/components/schemas/Dog',
          },
        },
      })
      // Inline members: the property alone (a mapping needs components to point at).
      const options = body?.properties.options as Schemas[string]
      expect(options.properties.inline?.discriminator).toEqual({ propertyName: 't' })
      expect(options.required).toEqual(['inline'])
    })

    test('numeric enums and literals of integers are integers', async () => {
      const { post } = (await load()).paths['/pets'] as {
        post: { parameters: { name: string; schema: Record<string, unknown> }[] }
      }
      const schemaOf = (name: string) =>
        post.parameters.find((param) => param.name === name)?.schema
      expect(schemaOf('level')).toEqual({ type: 'integer', enum: [1, 2] })
      expect(schemaOf('size')).toMatchObject({ type: 'integer', enum: [1, 2, 3] })
      expect(schemaOf('ratio')).toMatchObject({ type: 'number' })
    })

    test('the routes still answer as documented', async () => {
      const res = await send('/pets?level=2', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          pet: { kind: 'puppy', bark: true },
          options: { inline: { t: 'a' } },
        }),
      })
      expect(await res.json()).toEqual({ kind: 'puppy', level: 2, color: 'brown' })
    })
  },
)
