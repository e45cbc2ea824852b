import { Cookie, dependency, Gatehouse, Header, Path, Query } from 'gatehouse'
import { expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger, describeEngines } from './helpers/http.js'

// Parameters validate like bodies: synchronously first, asynchronously when the schema needs it.
const known = z.string().refine(async (value) => value === 'ok', 'must be ok')
const logger = captureLogger()
const app = new Gatehouse({ logger, openapiUrl: null })
app.get('/query', { inputs: { v: Query(known) } }, ({ v }) => ({ v }))
app.get('/path/{id}', { inputs: { id: Path(known) } }, ({ id }) => ({ id }))
app.get('/header', { inputs: { x_v: Header(known) } }, ({ x_v }) => ({ x_v }))
app.get('/cookie', { inputs: { v: Cookie(known) } }, ({ v }) => ({ v }))
app.get(
  '/transform',
  { inputs: { n: Query(z.string().transform(async (value) => value.length)) } },
  ({ n }) => ({ n }),
)
const lookup = dependency({ v: Query(known) }, ({ v }) => `found ${v}`)
app.get('/dependency', { inputs: { found: lookup } }, ({ found }) => ({ found }))
app.get(
  '/mixed',
  { inputs: { a: Query(z.number()), v: Query(known), b: Query(z.number()) } },
  (inputs) => inputs,
)

describeEngines('async refinements in parameters', app, (send) => {
  test.each([
    ['/query?v=ok', { v: 'ok' }],
    ['/path/ok', { id: 'ok' }],
    ['/cookie', { v: 'ok' }, { cookie: 'v=ok' }],
    ['/header', { x_v: 'ok' }, { 'x-v': 'ok' }],
    ['/transform?n=abc', { n: 3 }],
    ['/dependency?v=ok', { found: 'found ok' }],
  ] as [string, unknown, Record<string, string>?][])(
    '%s passes the async check',
    async (path, body, headers) => {
      const response = await send(path, { headers: headers ?? {} })
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual(body)
    },
  )

  test.each([
    ['/query?v=no', ['query', 'v']],
    ['/path/no', ['path', 'id']],
    ['/header', ['header', 'x-v'], { 'x-v': 'no' }],
    ['/dependency?v=no', ['query', 'v']],
  ] as [string, string[], Record<string, string>?][])(
    '%s failing it is a 422 at its loc',
    async (path, loc, headers) => {
      const response = await send(path, { headers: headers ?? {} })
      expect(response.status).toBe(422)
      expect(await response.json()).toEqual({
        detail: [{ type: 'custom', loc, msg: 'must be ok', input: 'no' }],
      })
    },
  )

  test('a cookie failing it is a 422 too (cookie values are never echoed)', async () => {
    const response = await send('/cookie', { headers: { cookie: 'v=no' } })
    expect(response.status).toBe(422)
    expect(await response.json()).toEqual({
      detail: [{ type: 'custom', loc: ['cookie', 'v'], msg: 'must be ok', input: '[redacted]' }],
    })
  })

  test('errors keep the declared order around an async parameter', async () => {
    const response = await send('/mixed?a=x&v=no&b=y')
    expect(response.status).toBe(422)
    const { detail } = (await response.json()) as { detail: { loc: string[] }[] }
    expect(detail.map((item) => item.loc[1])).toEqual(['a', 'v', 'b'])
    const ok = await send('/mixed?a=1&v=ok&b=2')
    expect(await ok.json()).toEqual({ a: 1, v: 'ok', b: 2 })
  })

  test('nothing was logged: no request became a 500', () => {
    expect(logger.calls).toEqual([])
  })
})
