import { inspect } from 'node:util'
import { Gatehouse } from 'gatehouse'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { describeEachEngine, serveThrough } from './helpers/http.js'

// The default logger printed a thrown error whole: its own properties too, such as the request
// config an HTTP client's error carries, Authorization header included.
let printed: string[] = []
const originalError = console.error
beforeEach(() => {
  printed = []
  // As console.error formats its arguments.
  console.error = (...args: unknown[]) =>
    void printed.push(args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg))).join(' '))
})
afterEach(() => {
  console.error = originalError
})

function createApp() {
  const app = new Gatehouse()
  app.get('/upstream', {}, () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.9:443'), {
      code: 'ECONNREFUSED',
      headers: { authorization: 'Bearer cause-secret' },
    })
    throw Object.assign(new Error('upstream call failed', { cause }), {
      config: { headers: { Authorization: 'Bearer property-secret' } },
      status: 502,
    })
  })
  return app
}

describeEachEngine('the default logger', (engine) => {
  const send = serveThrough(engine, createApp())

  test("prints an error's stack, code and cause, never its other properties", async () => {
    const answer = await send('/upstream?access_token=query-secret')
    expect(answer.status).toBe(500)
    expect(await answer.json()).toEqual({ detail: 'Internal Server Error' })
    const logged = printed.join('\n')
    expect(logged).toContain('Unhandled error in GET /upstream')
    expect(logged).toContain('Error: upstream call failed')
    expect(logged).toMatch(/\n\s+at /)
    expect(logged).toContain('Caused by: Error: connect ECONNREFUSED 10.0.0.9:443')
    expect(logged).toContain('(code ECONNREFUSED)')
    for (const secret of ['property-secret', 'cause-secret', 'query-secret'])
      expect(logged).not.toContain(secret)
  })
})

test('a value thrown that is no Error is printed as it is', async () => {
  const app = new Gatehouse()
  app.get('/odd', {}, () => {
    throw 'a string'
  })
  expect((await app.fetch(new Request('http://localhost/odd'))).status).toBe(500)
  expect(printed.join('\n')).toContain('a string')
})
