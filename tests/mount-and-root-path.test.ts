import { BackgroundTasks, Gatehouse, HTTPException, type Middleware, Path } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { type Send, transports } from './helpers/http.js'
import { until } from './helpers/until.js'

function createApp() {
  const admin = new Gatehouse({ title: 'Admin' })
  admin.get('/users/{id}', { inputs: { id: Path(z.number()) } }, function readUser({ id }) {
    return { id, admin: true }
  })
  admin.get('/', {}, () => ({ admin: 'home' }))
  admin.get('/missing', {}, () => {
    throw new HTTPException(404, { detail: 'no such admin thing' })
  })
  admin.exceptionHandler(405, () => Response.json({ admin: 'wrong method' }, { status: 405 }))

  // Anything with fetch(): it sees the path below the mount point.
  const legacy = {
    fetch: (request: Request) => Response.json({ legacy: new URL(request.url).pathname }),
  }

  const seen: string[] = []
  const tracing: Middleware = async (ctx, next) => {
    seen.push(ctx.request.path)
    await next()
    ctx.setHeader('x-traced', String(ctx.status))
  }
  const app = new Gatehouse({ title: 'Main' })
  app.use(tracing)
  app.get('/items/', {}, () => ['a'])
  app.mount('/admin', admin)
  app.mount('/legacy', legacy)
  return { app, seen }
}

describe.each(transports)('mounting ($name)', (transport) => {
  let send: Send
  let close: () => Promise<void>
  let seen: string[]
  beforeAll(async () => {
    const created = createApp()
    seen = created.seen
    ;({ send, close } = await transport.open(created.app))
  })
  afterAll(() => close())

  test('a mounted app answers below its prefix, with its own routes and errors', async () => {
    expect(await (await send('/admin/users/7')).json()).toEqual({ id: 7, admin: true })
    expect(await (await send('/admin')).json()).toEqual({ admin: 'home' })
    expect(await (await send('/admin/')).json()).toEqual({ admin: 'home' })
    const missing = await send('/admin/missing')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ detail: 'no such admin thing' })
    const wrong = await send('/admin/users/7', { method: 'DELETE' })
    expect(await wrong.json()).toEqual({ admin: 'wrong method' })
  })

  test('the parent’s middleware sees the mounted app’s answers', async () => {
    seen.length = 0
    const response = await send('/admin/users/abc')
    expect(response.status).toBe(422)
    expect(response.headers.get('x-traced')).toBe('422')
    expect(seen).toEqual(['/admin/users/abc'])
  })

  test('a mounted app has its own docs, loading its own OpenAPI document', async () => {
    const document = await (await send('/admin/openapi.json')).json()
    expect(document.info.title).toBe('Admin')
    expect(document.servers).toEqual([{ url: '/admin' }])
    expect(Object.keys(document.paths)).toEqual(['/users/{id}', '/', '/missing'])
    const page = await (await send('/admin/docs')).text()
    expect(page).toContain('Admin - Swagger UI')
    const init = await (await send('/admin/docs/assets/swagger-ui-init.js')).text()
    expect(init.length).toBeGreaterThan(0)
    const main = await (await send('/openapi.json')).json()
    expect(Object.keys(main.paths)).toEqual(['/items/'])
  })

  test('anything with fetch() is mounted too, seeing the path below the prefix', async () => {
    expect(await (await send('/legacy/a/b?x=1')).json()).toEqual({ legacy: '/a/b' })
  })

  test('a percent-encoded prefix is the same prefix: the mounted app sees the path below it', async () => {
    // `/%61dmin` is `/admin` (RFC 3986 §6.2.2.2); the prefix was cut by length, leaving `dmin/…`.
    expect(await (await send('/%61dmin/users/7')).json()).toEqual({ id: 7, admin: true })
    expect(await (await send('/adm%69n')).json()).toEqual({ admin: 'home' })
    expect(await (await send('/%6Cegacy/a/%62?x=1')).json()).toEqual({ legacy: '/a/%62' })
  })

  test('paths that only start like the prefix are not the mount', async () => {
    expect((await send('/administrator')).status).toBe(404)
  })

  test('a slash redirect inside a mounted app keeps the prefix', async () => {
    expect((await send('/items')).headers.get('location')).toBe('/items/')
    const response = await send('/admin/users/7/?x=1')
    expect(response.status).toBe(307)
    expect(response.headers.get('location')).toBe('/admin/users/7?x=1')
  })

  test('the docs pages take a slash redirect too, in the parent and in a mounted app', async () => {
    for (const [path, location] of [
      ['/docs/', '/docs'],
      ['/admin/docs/', '/admin/docs'],
      ['/admin/openapi.json/', '/admin/openapi.json'],
    ]) {
      const response = await send(path as string)
      expect(response.status).toBe(307)
      expect(response.headers.get('location')).toBe(location)
    }
  })
})

