import { Body, Form, Gatehouse, Header, Path, Query } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'
import { jsonInputConverter } from '../src/core/compile/json-input.js'
import { parseISODateTime } from '../src/core/date-text.js'
import { describeEachEngine, serveThrough } from './helpers/http.js'

// JSON and text have no dates and no sets, so `z.date()` and `z.set()` inputs refused every value
// a client could send (a 422 "expected date" for ISO text), while FastAPI reads a `datetime` from
// ISO text and a `set[str]` from a list. They are converted now, in every source, and documented.

const lookups: string[] = []
const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : value)

function createApp() {
  const app = new Gatehouse()
  app.get(
    '/events/{day}',
    {
      inputs: {
        day: Path(z.date()),
        since: Query(z.date().optional()),
        until: Query(z.date().max(new Date('2030-01-01T00:00:00Z')).optional()),
        tag: Query(z.set(z.string()).optional()),
        n: Query(z.set(z.number()).optional()),
        asOf: Header(z.date().optional()),
      },
    },
    ({ day, since, until, tag, n, asOf }) => ({
      day: iso(day),
      since: iso(since),
      until: iso(until),
      tag: tag && [...tag].sort(),
      n: n && [...n].sort(),
      asOf: iso(asOf),
      dayIsDate: day instanceof Date,
      tagIsSet: tag === undefined || tag instanceof Set,
    }),
  )
  const Event = z.object({
    name: z.string(),
    at: z.date(),
    tags: z.set(z.string()).default(new Set()),
    windows: z.array(z.tuple([z.date(), z.date()])).optional(),
    get children(): z.ZodOptional<z.ZodArray<typeof Event>> {
      return z.array(Event).optional()
    },
  })
  type Event = z.infer<typeof Event>
  const describeEvent = (event: Event): unknown => ({
    name: event.name,
    at: iso(event.at),
    atIsDate: event.at instanceof Date,
    tags: [...event.tags].sort(),
    windows: event.windows?.map(([a, b]) => [iso(a), iso(b)]),
    children: event.children?.map(describeEvent),
  })
  app.post('/events', { inputs: { event: Body(Event) } }, ({ event }) => describeEvent(event))
  app.post(
    '/choice',
    {
      inputs: {
        choice: Body(
          z.union([
            z.object({ kind: z.literal('dated'), at: z.date() }),
            z.object({ kind: z.literal('text'), at: z.string() }),
          ]),
        ),
        plain: Body(z.union([z.string(), z.date()]).optional()),
      },
    },
    ({ choice, plain }) => ({
      kind: choice.kind,
      atIsDate: choice.at instanceof Date,
      at: iso(choice.at),
      plainIsDate: plain instanceof Date,
    }),
  )
  app.post('/form', { inputs: { when: Form(z.date()) } }, ({ when }) => ({ when: iso(when) }))
  app.post(
    '/instants',
    {
      inputs: { at: Body(z.object({ at: z.set(z.date()) })), q: Query(z.set(z.date()).optional()) },
    },
    ({ at, q }) => ({ body: at.at.size, query: q?.size }),
  )
  // A union whose other member has an async check: choosing a member must not run it.
  app.post(
    '/lookup',
    {
      inputs: {
        item: Body(
          z.union([
            z.object({ kind: z.literal('at'), at: z.date() }),
            z.object({
              kind: z.literal('ref'),
              id: z.string().refine(async (id) => {
                lookups.push(id)
                if (id === 'down') throw new Error('db down')
                return true
              }),
            }),
          ]),
        ),
      },
    },
    ({ item }) => ({ kind: item.kind }),
  )
  // A recursive filter: converting it must cost its size, not its depth squared.
  type Filter = { after?: Date | undefined; and?: Filter[] | undefined }
  const Filter: z.ZodType<Filter> = z.lazy(() =>
    z.union([z.object({ after: z.date() }), z.object({ and: z.array(Filter) })]),
  )
  app.post('/filter', { inputs: { filter: Body(Filter) } }, ({ filter }) => {
    let depth = 0
    for (let node: Filter | undefined = filter; node?.and; node = node.and[0]) depth++
    return { depth }
  })
  return app
}

