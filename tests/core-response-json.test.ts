import { Gatehouse, serve } from 'gatehouse'
import { afterEach, describe, expect, it } from 'vitest'
import * as z from 'zod'

// JSON has no form for a Set or a Map: JSON.stringify writes either as {}, so a response model
// holding one passed its check and the answer lost the data in silence. Such a model is refused
// when the route is declared, naming the route and where the set or map sits.
const declare = (response: z.ZodType) => () =>
  new Gatehouse().get('/items', { response }, () => ({}) as never)

describe('a response model JSON cannot write', () => {
  it('refuses a z.set() field, naming the route, the place and what to use', () => {
    expect(declare(z.object({ name: z.string(), tags: z.set(z.string()) }))).toThrow(
      /GET \/items.*`response` has a z\.set\(\) at tags, which JSON cannot carry.*z\.array\(\)/,
    )
  })

  it('finds a z.map() or z.set() at any depth: arrays, records, tuples, unions, wrappers', () => {
    const cases: [z.ZodType, string][] = [
      [z.array(z.object({ labels: z.map(z.string(), z.number()) })), 'a z.map() at [].labels'],
      [z.record(z.string(), z.set(z.number())), 'a z.set() at [*]'],
      [z.tuple([z.string(), z.set(z.string())]), 'a z.set() at [1]'],
      [z.object({ a: z.union([z.string(), z.set(z.string())]) }), 'a z.set() at a'],
      [z.object({ a: z.set(z.string()).optional().nullable() }), 'a z.set() at a'],
      [z.set(z.string()), 'a z.set() at its top'],
      [
        z.object({
          a: z
            .array(z.string())
            .transform((a) => new Set(a))
            .pipe(z.set(z.string())),
        }),
        'a z.set() at a',
      ],
      [z.lazy(() => z.object({ s: z.set(z.string()) })), 'a z.set() at s'],
    ]
    for (const [schema, where] of cases)
      expect(declare(schema), where).toThrow(`has ${where}, which JSON cannot carry`)
  })

  it('accepts models whose output is JSON: arrays, records, a set transformed to an array, recursion', () => {
    const Category = z.object({
      name: z.string(),
      get children() {
        return z.array(Category)
      },
    })
    for (const schema of [
      z.object({ tags: z.array(z.string()), counts: z.record(z.string(), z.number()) }),
      z.object({ tags: z.set(z.string()).transform((tags) => [...tags]) }),
      Category,
    ])
      expect(declare(schema)).not.toThrow()
  })
})

describe('a set transformed to an array in a response model, through both engines', () => {
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await close?.()
    close = undefined
  })

  it('answers the items as a JSON list', async () => {
    const app = new Gatehouse()
    app.get(
      '/tags',
      { response: z.object({ tags: z.set(z.string()).transform((tags) => [...tags]) }) },
      () => ({ tags: new Set(['a', 'b']) }),
    )
    const direct = await app.fetch(new Request('http://test/tags'))
    expect(await direct.json()).toEqual({ tags: ['a', 'b'] })
    const server = await serve(app, { port: 0, hostname: '127.0.0.1', signals: false })
    close = () => server.close()
    const served = await fetch(`${server.url}/tags`)
    expect(await served.json()).toEqual({ tags: ['a', 'b'] })
  })
})
