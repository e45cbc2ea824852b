import { Form, Gatehouse, Path, Query } from 'gatehouse'
import { expect, test } from 'vitest'
import * as z from 'zod'
import { describeEngines } from './helpers/http.js'

// Text reaches literals, enums, unions and lazy schemas converted as FastAPI (Pydantic) converts
// `Literal[5]`, `IntEnum` and `int | Literal["all"]`.
enum Level {
  Low = 1,
  High = 2,
}
const app = new Gatehouse({ openapiUrl: null })
const echo = (v: unknown) => ({ v, type: typeof v })
app.get('/literal', { inputs: { v: Query(z.literal([5, 10])) } }, ({ v }) => echo(v))
app.get('/mixed', { inputs: { v: Query(z.literal(['5', 5, true])) } }, ({ v }) => echo(v))
app.get('/enum', { inputs: { v: Query(z.enum(Level)) } }, ({ v }) => echo(v))
app.get(
  '/limit/{v}',
  { inputs: { v: Path(z.union([z.number().int(), z.literal('all')])) } },
  ({ v }) => echo(v),
)
app.get('/text-or-number', { inputs: { v: Query(z.union([z.string(), z.number()])) } }, ({ v }) =>
  echo(v),
)
app.get('/flag-or-count', { inputs: { v: Query(z.union([z.boolean(), z.number()])) } }, ({ v }) =>
  echo(v),
)
app.get('/lazy', { inputs: { v: Query(z.lazy(() => z.number().optional())) } }, ({ v }) => echo(v))
app.get('/list', { inputs: { v: Query(z.array(z.union([z.number(), z.null()]))) } }, ({ v }) =>
  echo(v),
)
app.post('/form', { inputs: { v: Form(z.literal(3)) } }, ({ v }) => echo(v))

describeEngines('literals, enums, unions and lazy schemas in text', app, (send) => {
  const json = async (path: string, init?: RequestInit) => {
    const response = await send(path, init)
    return { status: response.status, body: await response.json() }
  }

  test('a number literal takes its text, and nothing else', async () => {
    expect(await json('/literal?v=10')).toEqual({ status: 200, body: { v: 10, type: 'number' } })
    for (const text of ['7', '10.0', '0x5', 'five'])
      expect((await json(`/literal?v=${text}`)).status, text).toBe(422)
  })

  test('a string among the literals is kept as the string', async () => {
    expect((await json('/mixed?v=5')).body).toEqual({ v: '5', type: 'string' })
    expect((await json('/mixed?v=true')).body).toEqual({ v: true, type: 'boolean' })
  })

  test('a numeric enum takes its values’ text', async () => {
    expect((await json('/enum?v=2')).body).toEqual({ v: 2, type: 'number' })
    expect((await json('/enum?v=3')).status).toBe(422)
  })

  test('a union converts for the first member that takes the text', async () => {
    expect((await json('/limit/25')).body).toEqual({ v: 25, type: 'number' })
    expect((await json('/limit/all')).body).toEqual({ v: 'all', type: 'string' })
    expect((await json('/limit/some')).status).toBe(422)
    expect((await json('/flag-or-count?v=true')).body).toEqual({ v: true, type: 'boolean' })
    expect((await json('/flag-or-count?v=12')).body).toEqual({ v: 12, type: 'number' })
  })

  test('a union with a string member keeps the text as it is', async () => {
    expect((await json('/text-or-number?v=7')).body).toEqual({ v: '7', type: 'string' })
  })

  test('lazy schemas and list elements convert too', async () => {
    expect((await json('/lazy?v=4')).body).toEqual({ v: 4, type: 'number' })
    expect((await json('/lazy')).body).toEqual({ type: 'undefined' })
    expect((await json('/list?v=1&v=null&v=2')).body).toEqual({ v: [1, null, 2], type: 'object' })
  })

  test('forms convert the same way', async () => {
    const form = { method: 'POST', body: new URLSearchParams({ v: '3' }) }
    expect((await json('/form', form)).body).toEqual({ v: 3, type: 'number' })
  })
})