describeEachEngine('z.date() and z.set() inputs', (engine) => {
  const app = createApp()
  const send = serveThrough(engine, app)
  const json = async (path: string, init?: RequestInit) => {
    const res = await send(path, init)
    return { status: res.status, body: await res.json() }
  }
  const post = (path: string, body: unknown) =>
    json(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    })

  test('ISO text in the path, query and headers is a Date; repeated query values a Set', async () => {
    const { status, body } = await json(
      '/events/2026-12-01?since=2026-12-01T10:30:00%2B02:00&tag=b&tag=a&tag=b&n=2&n=10',
      { headers: { 'as-of': '2026-12-01 08:00:00.5Z' } },
    )
    expect(status).toBe(200)
    expect(body).toEqual({
      day: '2026-12-01T00:00:00.000Z',
      since: '2026-12-01T08:30:00.000Z',
      tag: ['a', 'b'],
      n: [10, 2],
      asOf: '2026-12-01T08:00:00.500Z',
      dayIsDate: true,
      tagIsSet: true,
    })
  })

  test('text that is not an ISO date is a 422 echoing what was sent', async () => {
    for (const day of ['tomorrow', '2026-02-30', '2026-12-01T25:00', '1%2F12%2F2026']) {
      const { status, body } = await json(`/events/${day}`)
      expect(status, day).toBe(422)
      expect(body.detail[0]).toMatchObject({
        loc: ['path', 'day'],
        input: decodeURIComponent(day),
      })
    }
  })

  test('a Date failing its own check is echoed as ISO text, not {}', async () => {
    const { status, body } = await json('/events/2026-12-01?until=2031-01-01')
    expect(status).toBe(422)
    expect(body.detail[0]).toMatchObject({ loc: ['query', 'until'], input: '2031-01-01' })
  })

  test('a JSON body: dates at any depth, a list for a set, recursion', async () => {
    const { status, body } = await post('/events', {
      name: 'launch',
      at: '2026-12-01T09:00:00Z',
      tags: ['x', 'y', 'x'],
      windows: [['2026-12-01T09:00:00Z', '2026-12-01T10:00:00-01:00']],
      children: [{ name: 'press', at: '2026-12-02' }],
    })
    expect(status).toBe(200)
    expect(body).toEqual({
      name: 'launch',
      at: '2026-12-01T09:00:00.000Z',
      atIsDate: true,
      tags: ['x', 'y'],
      windows: [['2026-12-01T09:00:00.000Z', '2026-12-01T11:00:00.000Z']],
      children: [{ name: 'press', at: '2026-12-02T00:00:00.000Z', atIsDate: true, tags: [] }],
    })
  })

  test('a JSON body with a bad date or a set that is not a list is a 422 at its place', async () => {
    const { status, body } = await post('/events', {
      name: 'x',
      at: 'soon',
      children: [{ name: 'y', at: 5 }],
      tags: 'x',
    })
    expect(status).toBe(422)
    const places = body.detail.map((item: { loc: unknown[] }) => item.loc.join('.')).sort()
    expect(places).toEqual(['body.at', 'body.children.0.at', 'body.tags'])
    expect(body.detail.find((item: { loc: string[] }) => item.loc[1] === 'at').input).toBe('soon')
  })

  test('a union converts only for the member that then takes the value', async () => {
    const at = '2026-12-01T00:00:00Z'
    expect((await post('/choice', { choice: { kind: 'dated', at } })).body).toMatchObject({
      kind: 'dated',
      atIsDate: true,
      at: '2026-12-01T00:00:00.000Z',
    })
    expect((await post('/choice', { choice: { kind: 'text', at } })).body).toMatchObject({
      kind: 'text',
      atIsDate: false,
      at,
    })
    // A string member takes ISO text as it is, as Pydantic's smart mode keeps an exact match.
    expect((await post('/choice', { choice: { kind: 'text', at }, plain: at })).body).toMatchObject(
      { plainIsDate: false },
    )
  })

  test('a set of dates holds each instant once, however it was written', async () => {
    const { body } = await json(
      '/instants?q=2026-01-01&q=2026-01-01T00:00:00Z&q=2026-01-01T01:00:00%2B01:00',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ at: ['2026-01-01', '2026-01-01T00:00:00Z', '2026-01-02'] }),
      },
    )
    expect(body).toEqual({ body: 2, query: 1 })
  })

  test("choosing a union's member runs no check of another member, once per request", async () => {
    lookups.length = 0
    expect((await post('/lookup', { kind: 'at', at: '2026-12-01' })).body).toEqual({
      kind: 'at',
    })
    expect(lookups).toEqual([])
    expect((await post('/lookup', { kind: 'ref', id: 'x1' })).body).toEqual({
      kind: 'ref',
    })
    // A failing lookup is the route's 500, never a crashed process.
    expect((await post('/lookup', { kind: 'ref', id: 'down' })).status).toBe(500)
    expect((await post('/lookup', { kind: 'ref', id: 'x2' })).status).toBe(200)
    expect(lookups.filter((id) => id === 'x2')).toEqual(['x2'])
  })

  test('a deep recursive body converts in time linear in its size', async () => {
    let filter: unknown = { after: '2026-12-01' }
    const siblings = Array.from({ length: 8 }, () => ({ after: '2026-12-02' }))
    for (let i = 0; i < 200; i++) filter = { and: [filter, ...siblings] }
    const started = performance.now()
    const { status, body } = await post('/filter', filter)
    expect(status).toBe(200)
    expect(body).toEqual({ depth: 200 })
    // Quadratic conversion took seconds here; linear takes milliseconds.
    expect(performance.now() - started).toBeLessThan(1_000)
  })

  test('a form field is a Date', async () => {
    const { status, body } = await json('/form', {
      method: 'POST',
      body: new URLSearchParams({ when: '2026-12-01T12:00' }),
    })
    expect(status).toBe(200)
    expect(body).toEqual({ when: '2026-12-01T12:00:00.000Z' })
  })

  test('OpenAPI documents a date as date-time text and a set as a list of unique items', async () => {
    const doc = await (await send('/openapi.json')).json()
    const params = doc.paths['/events/{day}'].get.parameters as {
      name: string
      schema: Record<string, unknown>
    }[]
    const schemaOf = (name: string) => params.find((param) => param.name === name)?.schema
    expect(schemaOf('day')).toEqual({ type: 'string', format: 'date-time' })
    expect(schemaOf('tag')).toEqual({ type: 'array', uniqueItems: true, items: { type: 'string' } })
    const { properties } = doc.components.schemas.Body_events_post
    expect(properties.at).toEqual({ type: 'string', format: 'date-time' })
    expect(properties.tags).toEqual({
      type: 'array',
      uniqueItems: true,
      items: { type: 'string' },
      default: [],
    })
    expect(properties.windows.items.prefixItems).toEqual([
      { type: 'string', format: 'date-time' },
      { type: 'string', format: 'date-time' },
    ])
  })
})

