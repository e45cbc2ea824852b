import { Gatehouse, Header } from 'gatehouse'
import { expect, test } from 'vitest'
import * as z from 'zod'
import { describeEngines } from './helpers/http.js'

// A header model's fields name headers the way scalar Header() inputs do (FastAPI's header models).
const Headers_ = z.object({ x_a: z.string().optional(), userAgent: z.string().optional() })
const Kept = z.object({ x_a: z.string().optional() })

const app = new Gatehouse()
app.get('/model', { inputs: { h: Header(Headers_) } }, ({ h }) => h)
app.get('/scalar', { inputs: { x_a: Header(z.string().optional()) } }, ({ x_a }) => ({ x_a }))
app.get('/kept', { inputs: { h: Header(Kept, { convertUnderscores: false }) } }, ({ h }) => h)
app.get('/required', { inputs: { h: Header(z.object({ x_token: z.string() })) } }, ({ h }) => h)

describeEngines('header models', app, (send) => {
  test('x_a reads x-a and userAgent reads user-agent, as scalar headers do', async () => {
    const headers = { 'x-a': 'hyphen', 'user-agent': 'agent/1' }
    expect(await (await send('/model', { headers })).json()).toEqual({
      x_a: 'hyphen',
      userAgent: 'agent/1',
    })
    expect(await (await send('/scalar', { headers })).json()).toEqual({ x_a: 'hyphen' })
  })

  test('the header literally named x_a is not read by a converting model', async () => {
    const response = await send('/model', { headers: { x_a: 'underscore', 'user-agent': 'u' } })
    expect(await response.json()).toEqual({ userAgent: 'u' })
  })

  test('convertUnderscores: false reads the literal name', async () => {
    const response = await send('/kept', { headers: { x_a: 'underscore', 'x-a': 'hyphen' } })
    expect(await response.json()).toEqual({ x_a: 'underscore' })
  })

  test('a missing required field is a 422', async () => {
    const response = await send('/required')
    expect(response.status).toBe(422)
    expect((await response.json()).detail[0]).toMatchObject({ type: 'missing' })
    const ok = await send('/required', { headers: { 'x-token': 't' } })
    expect(await ok.json()).toEqual({ x_token: 't' })
  })
})

test('OpenAPI documents the header names that are read', () => {
  const document = app.openapi() as unknown as {
    paths: Record<string, { get: { parameters: { name: string; in: string }[] } }>
  }
  const names = (path: string) =>
    document.paths[path]?.get.parameters.map((parameter) => `${parameter.in}:${parameter.name}`)
  expect(names('/model')).toEqual(['header:x-a', 'header:user-agent'])
  expect(names('/kept')).toEqual(['header:x_a'])
  expect(names('/required')).toEqual(['header:x-token'])
})
