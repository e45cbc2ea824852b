import { dependency, Gatehouse, HTTPException, RequestState } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Send, transports } from './helpers/http.js'

// Starlette's `request.state`: what a middleware puts in `ctx.state` reaches the route's
// dependencies and handler (a request id, a tenant), one object per request.
function createApp() {
  const app = new Gatehouse()
  app.use(async (ctx, next) => {
    const given = ctx.request.header('x-request-id')
    if (given !== undefined) ctx.state.requestId = given
    await next()
  })
  const tenant = dependency({ state: RequestState }, ({ state }) => {
    // A dependency may leave a value for the handler, as with `request.state` in FastAPI.
    state.tenant = `tenant-of-${String(state.requestId ?? 'nobody')}`
    return state.tenant
  })
  app.get('/who', { inputs: { tenant, state: RequestState } }, ({ tenant, state }) => ({
    tenant,
    requestId: state.requestId ?? null,
    seen: Object.keys(state).sort(),
  }))
  app.get('/fails', { inputs: { state: RequestState } }, ({ state }) => {
    state.failedAt = 'handler'
    throw new HTTPException(409)
  })
  app.exceptionHandler(409, (_, request) =>
    Response.json({ failedAt: request.state?.failedAt ?? null }, { status: 409 }),
  )
  return app
}

describe.each(transports)('RequestState ($name)', (transport) => {
  let send: Send
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ send, close } = await transport.open(createApp()))
  })
  afterAll(() => close())

  test("the handler and its dependencies see the middleware's values, and each other's", async () => {
    const response = await send('/who', { headers: { 'x-request-id': 'r-1' } })
    expect(await response.json()).toEqual({
      tenant: 'tenant-of-r-1',
      requestId: 'r-1',
      seen: ['requestId', 'tenant'],
    })
  })

  test('one object per request: nothing carries over to the next', async () => {
    const response = await send('/who')
    expect(await response.json()).toEqual({
      tenant: 'tenant-of-nobody',
      requestId: null,
      seen: ['tenant'],
    })
  })

  test('an exception handler sees what the handler left', async () => {
    const response = await send('/fails')
    expect(response.status).toBe(409)
    expect(await response.json()).toEqual({ failedAt: 'handler' })
  })
})

describe.each(transports)('RequestState without middleware ($name)', (transport) => {
  test('is an empty object, and nothing of it is documented', async () => {
    const app = new Gatehouse()
    app.get('/state', { inputs: { state: RequestState } }, ({ state }) => ({ state }))
    const { send, close } = await transport.open(app)
    try {
      expect(await (await send('/state')).json()).toEqual({ state: {} })
      const document = await (await send('/openapi.json')).json()
      expect(document.paths['/state'].get.parameters).toBeUndefined()
      expect(document.paths['/state'].get.requestBody).toBeUndefined()
    } finally {
      await close()
    }
  })
})
