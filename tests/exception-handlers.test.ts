import {
  defaultExceptionHandler,
  dependency,
  Gatehouse,
  GatehouseError,
  HTTPBearer,
  HTTPException,
  Query,
  RequestValidationError,
} from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger, type Send, transports } from './helpers/http.js'

class PaymentRequired extends Error {
  readonly amount: number
  constructor(amount: number) {
    super('payment required')
    this.amount = amount
  }
}
class CardDeclined extends PaymentRequired {}

function createApp() {
  const logger = captureLogger()
  const app = new Gatehouse({ logger })
  const bearer = new HTTPBearer()
  app.get('/pay', { inputs: { card: Query(z.string().optional()) } }, ({ card }) => {
    throw card === 'declined' ? new CardDeclined(5) : new PaymentRequired(10)
  })
  app.get('/items/{id}', { inputs: { id: z.number() } }, ({ id }) => ({ id }))
  app.get('/private', { inputs: { credentials: bearer } }, () => 'secret')
  app.get('/teapot', {}, () => {
    throw new HTTPException(418, { detail: 'short and stout', headers: { 'x-tea': 'earl grey' } })
  })
  app.get('/crash', {}, () => {
    throw new Error('database password is hunter2')
  })
  app.get('/handler-crash', {}, () => {
    throw new HTTPException(409)
  })
  app.post('/only-post', {}, () => 'posted')

  app.exceptionHandler(PaymentRequired, (error, request) =>
    Response.json({ owed: error.amount, path: request.path }, { status: 402 }),
  )
  app.exceptionHandler(CardDeclined, (error) =>
    Response.json({ declined: error.amount }, { status: 402 }),
  )
  app.exceptionHandler(RequestValidationError, (error) =>
    Response.json({ problems: error.errors.map((item) => item.loc.join('.')) }, { status: 400 }),
  )
  app.exceptionHandler(404, (_error, request) =>
    Response.json({ message: `nothing at ${request.path}` }, { status: 404 }),
  )
  app.exceptionHandler(405, async (error, request) => {
    const fallback = defaultExceptionHandler(error, request)
    return Response.json(
      { allow: fallback.headers.get('allow') },
      { status: 405, headers: fallback.headers },
    )
  })
  app.exceptionHandler(401, (error, request) => {
    const fallback = defaultExceptionHandler(error, request)
    return new Response('please log in', { status: 401, headers: fallback.headers })
  })
  app.exceptionHandler(500, () =>
    Response.json({ error: 'our fault', reference: 'abc' }, { status: 500 }),
  )
  app.exceptionHandler(409, () => {
    throw new Error('the handler itself broke')
  })
  return { app, logger }
}

describe.each(transports)('exception handlers ($name)', (transport) => {
  let send: Send
  let close: () => Promise<void>
  let logger: ReturnType<typeof captureLogger>
  beforeAll(async () => {
    const created = createApp()
    logger = created.logger
    ;({ send, close } = await transport.open(created.app))
  })
  afterAll(() => close())

  test('a class handler answers its errors, with the request', async () => {
    const response = await send('/pay')
    expect(response.status).toBe(402)
    expect(await response.json()).toEqual({ owed: 10, path: '/pay' })
  })

  test('the most specific class wins', async () => {
    expect(await (await send('/pay?card=declined')).json()).toEqual({ declined: 5 })
  })

  test('422 validation errors can be reshaped', async () => {
    const response = await send('/items/abc')
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ problems: ['path.id'] })
  })

  test('404 and 405 from the router go through the status handlers', async () => {
    const missing = await send('/nowhere')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ message: 'nothing at /nowhere' })
    const wrongMethod = await send('/only-post')
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('allow')).toBe('POST')
    expect(await wrongMethod.json()).toEqual({ allow: 'POST' })
  })

  test('a 401 handler can keep the default challenge by delegating', async () => {
    const response = await send('/private')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect(await response.text()).toBe('please log in')
  })

  test('an HTTPException without a handler keeps its default answer', async () => {
    const response = await send('/teapot')
    expect(response.status).toBe(418)
    expect(response.headers.get('x-tea')).toBe('earl grey')
    expect(await response.json()).toEqual({ detail: 'short and stout' })
  })

  test('a 500 handler answers unexpected errors, which are still logged once', async () => {
    logger.calls.length = 0
    const response = await send('/crash')
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ error: 'our fault', reference: 'abc' })
    expect(logger.calls).toHaveLength(1)
    expect(logger.calls[0]?.[0]).toBe('Unhandled error in GET /crash')
  })

  test('a handler that throws gives a logged bare 500, never a crash', async () => {
    logger.calls.length = 0
    const response = await send('/handler-crash')
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ detail: 'Internal Server Error' })
    expect(logger.calls).toEqual([
      ['Exception handler failed in GET /handler-crash', new Error('the handler itself broke')],
    ])
  })
})

