import { Gatehouse, Header, Path, Query } from 'gatehouse'
import { expect, test } from 'vitest'
import * as z from 'zod'
import { describeEngines } from './helpers/http.js'

// Text becomes a number only in pydantic's decimal grammar: one id, one spelling.
const app = new Gatehouse({ openapiUrl: null })
app.get('/items/{id}', { inputs: { id: Path(z.number().int()) } }, ({ id }) => ({ id }))
app.get('/n', { inputs: { n: Query(z.number()) } }, ({ n }) => ({ n }))
app.get('/h', { inputs: { x_n: Header(z.number()) } }, ({ x_n }) => ({ x_n }))
app.get('/big', { inputs: { n: Query(z.bigint()) } }, ({ n }) => ({ n: n.toString() }))
app.get('/coerce', { inputs: { n: Query(z.coerce.number()) } }, ({ n }) => ({ n }))

describeEngines('numbers in text', app, (send) => {
  test.each(['0x10', '0b101', '0o17', '%205%20', '5.', '.5', '1e', '+', 'Infinity', '1_000'])(
    '%s is not a number',
    async (text) => {
      for (const path of [`/items/${text}`, `/n?n=${text}`]) {
        const response = await send(path)
        expect(response.status).toBe(422)
        const { detail } = await response.json()
        expect(detail[0].type).toBe('invalid_type')
      }
    },
  )

  test.each([
    ['42', 42],
    ['-7', -7],
    ['+3', 3],
    ['1.25', 1.25],
    ['-1.5e3', -1500],
    ['2E-2', 0.02],
    ['007', 7],
  ])('%s is %d', async (text, value) => {
    expect(await (await send(`/n?n=${encodeURIComponent(text)}`)).json()).toEqual({ n: value })
  })

  test('headers follow the same grammar', async () => {
    expect((await send('/h', { headers: { 'x-n': '0x10' } })).status).toBe(422)
    expect(await (await send('/h', { headers: { 'x-n': '16' } })).json()).toEqual({ x_n: 16 })
  })

  test('bigints take digits only, without padding', async () => {
    expect(await (await send('/big?n=-12')).json()).toEqual({ n: '-12' })
    expect((await send('/big?n=%2012')).status).toBe(422)
    expect((await send('/big?n=0x10')).status).toBe(422)
  })

  test('z.coerce.number() keeps Zod’s own rules (the user chose them)', async () => {
    expect(await (await send('/coerce?n=0x10')).json()).toEqual({ n: 16 })
  })
})
