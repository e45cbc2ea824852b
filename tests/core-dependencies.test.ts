import {
  Body,
  Depends,
  dependency,
  Form,
  Gatehouse,
  HTTPException,
  type InputLike,
  Path,
  Query,
  Router,
  Security,
} from 'gatehouse'
import { beforeEach, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger, describeEachEngine, type Send, serveThrough } from './helpers/http.js'

type JSONAnswer = { status: number; body: unknown }
const getJSON = async (send: Send, path: string, init?: RequestInit): Promise<JSONAnswer> => {
  const res = await send(path, init)
  return { status: res.status, body: await res.json() }
}

describeEachEngine('dependency values', (engine) => {
  const commons = dependency(
    { q: Query(z.string().optional()), skip: Query(z.number().default(0)) },
    ({ q, skip }) => ({ q, skip }),
  )
  const slow = dependency({ commons }, async ({ commons }) => {
    await new Promise((resolve) => setTimeout(resolve, 1))
    return commons.skip + 1
  })
  const nested = new Gatehouse()
  nested.get('/', { inputs: { commons, next: Depends(slow) } }, (inputs) => inputs)
  const sendNested = serveThrough(engine, nested)

  let counter = 0
  const count = dependency({}, () => ++counter)
  const a = dependency({ n: count }, ({ n }) => n)
  const b = dependency({ n: Depends(count) }, ({ n }) => n)
  const cached = new Gatehouse()
  cached.get(
    '/',
    { inputs: { a, b, direct: count, fresh: Depends(count, { useCache: false }) } },
    (inputs) => inputs,
  )
  let freshCounter = 0
  const freshCount = dependency({}, () => ++freshCounter)
  // FastAPI stores a `use_cache=False` value too: a later cached use takes it.
  cached.get(
    '/fresh-first',
    { inputs: { fresh: Depends(freshCount, { useCache: false }), later: freshCount } },
    (inputs) => inputs,
  )
  const sendCached = serveThrough(engine, cached)

  const order: string[] = []
  const mark = (name: string) =>
    dependency({}, () => {
      order.push(name)
      return name
    })
  const ordered = new Gatehouse({ dependencies: [mark('app')] })
  const router = new Router({ prefix: '/r', dependencies: [mark('router')] })
  router.get(
    '/',
    { dependencies: [mark('route-1'), mark('route-2')], inputs: { value: mark('input') } },
    (inputs) => inputs,
  )
  ordered.include(router, { dependencies: [mark('include')] })
  const sendOrdered = serveThrough(engine, ordered)

  const verifyKey = dependency({ xKey: Query(z.string()) }, ({ xKey }) => {
    if (xKey !== 'secret') throw new HTTPException(400, { detail: 'X-Key invalid' })
  })
  let ran = false
  const guarded = new Gatehouse()
  guarded.get('/', { dependencies: [verifyKey] }, () => {
    ran = true
    return 'ok'
  })
  const sendGuarded = serveThrough(engine, guarded)

  test('sync and async dependencies, nested, bare or in Depends()', async () => {
    expect(await getJSON(sendNested, '/?q=x&skip=2')).toEqual({
      status: 200,
      body: { commons: { q: 'x', skip: 2 }, next: 3 },
    })
  })

  test('a dependency runs once per request however often it is used; useCache: false runs again', async () => {
    expect((await getJSON(sendCached, '/')).body).toEqual({ a: 1, b: 1, direct: 1, fresh: 2 })
    // The cache is per request, not per app.
    expect((await getJSON(sendCached, '/')).body).toEqual({ a: 3, b: 3, direct: 3, fresh: 4 })
    expect((await getJSON(sendCached, '/fresh-first')).body).toEqual({ fresh: 1, later: 1 })
  })

  test('decorator dependencies run in order app, router, route, then inputs; values unused', async () => {
    expect((await getJSON(sendOrdered, '/r/')).body).toEqual({ value: 'input' })
    expect(order).toEqual(['app', 'include', 'router', 'route-1', 'route-2', 'input'])
  })

  test('a decorator dependency can reject the request', async () => {
    expect(await getJSON(sendGuarded, '/?xKey=wrong')).toEqual({
      status: 400,
      body: { detail: 'X-Key invalid' },
    })
    expect(ran).toBe(false)
    expect(await getJSON(sendGuarded, '/?xKey=secret')).toEqual({ status: 200, body: 'ok' })
  })
})

