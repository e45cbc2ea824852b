import { Body, Gatehouse, Path } from 'gatehouse'
import { beforeEach, expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger, describeEachEngine, serveThrough } from './helpers/http.js'

// Schemas with async refinements cannot be parsed synchronously; the sync-first path falls back.
const taken = new Set(['ada'])
const NewUser = z.object({
  name: z.string().refine(async (name) => !taken.has(name), { message: 'Name is taken' }),
})
const Out = z.object({ name: z.string() }).refine(async (user) => user.name !== 'hidden')

describeEachEngine('schemas with async refinements', (engine) => {
  const logger = captureLogger()
  const app = new Gatehouse({ logger })
  app.post('/users', { inputs: { user: Body(NewUser) }, response: Out }, ({ user }) => user)
  const send = serveThrough(engine, app)
  beforeEach(() => {
    logger.calls.length = 0
  })

  const post = (name: string) =>
    send('/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    })

  test('a body passing the async check reaches the handler and the async response check', async () => {
    const response = await post('grace')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ name: 'grace' })
  })

  test('a body failing the async check is a 422 at its field', async () => {
    const response = await post('ada')
    expect(response.status).toBe(422)
    expect(await response.json()).toEqual({
      detail: [{ type: 'custom', loc: ['body', 'name'], msg: 'Name is taken', input: 'ada' }],
    })
  })

  test('a result failing the async response check is a 500, logged', async () => {
    const response = await post('hidden')
    expect(response.status).toBe(500)
    expect(logger.calls).toHaveLength(1)
  })
})

// The sync attempt calls an async refinement before Zod gives up on it, and a failure was parsed
// again to report inputs: a lookup in a refinement ran twice per request, three times on failure.
describeEachEngine('an async refinement runs once per request', (engine) => {
  let lookups = 0
  const known = new Set(['alice'])
  const app = new Gatehouse({ openapiUrl: null })
  app.get(
    '/accounts/{name}',
    {
      inputs: {
        name: Path(
          z.string().refine(async (name) => {
            lookups += 1
            return known.has(name)
          }, 'Unknown account'),
        ),
      },
    },
    ({ name }) => ({ name }),
  )
  const send = serveThrough(engine, app)

  test('on success and on failure, after the first request', async () => {
    await send('/accounts/alice')
    for (const [name, status] of [
      ['alice', 200],
      ['mallory', 422],
      ['alice', 200],
    ] as const) {
      lookups = 0
      const res = await send(`/accounts/${name}`)
      expect(res.status, name).toBe(status)
      expect(lookups, name).toBe(1)
      if (status === 422)
        expect((await res.json()).detail).toEqual([
          { type: 'custom', loc: ['path', 'name'], msg: 'Unknown account', input: 'mallory' },
        ])
    }
  })
})

// The sync attempt started an async refinement and left its promise behind: if the very first
// request's lookup failed, nobody handled the rejection and the process ended.
describeEachEngine('an async refinement failing on the first request', (engine) => {
  const logger = captureLogger()
  const app = new Gatehouse({ openapiUrl: null, logger })
  app.get(
    '/first/{name}',
    {
      inputs: {
        name: Path(
          z.string().refine(async () => {
            throw new Error('database down')
          }),
        ),
      },
    },
    ({ name }) => ({ name }),
  )
  const send = serveThrough(engine, app)

  test('is the route’s logged 500, and nothing is left unhandled', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const res = await send('/first/ada')
      expect(res.status).toBe(500)
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(unhandled).toEqual([])
      expect(logger.calls.map(([, error]) => (error as Error).message)).toEqual(['database down'])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})
