import { dependency, Gatehouse, Path, Query, Router } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'
import { describeEachEngine, serveThrough } from './helpers/http.js'
import { rawRequest } from './helpers/raw-http.js'

/** One app exercising routing; every dependency call is counted so 404/405 can prove none ran. */
function createRoutingApp() {
  const calls: string[] = []
  const track = (name: string) =>
    dependency({}, () => {
      calls.push(name)
    })
  const app = new Gatehouse({ dependencies: [track('app')], openapiUrl: null })

  app.get('/items/', {}, () => ['list'])
  app.post('/items/', {}, () => 'created')
  app.get('/items/{item_id}', { inputs: { item_id: Path(z.number().int()) } }, ({ item_id }) => ({
    method: 'GET',
    item_id,
  }))
  app.put('/items/{item_id}', { inputs: { item_id: Path(z.number().int()) } }, ({ item_id }) => ({
    method: 'PUT',
    item_id,
  }))
  app.patch('/items/{item_id}', { inputs: { item_id: Path(z.number().int()) } }, ({ item_id }) => ({
    method: 'PATCH',
    item_id,
  }))
  app.delete(
    '/items/{item_id}',
    { inputs: { item_id: Path(z.number().int()) } },
    ({ item_id }) => ({ method: 'DELETE', item_id }),
  )
  app.get(
    '/files/{file_path:path}',
    { inputs: { file_path: Path(z.string()) } },
    ({ file_path }) => ({ file_path }),
  )
  app.get(
    '/users/{user_id}/posts/{post_id}',
    {
      inputs: { user_id: Path(z.string()), post_id: Path(z.number()) },
    },
    ({ user_id, post_id }) => ({ user_id, post_id }),
  )
  app.get('/plain', {}, () => 'no slash')
  app.route('OPTIONS', '/custom', {}, () => 'options')

  const users = new Router({ prefix: '/users', tags: ['users'], dependencies: [track('router')] })
  users.get('/me', { dependencies: [track('route')] }, () => {
    calls.push('handler')
    return { user: 'me' }
  })
  const admin = new Router({ prefix: '/admin', dependencies: [track('inner-router')] })
  admin.get('/stats', {}, () => ({ stats: true }))
  users.include(admin)
  app.include(users)

  const v2 = new Router()
  v2.get('/ping', { inputs: { echo: Query(z.string().optional()) } }, ({ echo }) => ({
    pong: echo ?? true,
  }))
  app.include(v2, { prefix: '/v2', dependencies: [track('include')] })
  return { app, calls }
}

describeEachEngine('routing', (engine) => {
  const { app, calls } = createRoutingApp()
  const send = serveThrough(engine, app)

  const json = async (path: string, init?: RequestInit) => {
    const res = await send(path, init)
    return { status: res.status, body: await res.json() }
  }

  test('GET, POST, PUT, PATCH and DELETE reach their own handlers', async () => {
    expect(await json('/items/')).toEqual({ status: 200, body: ['list'] })
    expect(await json('/items/', { method: 'POST' })).toEqual({ status: 200, body: 'created' })
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      expect(await json('/items/7', { method })).toEqual({
        status: 200,
        body: { method, item_id: 7 },
      })
    }
    expect(await json('/custom', { method: 'OPTIONS' })).toEqual({ status: 200, body: 'options' })
  })

  test('path parameters are decoded and validated; {name:path} spans slashes', async () => {
    expect(await json('/files/home/johndoe/my%20file.txt')).toEqual({
      status: 200,
      body: { file_path: 'home/johndoe/my file.txt' },
    })
    expect(await json('/users/al%20ice/posts/3')).toEqual({
      status: 200,
      body: { user_id: 'al ice', post_id: 3 },
    })
    const bad = await json('/items/foo')
    expect(bad.status).toBe(422)
    expect(bad.body.detail[0]).toMatchObject({ loc: ['path', 'item_id'], input: 'foo' })
    // A plain parameter does not span slashes.
    expect((await send('/items/1/2')).status).toBe(404)
  })

  test('routers add prefix and dependencies, nested routers stack them outermost first', async () => {
    calls.length = 0
    expect(await json('/users/me')).toEqual({ status: 200, body: { user: 'me' } })
    expect(calls).toEqual(['app', 'router', 'route', 'handler'])
    calls.length = 0
    expect(await json('/users/admin/stats')).toEqual({ status: 200, body: { stats: true } })
    expect(calls).toEqual(['app', 'router', 'inner-router'])
    calls.length = 0
    expect(await json('/v2/ping?echo=hi')).toEqual({ status: 200, body: { pong: 'hi' } })
    expect(calls).toEqual(['app', 'include'])
  })

  test('a missing trailing slash redirects 307 to the registered form, keeping the query', async () => {
    const res = await send('/items?limit=5&tag=a&tag=b')
    expect(res.status).toBe(307)
    // Relative, never built from the Host header.
    expect(res.headers.get('location')).toBe('/items/?limit=5&tag=a&tag=b')
    // 307 keeps the method: a POST is redirected too.
    const post = await send('/items', { method: 'POST' })
    expect(post.status).toBe(307)
    expect(post.headers.get('location')).toBe('/items/')
  })

  test('an extra trailing slash redirects 307 to the form without it', async () => {
    const res = await send('/plain/?x=1')
    expect(res.status).toBe(307)
    expect(res.headers.get('location')).toBe('/plain?x=1')
    const param = await send('/users/me/')
    expect(param.status).toBe(307)
    expect(param.headers.get('location')).toBe('/users/me')
  })

  test('a 307 has an empty body and is not sent chunked', async () => {
    for (const path of ['/items', '/plain/']) {
      const res = await send(path)
      expect(res.status).toBe(307)
      expect(res.headers.get('transfer-encoding')).toBeNull()
      expect(await res.text()).toBe('')
    }
  })

  test('dot segments in the path are resolved as a URL parser resolves them', async () => {
    // `fetch` and every Web runtime resolve them before `app.fetch` sees the URL; a raw client
    // sends them as written, so the Node engine must resolve them the same way.
    for (const path of ['/users/nobody/../me', '/users/x/%2e%2e/me', '/users/./me']) {
      expect(await json(path)).toEqual({ status: 200, body: { user: 'me' } })
    }
  })

  test('404 comes before any dependency runs', async () => {
    calls.length = 0
    const res = await send('/nothing/here')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ detail: 'Not Found' })
    expect((await send('/users/nobody')).status).toBe(404)
    expect(calls).toEqual([])
  })

  test('405 with Allow comes before any dependency runs', async () => {
    calls.length = 0
    const res = await send('/users/me', { method: 'DELETE' })
    expect(res.status).toBe(405)
    expect(await res.json()).toEqual({ detail: 'Method Not Allowed' })
    expect(res.headers.get('allow')).toBe('GET, HEAD')
    const items = await send('/items/3', { method: 'POST' })
    expect(items.status).toBe(405)
    expect(items.headers.get('allow')?.split(', ').sort()).toEqual(
      ['DELETE', 'GET', 'HEAD', 'PATCH', 'PUT'].sort(),
    )
    expect(calls).toEqual([])
  })

  test('HEAD answers a GET route without a body', async () => {
    const res = await send('/items/', { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
  })

  test('openapiUrl: null leaves /openapi.json and the docs unrouted', async () => {
    expect((await send('/openapi.json')).status).toBe(404)
    expect((await send('/docs')).status).toBe(404)
    expect((await send('/redoc')).status).toBe(404)
  })
})

