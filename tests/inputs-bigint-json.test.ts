import { Body, Gatehouse } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { type Send, transports } from './helpers/http.js'

// JSON has integers and no bigint: a z.bigint() in a JSON body, documented as an integer, takes a
// whole number (and decimal text, for digits a double cannot hold), as Pydantic reads an int.
function createApp() {
  const app = new Gatehouse()
  app.post(
    '/sum',
    { inputs: { body: Body(z.object({ n: z.bigint(), more: z.array(z.bigint()).optional() })) } },
    ({ body }) => ({
      sum: String(body.n + (body.more ?? []).reduce((a, b) => a + b, 0n)),
      isBigInt: typeof body.n === 'bigint',
    }),
  )
  app.post(
    '/either',
    { inputs: { body: Body(z.object({ n: z.union([z.number(), z.bigint()]) })) } },
    ({ body }) => ({ kind: typeof body.n }),
  )
  return app
}

describe.each(transports)('a z.bigint() in a JSON body ($name)', (transport) => {
  let send: Send
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ send, close } = await transport.open(createApp()))
  })
  afterAll(() => close())
  const post = (body: string) =>
    send('/sum', { method: 'POST', headers: { 'content-type': 'application/json' }, body })

  test('takes a whole number, and decimal text beyond what a double holds', async () => {
    expect(await (await post('{"n": 123, "more": [1, 2]}')).json()).toEqual({
      sum: '126',
      isBigInt: true,
    })
    expect(await (await post('{"n": "123456789012345678901234567890"}')).json()).toEqual({
      sum: '123456789012345678901234567890',
      isBigInt: true,
    })
    expect((await post('{"n": -7}')).status).toBe(200)
  })

  test('a number a number member takes stays a number', async () => {
    const either = (body: string) =>
      send('/either', { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(await (await either('{"n": 5}')).json()).toEqual({ kind: 'number' })
    expect(await (await either('{"n": "5"}')).json()).toEqual({ kind: 'bigint' })
  })

  test.each([
    ['a fraction', '{"n": 1.5}'],
    // A number a double cannot hold exactly is refused, never rounded into another integer.
    ['a number beyond 2^53', '{"n": 12345678901234567890}'],
    ['text that is no integer', '{"n": "12a"}'],
    ['a boolean', '{"n": true}'],
  ])('refuses %s with a 422', async (_, body) => {
    const response = await post(body)
    expect(response.status).toBe(422)
    expect((await response.json()).detail[0].loc).toEqual(['body', 'n'])
  })
})
