import { Gatehouse, Query } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'
import { expectValidOpenAPI } from './helpers/openapi.js'

// The route option `responses`, as FastAPI's: statuses, OpenAPI ranges and `default`; a missing
// description filled in as FastAPI does (OpenAPI requires one); unknown keys refused.
describe('the responses option', () => {
  const Message = z.object({ message: z.string() }).meta({ id: 'Message' })

  test('ranges and default are taken; a missing description is filled in as FastAPI does', async () => {
    const app = new Gatehouse()
    app.get(
      '/items',
      {
        inputs: { q: Query(z.string().optional()) },
        responses: {
          404: { schema: Message },
          418: {},
          422: {},
          '4XX': { schema: Message },
          '5XX': { description: 'It broke' },
          default: { schema: Message },
          200: { description: 'The items' },
          202: {},
        },
      },
      () => [],
    )
    const document = await (await app.request('/openapi.json')).json()
    await expectValidOpenAPI(document)
    const responses = document.paths['/items'].get.responses
    expect(responses['404'].description).toBe('Not Found')
    expect(responses['404'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Message',
    })
    expect(responses['418']).toEqual({ description: "I'm a Teapot" })
    // What the route documents anyway keeps its description and schema.
    expect(responses['422'].description).toBe('Validation Error')
    expect(responses['422'].content).toBeDefined()
    expect(responses['200'].description).toBe('The items')
    expect(responses['202']).toEqual({ description: 'Accepted' })
    expect(responses['4XX'].description).toBe('Client Error')
    expect(responses['5XX']).toEqual({ description: 'It broke' })
    expect(responses.default.description).toBe('Default Response')
  })

  test.each([
    [{ '6XX': {} }, 'key 6XX is not a status, a range such as 4XX, or default'],
    [{ '4xx': {} }, 'key 4xx is not a status'],
    [
      { 404: { model: Message } },
      "unknown key `model` (an entry is { description, schema }: FastAPI's `model` is `schema` here)",
    ],
    [{ 404: { content: {} } }, 'unknown key `content`'],
    [{ 404: { description: 404 } }, '`responses[404].description` must be a string'],
  ])('%j is refused at registration', (responses, message) => {
    const app = new Gatehouse()
    expect(() => app.get('/x', { responses: responses as never }, () => null)).toThrow(
      'GET /x: `responses',
    )
    expect(() => app.get('/y', { responses: responses as never }, () => null)).toThrow(message)
  })
})