describe('parseISODateTime', () => {
  test('reads RFC 3339 and the ISO 8601 forms Pydantic takes', () => {
    const cases: [string, string][] = [
      ['2026-12-01', '2026-12-01T00:00:00.000Z'],
      ['2026-12-01T10:20', '2026-12-01T10:20:00.000Z'],
      ['2026-12-01t10:20:30z', '2026-12-01T10:20:30.000Z'],
      ['2026-12-01T10:20:30.123456789+05:30', '2026-12-01T04:50:30.123Z'],
      ['2026-12-01T10:20:30,5-0100', '2026-12-01T11:20:30.500Z'],
      ['2026-12-01 23:00+01', '2026-12-01T22:00:00.000Z'],
      ['2024-02-29', '2024-02-29T00:00:00.000Z'],
      ['0099-01-01', '0099-01-01T00:00:00.000Z'],
    ]
    for (const [text, expected] of cases)
      expect(parseISODateTime(text)?.toISOString(), text).toBe(expected)
  })

  test('refuses everything else, whatever Date.parse would make of it', () => {
    for (const text of [
      '',
      '2026',
      '2026-12',
      '2026-13-01',
      '2025-02-29',
      '2026-04-31',
      '2026-12-01T24:00',
      '2026-12-01T10:60',
      '2026-12-01T10:00:60',
      '2026-12-01T10:00+24:00',
      '2026-12-01T10:00 PST',
      'Tue, 1 Dec 2026 10:00:00 GMT',
      '12/1/2026',
      ' 2026-12-01',
      '1764583200',
    ])
      expect(parseISODateTime(text), text).toBeUndefined()
  })
})

// A map has no form in JSON or text, and nothing converts to one: such an input took nothing a
// client could send, and registered anyway.
describe('a z.map() input is refused when the route is declared', () => {
  test('in a body, a query model or a form, naming the input and the place', () => {
    const cases: [() => unknown, string][] = [
      [
        () =>
          new Gatehouse().post(
            '/a',
            { inputs: { item: Body(z.object({ labels: z.map(z.string(), z.number()) })) } },
            () => null,
          ),
        'POST /a: input "item" has a z.map() at labels',
      ],
      [
        () =>
          new Gatehouse().get(
            '/b',
            { inputs: { f: Query(z.object({ m: z.array(z.map(z.string(), z.string())) })) } },
            () => null,
          ),
        'GET /b: input "f" has a z.map() at m[]',
      ],
      [
        () =>
          new Gatehouse().post(
            '/c',
            { inputs: { m: Form(z.map(z.string(), z.string())) } },
            () => null,
          ),
        'POST /c: input "m" has a z.map() at its top',
      ],
    ]
    for (const [declare, message] of cases) expect(declare).toThrow(message)
  })

  test('a map made from what was sent is fine', () => {
    const Pairs = z
      .array(z.tuple([z.string(), z.number()]))
      .pipe(z.transform((pairs) => new Map(pairs)))
    expect(() =>
      new Gatehouse().post('/d', { inputs: { pairs: Body(Pairs) } }, () => null),
    ).not.toThrow()
  })
})

describe('jsonInputConverter', () => {
  test('is none for a body with no date or set, a recursive one included', () => {
    const Category = z.object({
      name: z.string(),
      get children() {
        return z.array(Category)
      },
    })
    expect(jsonInputConverter(Category)).toBeUndefined()
    expect(jsonInputConverter(z.object({ a: z.number(), b: z.array(z.string()) }))).toBeUndefined()
    const Dated = z.object({
      at: z.date(),
      get children() {
        return z.array(Dated)
      },
    })
    const convert = jsonInputConverter(Dated)
    const converted = convert?.({
      at: '2026-12-01',
      children: [{ at: '2026-12-02', children: [] }],
    })
    expect(converted).toEqual({
      at: new Date('2026-12-01T00:00:00Z'),
      children: [{ at: new Date('2026-12-02T00:00:00Z'), children: [] }],
    })
  })
})
