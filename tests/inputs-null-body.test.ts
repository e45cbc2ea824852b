import { Body, Gatehouse } from 'gatehouse'
import { expect, test } from 'vitest'
import * as z from 'zod'
import { describeEngines } from './helpers/http.js'

// FastAPI reads a JSON `null` as absent (`item: Item | None = None` gets None, a required body
// `missing`), unless the schema itself takes null.
const Item = z.object({ name: z.string() })
const app = new Gatehouse({ openapiUrl: null })
app.post('/optional', { inputs: { item: Body(Item.optional()) } }, ({ item }) => ({
  absent: item === undefined,
}))
app.post('/default', { inputs: { item: Body(Item.default({ name: 'd' })) } }, ({ item }) => item)
app.post('/required', { inputs: { item: Body(Item) } }, ({ item }) => item)
app.post('/nullable', { inputs: { item: Body(Item.nullable()) } }, ({ item }) => ({ item }))
app.post('/any', { inputs: { value: Body(z.any()) } }, ({ value }) => ({ value }))
app.post(
  '/embedded',
  { inputs: { item: Body(Item.optional()), other: Body(z.object({ n: z.number() })) } },
  ({ item, other }) => ({ absent: item === undefined, other }),
)
app.post('/embedded-required', { inputs: { item: Body(Item, { embed: true }) } }, () => 1)

const post = (body: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body,
})

describeEngines('a JSON null body', app, (send) => {
  const answer = async (path: string, body: string) => {
    const response = await send(path, post(body))
    return { status: response.status, body: await response.json() }
  }

  test('is absent for an optional body, and kept when the schema takes null', async () => {
    expect(await answer('/optional', 'null')).toEqual({ status: 200, body: { absent: true } })
    expect(await answer('/nullable', 'null')).toEqual({ status: 200, body: { item: null } })
    expect(await answer('/any', 'null')).toEqual({ status: 200, body: { value: null } })
  })

  test('gives a defaulted body its default', async () => {
    expect(await answer('/default', 'null')).toEqual({ status: 200, body: { name: 'd' } })
  })

  test('is missing for a required body', async () => {
    expect(await answer('/required', 'null')).toEqual({
      status: 422,
      body: { detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] },
    })
    // A null field inside a body is still validated as null.
    const response = await answer('/required', '{"name":null}')
    expect(response.status).toBe(422)
    expect(response.body.detail[0]).toMatchObject({ type: 'invalid_type', loc: ['body', 'name'] })
  })

  test('an embedded null is absent too', async () => {
    expect(await answer('/embedded', '{"item":null,"other":{"n":1}}')).toEqual({
      status: 200,
      body: { absent: true, other: { n: 1 } },
    })
    const required = await answer('/embedded-required', '{"item":null}')
    expect(required.status).toBe(422)
    expect(required.body.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'item'] })
  })
})