describe('root path', () => {
  function createProxiedApp() {
    const app = new Gatehouse({ title: 'Behind a proxy', rootPath: '/api/v1' })
    app.get('/things/', {}, () => [])
    return app
  }

  test.each(transports)(
    'docs, OpenAPI servers and redirects keep the prefix the proxy strips ($name)',
    async (transport) => {
      const { send, close } = await transport.open(createProxiedApp())
      try {
        const document = await (await send('/openapi.json')).json()
        expect(document.servers).toEqual([{ url: '/api/v1' }])
        const init = await (await send('/docs/assets/swagger-ui-init.js')).text()
        const page = await (await send('/docs')).text()
        // The page tells Swagger UI to load the document from where the browser sees it.
        expect(page + init).toContain('/api/v1/openapi.json')
        const redirect = await send('/things')
        expect(redirect.status).toBe(307)
        expect(redirect.headers.get('location')).toBe('/api/v1/things/')
      } finally {
        await close()
      }
    },
  )

  // With no proxy to strip it (a developer's machine, "Try it out" against servers[0]), the docs
  // page loaded but its document, and every operation, was a 404. Starlette routes both forms.
  test.each(transports)(
    'a request that still carries the prefix is routed below it, as Starlette does ($name)',
    async (transport) => {
      const app = createProxiedApp()
      const ran: string[] = []
      app.get('/hello', { inputs: { tasks: BackgroundTasks } }, ({ tasks }) => {
        tasks.add(() => ran.push('task'))
        return { hi: true }
      })
      app.get('/', {}, () => ({ root: true }))
      const { send, close } = await transport.open(app)
      try {
        expect(await (await send('/api/v1/hello')).json()).toEqual({ hi: true })
        expect(await (await send('/hello')).json()).toEqual({ hi: true })
        await until(() => ran.length === 2)
        expect(await (await send('/api/v1')).json()).toEqual({ root: true })
        const document = await (await send('/api/v1/openapi.json')).json()
        expect(document.servers).toEqual([{ url: '/api/v1' }])
        expect((await send('/api/v1/docs')).status).toBe(200)
        const redirect = await send('/api/v1/things')
        expect(redirect.status).toBe(307)
        expect(redirect.headers.get('location')).toBe('/api/v1/things/')
        // Only a whole segment is the prefix.
        expect((await send('/api/v10/hello')).status).toBe(404)
      } finally {
        await close()
      }
    },
  )
})

describe('nested mounts', () => {
  /** root (rootPath /api) → /parent → /child, the two mount() calls in the given order. */
  function createNested(order: 'parent first' | 'child first') {
    const root = new Gatehouse({ rootPath: '/api' })
    const parent = new Gatehouse()
    const child = new Gatehouse({ title: 'Child' })
    child.get('/folder/', {}, () => ({ folder: 1 }))
    if (order === 'parent first') {
      root.mount('/parent', parent)
      parent.mount('/child', child)
    } else {
      parent.mount('/child', child)
      root.mount('/parent', parent)
    }
    return { root, child }
  }

  describe.each(transports)('($name)', (transport) => {
    test.each(['parent first', 'child first'] as const)(
      'redirects, servers and the docs keep every prefix and the root path, mounted %s',
      async (order) => {
        const { send, close } = await transport.open(createNested(order).root)
        try {
          const redirect = await send('/parent/child/folder?x=1')
          expect(redirect.status).toBe(307)
          expect(redirect.headers.get('location')).toBe('/api/parent/child/folder/?x=1')
          const document = await (await send('/parent/child/openapi.json')).json()
          expect(document.servers).toEqual([{ url: '/api/parent/child' }])
          const page = await (await send('/parent/child/docs')).text()
          const init = await (await send('/parent/child/docs/assets/swagger-ui-init.js')).text()
          expect(page + init).toContain('/api/parent/child/openapi.json')
          expect(page + init).not.toMatch(/["'(]\/child\/openapi\.json/)
        } finally {
          await close()
        }
      },
    )
  })

  test('an app used on its own before it was mounted forgets the base it was built with', async () => {
    const { root, child } = createNested('child first')
    const parent = new Gatehouse()
    const alone = new Gatehouse()
    alone.get('/folder/', {}, () => ({}))
    expect((await alone.request('/folder')).headers.get('location')).toBe('/folder/')
    expect(alone.openapi().servers).toBeUndefined()
    parent.mount('/alone', alone)
    root.mount('/other', parent)
    expect((await root.request('/other/alone/folder')).headers.get('location')).toBe(
      '/api/other/alone/folder/',
    )
    expect(alone.openapi().servers).toEqual([{ url: '/api/other/alone' }])
    expect(child.openapi().servers).toEqual([{ url: '/api/parent/child' }])
  })
})

describe('mount set-up', () => {
  test('bad prefixes, self-mounts and double mounts throw at registration', () => {
    const app = new Gatehouse()
    const other = new Gatehouse()
    expect(() => app.mount('admin', other)).toThrow(/plain path/)
    expect(() => app.mount('/admin/', other)).toThrow(/plain path/)
    expect(() => app.mount('/{x}', other)).toThrow(/plain path/)
    expect(() => app.mount('/self', app)).toThrow(/itself/)
    expect(() => app.mount('/x', {} as never)).toThrow(/fetch/)
    app.mount('/admin', other)
    expect(() => app.mount('/admin', new Gatehouse())).toThrow(/already mounted there/)
    expect(() => new Gatehouse().mount('/again', other)).toThrow(/already mounted at \/admin/)
  })

  test('an app cannot mount an app that (directly or not) mounts it', () => {
    const top = new Gatehouse()
    const middle = new Gatehouse()
    const bottom = new Gatehouse()
    top.mount('/middle', middle)
    middle.mount('/bottom', bottom)
    expect(() => bottom.mount('/top', top)).toThrow(/already mounts this one/)
    expect(() => middle.mount('/top', top)).toThrow(/already mounts this one/)
  })

  test('a bad rootPath is a TypeError', () => {
    expect(() => new Gatehouse({ rootPath: 'api' })).toThrow(/rootPath/)
    expect(() => new Gatehouse({ rootPath: '/api/' })).toThrow(/rootPath/)
  })
})
