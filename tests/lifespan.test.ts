import { createServer as createHTTPServer } from 'node:http'
import { type AddressInfo, createServer } from 'node:net'
import { dependency, Gatehouse, serve } from 'gatehouse'
import { describe, expect, expectTypeOf, test } from 'vitest'

function createApp(events: string[], options: { failSetup?: boolean } = {}) {
  const app: Gatehouse<{ db: Map<string, string> }> = new Gatehouse({
    async *lifespan() {
      events.push('setup')
      if (options.failSetup) throw new Error('database unreachable')
      const db = new Map([['greeting', 'hello']])
      try {
        yield { db }
      } finally {
        events.push('teardown')
      }
    },
  })
  const getDB = dependency({}, () => app.state.db)
  app.get('/greeting', { inputs: { db: getDB } }, ({ db }) => {
    expectTypeOf(db).toEqualTypeOf<Map<string, string>>()
    return { greeting: db.get('greeting') }
  })
  app.get('/slow', {}, async () => {
    events.push('slow:start')
    await new Promise((resolve) => setTimeout(resolve, 200))
    events.push('slow:end')
    return { done: true }
  })
  return app
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
  })
}

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  return port
}

describe('lifespan', () => {
  test('serve() runs set-up before listening; the yielded state reaches dependencies', async () => {
    const events: string[] = []
    const app = createApp(events)
    expect(() => app.state).toThrow(/has not started/)
    const server = await serve(app, { port: 0, signals: false })
    expect(events).toEqual(['setup'])
    expect(await (await fetch(`${server.url}/greeting`)).json()).toEqual({ greeting: 'hello' })
    await server.close()
    expect(events).toEqual(['setup', 'teardown'])
  })

  test('a set-up that throws makes serve() reject, and nothing listens', async () => {
    const events: string[] = []
    const port = await freePort()
    await expect(
      serve(createApp(events, { failSetup: true }), { port, signals: false }),
    ).rejects.toThrow('database unreachable')
    expect(await portIsFree(port)).toBe(true)
  })

  test('close() stops accepting, drains the requests in flight, then tears down', async () => {
    const events: string[] = []
    const server = await serve(createApp(events), { port: 0, signals: false })
    const inFlight = fetch(`${server.url}/slow`).then((response) => response.json())
    while (!events.includes('slow:start')) await new Promise((resolve) => setTimeout(resolve, 5))
    const closed = server.close()
    await expect(fetch(`${server.url}/greeting`)).rejects.toThrow()
    expect(await inFlight).toEqual({ done: true })
    await closed
    expect(events).toEqual(['setup', 'slow:start', 'slow:end', 'teardown'])
  })

  test('draining is bounded: a request slower than drainTimeout is cut', async () => {
    const events: string[] = []
    const server = await serve(createApp(events), { port: 0, signals: false, drainTimeout: 50 })
    const inFlight = fetch(`${server.url}/slow`).then(
      () => 'answered',
      () => 'cut',
    )
    while (!events.includes('slow:start')) await new Promise((resolve) => setTimeout(resolve, 5))
    await server.close()
    expect(await inFlight).toBe('cut')
    expect(events).toContain('teardown')
  })

  test("a tear-down that throws makes close() reject with its error (the caller's to report)", async () => {
    const app = new Gatehouse({
      async *lifespan() {
        yield undefined
        throw new Error('pool did not close')
      },
    })
    const server = await serve(app, { port: 0, signals: false })
    await expect(server.close()).rejects.toThrow('pool did not close')
    await expect(server.close()).rejects.toThrow('pool did not close')
  })

  test('app.request() runs set-up on first use; shutdown() tears down once', async () => {
    const events: string[] = []
    const app = createApp(events)
    expect(await (await app.request('/greeting')).json()).toEqual({ greeting: 'hello' })
    expect(await (await app.request('/greeting')).json()).toEqual({ greeting: 'hello' })
    await app.shutdown()
    await app.shutdown()
    expect(events).toEqual(['setup', 'teardown'])
    expect((await app.request('/greeting')).status).toBe(503)
  })

  test('app.nodeListener() on your own server keeps the lifespan as app.fetch does', async () => {
    const events: string[] = []
    const app = createApp(events)
    const server = createHTTPServer(app.nodeListener())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/greeting`
    try {
      // The first request starts it: the state is there for the route (it was a logged 500).
      expect(await (await fetch(url)).json()).toEqual({ greeting: 'hello' })
      expect(events).toEqual(['setup'])
      await app.shutdown()
      // Shut down: refused, as app.fetch refuses, rather than run against closed resources.
      const refused = await fetch(url)
      expect(refused.status).toBe(503)
      expect(refused.headers.get('retry-after')).toBe('1')
      expect(events).toEqual(['setup', 'teardown'])
      await app.startup()
      expect((await fetch(url)).status).toBe(200)
      await app.shutdown()
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  test('each serve() runs its own cycle: after close(), app.fetch is refused until started again', async () => {
    const events: string[] = []
    const app = createApp(events)
    const first = await serve(app, { port: 0, signals: false })
    await first.close()
    expect((await app.request('/greeting')).status).toBe(503)
    const second = await serve(app, { port: 0, signals: false })
    expect(await (await fetch(`${second.url}/greeting`)).json()).toEqual({ greeting: 'hello' })
    expect((await app.request('/greeting')).status).toBe(200)
    await second.close()
    expect(events).toEqual(['setup', 'teardown', 'setup', 'teardown'])
    await app.startup()
    expect((await app.request('/greeting')).status).toBe(200)
    await app.shutdown()
    expect(events).toHaveLength(6)
  })

  test('in-process, a set-up that throws is logged, answered 503 without its message, and tried again', async () => {
    const calls: unknown[][] = []
    let attempts = 0
    const app = new Gatehouse({
      logger: { error: (message, error) => void calls.push([message, error]) },
      async *lifespan() {
        attempts++
        if (attempts === 1) throw new Error('connect failed postgres://u:hunter2@db')
        yield {}
      },
    })
    app.get('/ok', {}, () => ({ ok: true }))
    const refused = await app.request('/ok')
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(await refused.text()).not.toContain('hunter2')
    expect(calls).toHaveLength(1)
    expect(calls[0]?.[0]).toBe('Lifespan set-up failed')
    expect((await app.request('/ok')).status).toBe(200)
    expect(attempts).toBe(2)
  })

  test('mounted apps start and stop with their parent', async () => {
    const events: string[] = []
    const parent = new Gatehouse({
      *lifespan() {
        events.push('parent:setup')
        yield undefined
        events.push('parent:teardown')
      },
    })
    parent.mount('/child', createApp(events))
    await parent.startup()
    await parent.shutdown()
    expect(events).toEqual(['parent:setup', 'setup', 'teardown', 'parent:teardown'])
  })

  test('a lifespan that is not a generator function is refused', async () => {
    const app = new Gatehouse({ lifespan: (() => 42) as never })
    await expect(app.startup()).rejects.toThrow(/generator function/)
    expect(() => new Gatehouse({ lifespan: 'nope' as never })).toThrow(/lifespan/)
  })
})
