import { Gatehouse, Header, Query } from 'gatehouse'
import { expect, test } from 'vitest'
import * as z from 'zod'
import { expectValidOpenAPI } from './helpers/openapi.js'

// How parameters are documented where Swagger UI reads them, as FastAPI documents them.
test('a required nullable parameter is anyOf, a schema description is the parameter’s, a header alias keeps its case', async () => {
  const app = new Gatehouse()
  app.get(
    '/items',
    {
      inputs: {
        // Required but nullable: Swagger UI's "Try it out" refused to send type: [string, null].
        q: Query(z.string().max(5).nullable().meta({ description: 'What to look for' })),
        maybe: Query(z.string().nullable().optional()),
        own: Query(z.string().meta({ description: 'schema' }), { description: 'option' }),
        requestId: Header(z.string(), { alias: 'X-Request-ID' }),
      },
    },
    () => [],
  )
  const document = await (await app.request('/openapi.json')).json()
  await expectValidOpenAPI(document)
  type Parameter = { name: string; description?: string; schema: Record<string, unknown> }
  const byName: Record<string, Parameter> = Object.fromEntries(
    (document.paths['/items'].get.parameters as Parameter[]).map((p) => [p.name, p]),
  )
  expect(byName.q).toMatchObject({
    required: true,
    description: 'What to look for',
    schema: {
      anyOf: [{ type: 'string', maxLength: 5 }, { type: 'null' }],
      description: 'What to look for',
    },
  })
  // Optional ones keep the type pair: Swagger UI sends them or not.
  expect(byName.maybe?.schema.type).toEqual(['string', 'null'])
  expect(byName.own?.description).toBe('option')
  expect(byName['X-Request-ID']).toMatchObject({ in: 'header', required: true })
  // Matched in any case all the same.
  const response = await app.request('/items?q=a&own=b', { headers: { 'x-request-id': 'r' } })
  expect(response.status).toBe(200)
})

test('a query model’s description is for the fields without their own', async () => {
  const app = new Gatehouse()
  const Filter = z.object({
    limit: z.number().int().meta({ description: 'How many at most' }),
    tag: z.string().optional(),
  })
  app.get('/items', { inputs: { filter: Query(Filter, { description: 'Filtering' }) } }, () => [])
  const document = await (await app.request('/openapi.json')).json()
  await expectValidOpenAPI(document)
  const parameters = document.paths['/items'].get.parameters as {
    name: string
    description?: string
  }[]
  expect(Object.fromEntries(parameters.map((p) => [p.name, p.description]))).toEqual({
    limit: 'How many at most',
    tag: 'Filtering',
  })
})