/** Cleanups run after the response is written: over a socket, the test may see the answer first. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
}

describeEachEngine('cleanup', (engine) => {
  function createCleanupApp() {
    const events: string[] = []
    const logger = captureLogger()
    const outer = dependency({}, async function* outer() {
      events.push('outer:open')
      try {
        yield 'outer'
      } catch (error) {
        events.push(`outer:saw ${(error as Error).message}`)
        throw error
      } finally {
        events.push('outer:close')
      }
    })
    const inner = dependency({ outer }, function* inner({ outer }) {
      events.push('inner:open')
      try {
        yield `${outer}/inner`
      } finally {
        events.push('inner:close')
      }
    })
    const resource = dependency({}, () => ({
      name: 'resource',
      async [Symbol.asyncDispose]() {
        events.push('resource:disposed')
      },
    }))
    const syncResource = dependency({}, () => ({
      [Symbol.dispose]() {
        events.push('sync:disposed')
      },
    }))
    const app = new Gatehouse({ logger })
    app.get('/ok', { inputs: { inner, resource, syncResource } }, ({ inner, resource }) => {
      events.push('handler')
      return { inner, resource: resource.name }
    })
    app.get('/http-error', { inputs: { inner } }, () => {
      events.push('handler')
      throw new HTTPException(404, { detail: 'Nope' })
    })
    app.get('/crash', { inputs: { inner, resource } }, () => {
      events.push('handler')
      throw new Error('boom')
    })
    app.get('/invalid', { inputs: { outer, n: Query(z.number()) } }, () => 'never')

    const seen: unknown[] = []
    const ran = { guarded: false }
    const session = dependency({}, async function* session() {
      try {
        yield 'session'
      } catch (error) {
        seen.push(error)
        throw error
      } finally {
        events.push('session:close')
      }
    })
    const guard = dependency({ session }, () => {
      throw new HTTPException(401, { detail: 'Not authenticated' })
    })
    app.get('/guarded', { inputs: { guard } }, () => {
      ran.guarded = true
    })
    const strict = dependency(
      {},
      function* strict() {
        yield 1
        throw new HTTPException(409, { detail: 'Conflict found during cleanup' })
      },
      { scope: 'function' },
    )
    app.get('/strict', { inputs: { strict } }, () => 'ok')
    const late = dependency({}, function* late() {
      yield 1
      throw new Error('commit failed')
    })
    app.get('/late', { inputs: { late } }, () => 'ok')
    const swallow = dependency({}, function* swallow() {
      try {
        yield 1
      } catch {
        // deliberately ignored
      }
    })
    app.get('/swallow', { inputs: { swallow } }, () => {
      throw new HTTPException(418, { detail: 'teapot' })
    })
    const empty = dependency({}, function* empty() {})
    app.get('/empty', { inputs: { empty } }, () => 'ok')
    // FastAPI's dependencies/tutorial008b: the default (request) scope turns the handler's
    // error into an HTTPException, since the error unwinds the dependencies before its answer.
    class OwnerError extends Error {}
    const username = dependency({}, function* getUsername() {
      try {
        yield 'Rick'
      } catch (error) {
        if (error instanceof OwnerError)
          throw new HTTPException(400, { detail: `Owner error: ${error.message}` })
        throw error
      }
    })
    const items: Record<string, { description: string; owner: string }> = {
      portal: { description: 'Portal Gun', owner: 'Morty' },
      plumbus: { description: 'Plumbus', owner: 'Rick' },
    }
    app.get(
      '/items/{item_id}',
      { inputs: { item_id: Path(z.string()), username } },
      ({ item_id, username }) => {
        const item = items[item_id]
        if (item === undefined) throw new HTTPException(404, { detail: 'Item not found' })
        if (item.owner !== username) throw new OwnerError(username)
        return item
      },
    )
    return { app, events, logger, seen, ran }
  }
  const { app, events, logger, seen, ran } = createCleanupApp()
  const send = serveThrough(engine, app)
  beforeEach(() => {
    events.length = 0
    logger.calls.length = 0
    seen.length = 0
    ran.guarded = false
  })

  test('generator cleanup and disposal run after the handler, in reverse order of set-up', async () => {
    const res = await getJSON(send, '/ok')
    expect(res).toEqual({ status: 200, body: { inner: 'outer/inner', resource: 'resource' } })
    expect(events).toEqual([
      'outer:open',
      'inner:open',
      'handler',
      'sync:disposed',
      'resource:disposed',
      'inner:close',
      'outer:close',
    ])
  })

  test('cleanup runs on errors too and sees the error through try/catch around yield', async () => {
    expect(await getJSON(send, '/http-error')).toEqual({ status: 404, body: { detail: 'Nope' } })
    expect(events).toEqual([
      'outer:open',
      'inner:open',
      'handler',
      'inner:close',
      'outer:saw Nope',
      'outer:close',
    ])
    events.length = 0
    expect(await getJSON(send, '/crash')).toEqual({
      status: 500,
      body: { detail: 'Internal Server Error' },
    })
    expect(events).toEqual([
      'outer:open',
      'inner:open',
      'handler',
      'resource:disposed',
      'inner:close',
      'outer:saw boom',
      'outer:close',
    ])
    expect(logger.calls).toHaveLength(1)
  })

  test('a later dependency that fails still lets earlier ones clean up, seeing its error', async () => {
    expect(await getJSON(send, '/guarded')).toEqual({
      status: 401,
      body: { detail: 'Not authenticated' },
    })
    expect(ran.guarded).toBe(false)
    expect(events).toEqual(['session:close'])
    expect(seen).toEqual([expect.objectContaining({ status: 401 })])
  })

  test('no dependency runs when the inputs are invalid, so nothing needs cleaning', async () => {
    expect((await send('/invalid?n=x')).status).toBe(422)
    expect(events).toEqual([])
  })

  test("an exception raised after yield of a scope: 'function' dependency replaces the response", async () => {
    expect(await getJSON(send, '/strict')).toEqual({
      status: 409,
      body: { detail: 'Conflict found during cleanup' },
    })
  })

  test('an exception raised after yield, once the response is sent, is logged', async () => {
    expect(await getJSON(send, '/late')).toEqual({ status: 200, body: 'ok' })
    await until(() => logger.calls.length > 0)
    expect(logger.calls).toEqual([['Cleanup failed in GET /late', new Error('commit failed')]])
  })

  test('a cleanup that swallows the error does not turn a failure into success', async () => {
    expect(await getJSON(send, '/swallow')).toEqual({ status: 418, body: { detail: 'teapot' } })
  })

  test('a yield dependency turns the handler error into its HTTPException (FastAPI tutorial008b)', async () => {
    expect(await getJSON(send, '/items/plumbus')).toEqual({
      status: 200,
      body: { description: 'Plumbus', owner: 'Rick' },
    })
    expect(await getJSON(send, '/items/portal')).toEqual({
      status: 400,
      body: { detail: 'Owner error: Rick' },
    })
    expect(await getJSON(send, '/items/nope')).toEqual({
      status: 404,
      body: { detail: 'Item not found' },
    })
    expect(logger.calls).toEqual([])
  })

  test('a generator that never yields is a 500, logged', async () => {
    expect((await send('/empty')).status).toBe(500)
    expect(logger.calls).toHaveLength(1)
  })
})

describe('registration errors', () => {
  test('a dependency cycle is a TypeError at registration', () => {
    const aInputs: Record<string, InputLike> = {}
    const a = dependency(aInputs, () => 1, { name: 'depA' })
    const b = dependency({ a }, () => 2, { name: 'depB' })
    aInputs.b = b
    const app = new Gatehouse()
    expect(() => app.get('/', { inputs: { a } }, () => 1)).toThrow(TypeError)
    expect(() => app.get('/', { inputs: { a } }, () => 1)).toThrow(
      'GET /: dependency cycle: a ("depA") → b ("depB") → a ("depA")',
    )
  })

  // FastAPI's DependencyScopeError: the repository would use, in its own clean-up and in a
  // streamed body, a session closed when the handler returned.
  test("a request-scoped generator over a scope: 'function' one is a TypeError at registration", () => {
    const session = dependency(
      {},
      function* getSession() {
        yield { open: true }
      },
      { scope: 'function' },
    )
    const repo = dependency({ session }, async function* getRepo({ session }) {
      yield session
    })
    const app = new Gatehouse()
    expect(() => app.get('/items', { inputs: { repo } }, () => 1)).toThrow(
      `GET /items in dependency repo ("getRepo"): repo ("getRepo") is cleaned up after the response (scope "request"), so it cannot depend on session ("getSession"), which has scope "function"`,
    )
    // Anonymous generators are told apart by the keys they were declared at.
    const anonymousSession = dependency(
      {},
      function* () {
        yield { open: true }
      },
      { scope: 'function' },
    )
    const anonymousRepo = dependency({ db: anonymousSession }, async function* ({ db }) {
      yield db
    })
    expect(() => app.get('/anonymous', { inputs: { repo: anonymousRepo } }, () => 1)).toThrow(
      `"repo" is cleaned up after the response (scope "request"), so it cannot depend on "db", which has scope "function"`,
    )
    // Allowed: the same scope both ways, a plain function over it, the handler itself.
    const shortRepo = dependency(
      { session },
      function* shortRepo({ session }) {
        yield session
      },
      { scope: 'function' },
    )
    const plain = dependency({ session }, ({ session }) => session)
    const longSession = dependency({}, function* longSession() {
      yield {}
    })
    const longRepo = dependency({ longSession }, function* longRepo({ longSession }) {
      yield longSession
    })
    for (const inputs of [{ shortRepo }, { plain }, { session }, { longRepo }])
      expect(() => new Gatehouse().get('/items', { inputs }, () => 1)).not.toThrow()
  })

  test('an anonymous dependency is still named in errors', () => {
    const inputs: Record<string, InputLike> = {}
    const self = dependency(inputs, () => 1)
    inputs.self = self
    expect(self.name).not.toBe('')
    expect(() => new Gatehouse().get('/', { inputs: { self } }, () => 1)).toThrow(
      'GET /: dependency cycle: "self" → "self"',
    )
  })

  test('Path() for a name not in the path is a TypeError', () => {
    const app = new Gatehouse()
    expect(() => app.get('/items', { inputs: { item_id: Path(z.number()) } }, () => 1)).toThrow(
      TypeError,
    )
    expect(() =>
      app.get('/items/{id}', { inputs: { item_id: Path(z.number()) } }, () => 1),
    ).toThrow(/"item_id" does not appear in the path/)
    // Nested in a dependency too.
    const dep = dependency({ user_id: Path(z.string()) }, ({ user_id }) => user_id)
    expect(() => app.get('/users', { inputs: { dep } }, () => 1)).toThrow(TypeError)
  })

  test('anything that is not an input source is a TypeError naming the key', () => {
    const app = new Gatehouse()
    expect(() => app.get('/', { inputs: { nope: 42 as never } }, () => 1)).toThrow(
      /input "nope" is not an input source/,
    )
    expect(() => app.get('/', { inputs: { d: Depends({} as never) } }, () => 1)).toThrow(TypeError)
    expect(() => dependency({}, 'nope' as never)).toThrow(TypeError)
  })

  test('a single value with no name to read it by is a TypeError naming the route', () => {
    const app = new Gatehouse()
    const nameless =
      /(GET|POST) \/: an entry of `dependencies` reads a single value but has no name/
    expect(() => app.get('/', { dependencies: [z.string()] }, () => 1)).toThrow(nameless)
    expect(() => app.get('/', { dependencies: [Query(z.string())] }, () => 1)).toThrow(nameless)
    expect(() => app.post('/', { dependencies: [Form(z.string())] }, () => 1)).toThrow(nameless)
    expect(() =>
      app.get('/', { inputs: { q: Query(z.string(), { alias: '' }) } }, () => 1),
    ).toThrow(/input "q": its `alias` is empty/)
    // Several bodies are embedded by name, so each needs one.
    const Item = z.object({ name: z.string() })
    expect(() =>
      app.post('/', { dependencies: [Body(Item)], inputs: { item: Body(Item) } }, () => 1),
    ).toThrow(nameless)
    expect(() =>
      app.post('/', { inputs: { a: Body(Item, { alias: '' }), b: Body(Item) } }, () => 1),
    ).toThrow(/input "a": its `alias` is empty/)
    // Named, or a model whose fields name themselves, they are fine.
    expect(() =>
      app.get('/a', { dependencies: [Query(z.string(), { alias: 'token' })] }, () => 1),
    ).not.toThrow()
    expect(() =>
      app.get('/b', { dependencies: [Query(z.object({ page: z.string() }))] }, () => 1),
    ).not.toThrow()
  })

  test('a path input must be a single value and JSON and form bodies do not mix', () => {
    const app = new Gatehouse()
    expect(() =>
      app.get('/{ids}', { inputs: { ids: Path(z.array(z.string())) } }, () => 1),
    ).toThrow(/single value/)
    expect(() =>
      app.post('/', { inputs: { a: z.object({ x: z.string() }), b: Form(z.string()) } }, () => 1),
    ).toThrow(/Body\(\) and Form\(\)/)
  })
})

describe('Security() and Depends() options', () => {
  const dep = dependency({}, () => 'x')
  test('Security(dep, ["read"]), scopes by position, is refused: it would require none', () => {
    expect(() => Security(dep, ['read'] as never)).toThrow(
      'Security(): the second argument is an options object: Security(dep, { scopes: ["read"] })',
    )
    expect(() => Security(dep, { scope: ['read'] } as never)).toThrow(
      'Security(): unknown option `scope`',
    )
    expect(() => Security(dep, { scopes: 'read' } as never)).toThrow('`scopes` must be a list')
  })

  test('Depends(dep, { scopes }) is refused: only Security() requires scopes', () => {
    expect(() => Depends(dep, { scopes: ['read'] } as never)).toThrow(
      'Depends(): `scopes` belongs to Security(dep, { scopes })',
    )
    expect(() => Depends(dep, [] as never)).toThrow('Depends(): the second argument')
  })
})
