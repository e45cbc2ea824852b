import {
  Body,
  BodyTooLargeError,
  Gatehouse,
  HTTPException,
  OAuth2Error,
  Query,
  RequestValidationError,
} from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger, describeEachEngine, serveThrough } from './helpers/http.js'

/** An API with its own error format: `{ "problem": …, "status": … }`. */
class ApiProblem extends HTTPException {
  constructor(status: number, problem: string) {
    super(status, { detail: problem })
  }
}

const toProblem = (error: unknown) => {
  if (error instanceof BodyTooLargeError) return new ApiProblem(413, 'too big')
  if (error instanceof RequestValidationError) return new ApiProblem(400, 'bad input')
  return error
}

function createApp() {
  const logger = captureLogger()
  const app = new Gatehouse({ logger, bodyLimit: 64 })
  const Item = z.object({ name: z.string() })
  app.post('/mapped', { inputs: { item: Body(Item) }, mapError: toProblem }, ({ item }) => item)
  app.post('/plain', { inputs: { item: Body(Item) } }, ({ item }) => item)
  app.get('/mapped-handler', { inputs: { n: Query(z.number()) }, mapError: toProblem }, ({ n }) => {
    if (n === 1) throw new BodyTooLargeError(1)
    return { n }
  })
  app.get(
    '/mapper-crashes',
    {
      mapError: () => {
        throw new Error('mapper bug')
      },
    },
    () => {
      throw new HTTPException(409)
    },
  )
  app.get(
    '/oauth',
    { mapError: () => new OAuth2Error('invalid_request', 'nope', { status: 413 }) },
    () => {
      throw new Error('anything')
    },
  )
  // An app's handlers see the mapped error, not the original.
  app.exceptionHandler(ApiProblem, (error) =>
    Response.json({ problem: error.detail, status: error.status }, { status: error.status }),
  )
  return { app, logger }
}

describeEachEngine('route mapError', (engine) => {
  const { app, logger } = createApp()
  const send = serveThrough(engine, app)

  const post = (path: string, body: string) =>
    send(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body })

  test("the framework's 413 and 422 come in the route's format", async () => {
    const big = await post('/mapped', JSON.stringify({ name: 'x'.repeat(200) }))
    expect(big.status).toBe(413)
    expect(await big.json()).toEqual({ problem: 'too big', status: 413 })
    const invalid = await post('/mapped', '{"name": 1}')
    expect(invalid.status).toBe(400)
    expect(await invalid.json()).toEqual({ problem: 'bad input', status: 400 })
    expect((await post('/mapped', '{"name":"a"}')).status).toBe(200)
  })

  test('other routes keep the default answers', async () => {
    const big = await post('/plain', JSON.stringify({ name: 'x'.repeat(200) }))
    expect(big.status).toBe(413)
    expect(await big.json()).toEqual({ detail: 'Request body is too large' })
    expect((await post('/plain', '{"name": 1}')).status).toBe(422)
  })

  test("a handler's own error is mapped too; errors the mapper keeps are answered as usual", async () => {
    const mapped = await send('/mapped-handler?n=1')
    expect(await mapped.json()).toEqual({ problem: 'too big', status: 413 })
    const kept = await send('/mapped-handler?n=x')
    expect(kept.status).toBe(400)
    expect((await send('/mapped-handler?n=2')).status).toBe(200)
  })

  test('an OAuth2Error with its own status', async () => {
    const response = await send('/oauth')
    expect(response.status).toBe(413)
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: 'nope' })
  })

  test('a mapper that throws: a bare 500, logged once, nothing of the error in the body', async () => {
    const before = logger.calls.length
    const response = await send('/mapper-crashes')
    expect(response.status).toBe(500)
    expect(await response.text()).not.toContain('mapper bug')
    expect(logger.calls.length).toBe(before + 1)
  })
})

describe('mapError set-up', () => {
  test('must be a function, named with the route', () => {
    const app = new Gatehouse()
    expect(() =>
      app.get('/x', { mapError: 'nope' as unknown as () => unknown }, () => 'x'),
    ).toThrow('GET /x: `mapError` must be a function')
  })

  test('an OAuth2Error status must be an error status', () => {
    expect(() => new OAuth2Error('invalid_request', 'x', { status: 200 })).toThrow(TypeError)
  })
})
