import { Gatehouse, type MatchedRoute, Router } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'
import { serveThrough, transports } from './helpers/http.js'

// A metrics middleware labels by route template, not raw path: Starlette's scope["route"].
function createApp() {
  const seen: { before: MatchedRoute | undefined; after: MatchedRoute | undefined }[] = []
  const app = new Gatehouse()
  app.use(async (ctx, next) => {
    const before = ctx.route
    await next()
    seen.push({ before, after: ctx.route })
    ctx.setHeader('x-route', ctx.route?.path ?? '-')
  })
  app.get('/items/{item_id}', { inputs: { item_id: z.number() } }, ({ item_id }) => ({ item_id }))
  const router = new Router({ prefix: '/users' })
  router.get('/{name}/posts', { inputs: { name: z.string() } }, ({ name }) => name)
  app.include(router)
  const admin = new Gatehouse()
  admin.use(async (ctx, next) => {
    await next()
    ctx.setHeader('x-inner-route', ctx.route?.path ?? '-')
  })
  admin.get('/reports/{id}', { inputs: { id: z.string() } }, ({ id }) => id)
  app.mount('/admin', admin)
  return { app, seen }
}

describe.each(transports)('the matched route, for middleware ($name)', (transport) => {
  const { app, seen } = createApp()
  const send = serveThrough(transport, app)

  test('its path as declared and its parameters, once next() has resolved', async () => {
    seen.length = 0
    const response = await send('/items/42')
    expect(response.headers.get('x-route')).toBe('/items/{item_id}')
    expect(seen).toEqual([
      { before: undefined, after: { path: '/items/{item_id}', params: { item_id: '42' } } },
    ])
    // A 422 still matched its route.
    expect((await send('/items/abc')).headers.get('x-route')).toBe('/items/{item_id}')
    expect((await send('/users/ada/posts')).headers.get('x-route')).toBe('/users/{name}/posts')
  })

  test("a mounted app's route, behind its prefix outside and as declared inside", async () => {
    const response = await send('/admin/reports/7')
    expect(response.status).toBe(200)
    expect(response.headers.get('x-route')).toBe('/admin/reports/{id}')
    expect(response.headers.get('x-inner-route')).toBe('/reports/{id}')
  })

  test('none for a 404 or a 405', async () => {
    expect((await send('/nowhere')).headers.get('x-route')).toBe('-')
    const wrongMethod = await send('/items/1', { method: 'DELETE' })
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('x-route')).toBe('-')
  })
})