// FastAPI's catch-all: `@app.exception_handler(Exception)` sees only what nothing else handles.
function createCatchAllApp() {
  const logger = captureLogger()
  const app = new Gatehouse({ logger })
  app.get('/items/{id}', { inputs: { id: z.number() } }, ({ id }) => ({ id }))
  app.get('/teapot', {}, () => {
    throw new HTTPException(418)
  })
  app.get('/crash', {}, () => {
    throw new Error('database password is hunter2')
  })
  app.get('/bad-answer', { response: z.object({ id: z.number() }) }, () => ({ id: 'x' }) as never)
  class OwnerError extends Error {}
  app.get('/owner', {}, () => {
    throw new OwnerError('not yours')
  })
  app.exceptionHandler(OwnerError, () => Response.json({ detail: 'Owner error' }, { status: 400 }))
  app.exceptionHandler(Error, (error) =>
    Response.json({ caught: (error as Error).name }, { status: 500 }),
  )
  return { app, logger }
}

describe.each(transports)(
  'a handler for Error is the catch-all for faults ($name)',
  (transport) => {
    let send: Send
    let close: () => Promise<void>
    let logger: ReturnType<typeof captureLogger>
    beforeAll(async () => {
      const created = createCatchAllApp()
      logger = created.logger
      ;({ send, close } = await transport.open(created.app))
    })
    afterAll(() => close())

    test("the framework's 404, 405, 422 and an HTTPException keep their own answers", async () => {
      const missing = await send('/nowhere')
      expect(missing.status).toBe(404)
      expect(await missing.json()).toEqual({ detail: 'Not Found' })
      const wrongMethod = await send('/teapot', { method: 'DELETE' })
      expect(wrongMethod.status).toBe(405)
      expect(wrongMethod.headers.get('allow')).toContain('GET')
      const invalid = await send('/items/abc')
      expect(invalid.status).toBe(422)
      expect((await invalid.json()).detail[0].loc).toEqual(['path', 'id'])
      const teapot = await send('/teapot')
      expect(teapot.status).toBe(418)
      expect(await teapot.json()).toEqual({ detail: "I'm a Teapot" })
    })

    test('an error outside the family and a response that breaks its model reach it', async () => {
      logger.calls.length = 0
      const crash = await send('/crash')
      expect(crash.status).toBe(500)
      expect(await crash.json()).toEqual({ caught: 'Error' })
      const badAnswer = await send('/bad-answer')
      expect(badAnswer.status).toBe(500)
      expect(await badAnswer.json()).toEqual({ caught: 'ResponseValidationError' })
      // Answered, and still logged once each: the catch-all is Starlette's handler for
      // `Exception`, whose server-error middleware logs the traceback all the same.
      expect(logger.calls.map(([message]) => message)).toEqual([
        'Unhandled error in GET /crash',
        'Response validation failed in GET /bad-answer',
      ])
    })

    test('a handler for a class of your own answers an expected error: not logged', async () => {
      logger.calls.length = 0
      const own = await send('/owner')
      expect(own.status).toBe(400)
      expect(logger.calls).toEqual([])
    })
  },
)

describe('exceptionHandler set-up', () => {
  test('a bad key or handler is a TypeError at registration', () => {
    const app = new Gatehouse()
    expect(() => app.exceptionHandler(200, () => new Response())).toThrow(/from 300 to 599/)
    expect(() => app.exceptionHandler('nope' as never, () => new Response())).toThrow(TypeError)
    expect(() => app.exceptionHandler(HTTPException, 'nope' as never)).toThrow(/must be a function/)
  })

  test('abstract classes of the family can be handled, such as every GatehouseError', async () => {
    const app = new Gatehouse()
    const deny = dependency({}, () => {
      throw new HTTPException(403)
    })
    app.get('/', { inputs: { deny } }, () => 'never')
    app.exceptionHandler(GatehouseError, (error) =>
      Response.json({ code: error.code, status: error.status }, { status: error.status }),
    )
    const response = await app.request('/')
    expect(await response.json()).toEqual({ code: 'http_exception', status: 403 })
  })
})

