import { Body, Form, Gatehouse, Header, Query } from 'gatehouse'
import { expect, test } from 'vitest'
import * as z from 'zod'
import { describeEngines } from './helpers/http.js'

// An absent required value is `missing` whatever its schema (Pydantic's "Field required"), not the
// union's, enum's or literal's own complaint about `undefined`.
enum Level {
  Low = 1,
  High = 2,
}
const app = new Gatehouse({ openapiUrl: null })
app.get('/union', { inputs: { limit: Query(z.union([z.number(), z.literal('all')])) } }, (x) => x)
app.get('/enum', { inputs: { level: Query(z.enum(['a', 'b'])) } }, (x) => x)
app.get('/native-enum', { inputs: { level: Query(z.enum(Level)) } }, (x) => x)
app.get('/literal', { inputs: { level: Query(z.literal('x')) } }, (x) => x)
app.get(
  '/header',
  { inputs: { x_mode: Header(z.union([z.literal('a'), z.literal('b')])) } },
  (x) => x,
)
app.get('/model', { inputs: { q: Query(z.object({ level: z.enum(['a', 'b']) })) } }, (x) => x)
app.post('/form', { inputs: { kind: Form(z.enum(['a', 'b'])) } }, (x) => x)
app.post(
  '/body',
  {
    inputs: {
      item: Body(
        z.object({
          kind: z.union([z.string(), z.number()]),
          tag: z.literal('t'),
          d: z.discriminatedUnion('t', [z.object({ t: z.literal('a') })]),
        }),
      ),
    },
  },
  (x) => x,
)
app.post(
  '/refined',
  {
    inputs: {
      q: Query(
        z
          .string()
          .optional()
          .refine((v) => v !== undefined, 'give q'),
      ),
    },
  },
  (x) => x,
)

const missing = (loc: (string | number)[], input: unknown = null) => ({
  type: 'missing',
  loc,
  msg: 'Field required',
  input,
})

describeEngines('a missing input of any type', app, (send) => {
  const detail = async (path: string, init?: RequestInit) => {
    const response = await send(path, init)
    expect(response.status).toBe(422)
    return (await response.json()).detail
  }

  test.each([
    ['/union', 'query', 'limit'],
    ['/enum', 'query', 'level'],
    ['/native-enum', 'query', 'level'],
    ['/literal', 'query', 'level'],
    ['/header', 'header', 'x-mode'],
  ])('%s: absent is missing', async (path, location, name) => {
    expect(await detail(path)).toEqual([missing([location, name])])
  })

  test('a model field absent from the query is missing; a wrong one keeps its error', async () => {
    expect(await detail('/model')).toEqual([missing(['query', 'level'], {})])
    // A wrong value that is there keeps its own error.
    const [item] = await detail('/enum?level=c')
    expect(item).toMatchObject({ type: 'invalid_value', loc: ['query', 'level'], input: 'c' })
  })

  test("an absent form field is missing; a refinement's own message is kept", async () => {
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'other=1',
    }
    expect(await detail('/form', init)).toEqual([missing(['body', 'kind'])])
    // A refinement's own message about an absent value is kept.
    const [item] = await detail('/refined', { method: 'POST' })
    expect(item).toMatchObject({ type: 'custom', loc: ['query', 'q'], msg: 'give q' })
  })

  test('body fields absent from the object are missing, each under its name', async () => {
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }
    expect(await detail('/body', init)).toEqual([
      missing(['body', 'kind'], {}),
      missing(['body', 'tag'], {}),
      missing(['body', 'd'], {}),
    ])
  })
})