describeEachEngine('slash redirects stay on this host', (engine) => {
  const app = new Gatehouse()
  app.get('/{page:path}/edit/', { inputs: { page: Path(z.string()) } }, ({ page }) => page)
  const send = serveThrough(engine, app)

  test('a path that would redirect to `//host` is a 404, never a Location for another site', async () => {
    // `//evil.example/edit/` in a Location is a network-path reference: browsers go to evil.example.
    for (const path of ['//evil.example/edit', '///evil.example/edit', '//evil.example/edit?x=1']) {
      const res = await send(path)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('location'), path).toBeNull()
    }
    const own = await send('/docs/edit?x=1')
    expect(own.status).toBe(307)
    expect(own.headers.get('location')).toBe('/docs/edit/?x=1')
  })

  test('a backslash sent as written is no way out either', async () => {
    // fetch turns `\` into `/` before sending; a raw client sends it, and browsers read `/\` as `//`.
    if (engine.name !== 'serve') {
      expect((await send('/\\evil.example/edit')).status).toBe(404)
      return
    }
    const port = Number(new URL(send.origin).port)
    const answer = await rawRequest(
      port,
      'GET /\\evil.example/edit HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    )
    expect(answer.status).toBe(404)
    expect(answer.headers.location).toBeUndefined()
  })
})

describeEachEngine('routes as registered', (engine) => {
  const strict = new Gatehouse({ redirectSlashes: false })
  strict.get('/items/', {}, () => [])
  const sendStrict = serveThrough(engine, strict)
  const growing = new Gatehouse()
  growing.get('/a', {}, () => 'a')
  const sendGrowing = serveThrough(engine, growing)

  test('redirectSlashes: false answers 404 instead of redirecting', async () => {
    expect((await sendStrict('/items')).status).toBe(404)
    expect((await sendStrict('/items/')).status).toBe(200)
  })

  test('routes declared after the first request are served', async () => {
    expect(await (await sendGrowing('/a')).json()).toBe('a')
    growing.get('/b', {}, () => 'b')
    expect(await (await sendGrowing('/b')).json()).toBe('b')
    expect(growing.routes.map((route) => route.path.path)).toEqual(['/a', '/b'])
  })
})

describe('route registration', () => {
  test('malformed paths, prefixes and options are TypeErrors at registration', () => {
    const app = new Gatehouse()
    expect(() => app.get('items', {}, () => 1)).toThrow(TypeError)
    expect(() => app.get('/a/{x}/{x}', {}, () => 1)).toThrow(/repeats/)
    expect(() => app.get('/a/{x', {}, () => 1)).toThrow(/malformed/)
    expect(() => new Router({ prefix: 'users' })).toThrow(/prefix/)
    expect(() => new Router({ prefix: '/users/' })).toThrow(/prefix/)
    expect(() => app.get('/s', { status: 99 }, () => 1)).toThrow(/status/)
    expect(() => app.get('/h', {}, 'nope' as never)).toThrow(/handler/)
    expect(() => app.get('/o', null as never, () => 1)).toThrow(/options/)
    expect(() => new Gatehouse({ bodyLimit: -1 })).toThrow(/bodyLimit/)
  })

  test('an explicit operationId must be unique', () => {
    const app = new Gatehouse()
    app.get('/a', { operationId: 'same' }, () => 1)
    expect(() => app.get('/b', { operationId: 'same' }, () => 1)).toThrow(/duplicate operationId/)
  })
})