// Starlette asks a status handler before a handler for HTTPException: the usual pair (errors
// reshaped, plus a not-found page) gave the generic shape for every 404 here, the page never.
describe.each(transports)('a status handler and a handler for the family ($name)', (transport) => {
  class ItemGone extends HTTPException {
    constructor() {
      super(404, { detail: 'gone' })
    }
  }
  const app = new Gatehouse({ openapiUrl: null })
  app.exceptionHandler(HTTPException, (error) =>
    Response.json(
      { generic: (error as HTTPException).status },
      { status: (error as HTTPException).status },
    ),
  )
  app.exceptionHandler(GatehouseError, () => Response.json({ family: true }, { status: 400 }))
  app.exceptionHandler(
    404,
    () =>
      new Response('<h1>Not here</h1>', { status: 404, headers: { 'content-type': 'text/html' } }),
  )
  app.exceptionHandler(422, () => Response.json({ invalid: true }, { status: 422 }))
  app.exceptionHandler(ItemGone, () => Response.json({ itemGone: true }, { status: 410 }))
  app.get('/missing', {}, () => {
    throw new HTTPException(404, { detail: 'Item not found' })
  })
  app.get('/conflict', {}, () => {
    throw new HTTPException(409)
  })
  app.get('/gone', {}, () => {
    throw new ItemGone()
  })
  app.get('/n', { inputs: { n: Query(z.number()) } }, ({ n }) => ({ n }))
  let send: Send
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ send, close } = await transport.open(app))
  })
  afterAll(() => close())

  test("the status handler answers the router's 404 and a handler's HTTPException(404)", async () => {
    for (const path of ['/no-such-route', '/missing']) {
      const res = await send(path)
      expect(res.status, path).toBe(404)
      expect(await res.text(), path).toBe('<h1>Not here</h1>')
    }
  })

  test('the family handler answers a status without a handler of its own', async () => {
    const res = await send('/conflict')
    expect(res.status).toBe(409)
    expect(await res.json()).toEqual({ generic: 409 })
  })

  test('a status handler beats GatehouseError too; an own class beats the status', async () => {
    expect(await (await send('/n?n=x')).json()).toEqual({ invalid: true })
    const gone = await send('/gone')
    expect(gone.status).toBe(410)
    expect(await gone.json()).toEqual({ itemGone: true })
  })
})

// FastAPI's dependencies redirect a browser with `raise HTTPException(303, headers={"Location":
// ...})`: a 3xx is an HTTPException too, answered as FastAPI does ({"detail": reason}; 304 bare).
describe.each(transports)('an HTTPException that redirects ($name)', (transport) => {
  let send: Send
  let close: () => Promise<void>
  const logger = captureLogger()
  beforeAll(async () => {
    const app = new Gatehouse({ logger })
    const signedIn = dependency({ session: Query(z.string().optional()) }, ({ session }) => {
      if (session === undefined) throw new HTTPException(303, { headers: { Location: '/login' } })
      return session
    })
    app.get('/dashboard', { inputs: { session: signedIn } }, ({ session }) => ({ session }))
    app.get('/cached', {}, () => {
      throw new HTTPException(304, { headers: { etag: '"v1"' } })
    })
    app.get('/moved', {}, () => {
      throw new HTTPException(308, { headers: { location: '/new' } })
    })
    app.exceptionHandler(308, (error) =>
      Response.json({ movedTo: (error as HTTPException).headers.location }, { status: 308 }),
    )
    ;({ send, close } = await transport.open(app))
  })
  afterAll(() => close())

  test('a dependency redirects with 303 and Location, the reason as its detail', async () => {
    const response = await send('/dashboard')
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/login')
    expect(await response.json()).toEqual({ detail: 'See Other' })
    expect((await send('/dashboard?session=s')).status).toBe(200)
    expect(logger.calls).toEqual([])
  })

  test('a 304 has no body; a status handler answers a 3xx too', async () => {
    const cached = await send('/cached')
    expect(cached.status).toBe(304)
    expect(cached.headers.get('etag')).toBe('"v1"')
    expect(await cached.text()).toBe('')
    const moved = await send('/moved')
    expect(moved.status).toBe(308)
    expect(await moved.json()).toEqual({ movedTo: '/new' })
  })

  test('below 300 is still refused at construction', () => {
    expect(() => new HTTPException(200)).toThrow('`status` must be an integer from 300 to 599')
  })
})
