import { Gatehouse, serve } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import { captureLogger, describeEachEngine } from './helpers/http.js'

/** A mounted app whose set-up throws for its first `failures` attempts; `events` records it. */
function createChild(events: string[], failures = 0) {
  let attempts = 0
  const child = new Gatehouse({
    async *lifespan() {
      attempts++
      events.push('child:setup')
      if (attempts <= failures) throw new Error(`child set-up failed ${attempts}`)
      try {
        yield { db: `connection ${attempts}` }
      } finally {
        events.push('child:teardown')
      }
    },
  })
  child.get('/db', {}, () => ({ db: child.state.db }))
  return child
}

/** A parent with a lifespan (a "pool" it must close) and that child; `events` records what ran. */
function createParent(options: { failures?: number; sibling?: boolean } = {}) {
  const events: string[] = []
  const logger = captureLogger()
  const child = createChild(events, options.failures)
  const parent = new Gatehouse({
    logger,
    async *lifespan() {
      events.push('parent:setup')
      try {
        yield { pool: 'open' }
      } finally {
        events.push('parent:teardown')
      }
    },
  })
  if (options.sibling) {
    const sibling = new Gatehouse({
      *lifespan() {
        events.push('sibling:setup')
        yield undefined
        events.push('sibling:teardown')
        throw new Error('sibling tear-down failed')
      },
    })
    parent.mount('/sibling', sibling)
  }
  parent.mount('/child', child)
  parent.get('/pool', {}, () => parent.state)
  return { parent, child, events, logger }
}

const get = (app: Gatehouse<{ pool: string }>, path: string) =>
  app.fetch(new Request(`http://localhost${path}`))

describe('a mounted app whose set-up throws (app.fetch)', () => {
  test('the parent is torn down, the request gets 503, and the next one starts everything again', async () => {
    const { parent, events, logger } = createParent({ failures: 1 })
    const refused = await get(parent, '/child/db')
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(await refused.json()).toEqual({ detail: 'The application could not start' })
    expect(events).toEqual(['parent:setup', 'child:setup', 'parent:teardown'])
    expect(logger.calls).toHaveLength(1)
    expect(logger.calls[0]?.[0]).toBe('Lifespan set-up failed')
    expect(String(logger.calls[0]?.[1])).toContain('child set-up failed 1')
    expect(() => parent.state).toThrow(/has not started/)

    const answered = await get(parent, '/child/db')
    expect(answered.status).toBe(200)
    expect(await answered.json()).toEqual({ db: 'connection 2' })
    expect((await get(parent, '/pool')).status).toBe(200)
    expect(events).toEqual([
      'parent:setup',
      'child:setup',
      'parent:teardown',
      'parent:setup',
      'child:setup',
    ])
    expect(logger.calls).toHaveLength(1)
    await parent.shutdown()
    expect(events.slice(-2)).toEqual(['child:teardown', 'parent:teardown'])
  })

  test("the parent's own routes are refused too while a mounted app cannot start", async () => {
    const { parent, events } = createParent({ failures: 2 })
    expect((await get(parent, '/pool')).status).toBe(503)
    expect((await get(parent, '/pool')).status).toBe(503)
    expect((await get(parent, '/pool')).status).toBe(200)
    expect(events.filter((event) => event === 'parent:teardown')).toHaveLength(2)
    await parent.shutdown()
  })

  test('requests arriving during a failing start share it: one attempt, every one 503', async () => {
    const { parent, events } = createParent({ failures: 1 })
    const answers = await Promise.all([get(parent, '/child/db'), get(parent, '/pool')])
    expect(answers.map((answer) => answer.status)).toEqual([503, 503])
    expect(events).toEqual(['parent:setup', 'child:setup', 'parent:teardown'])
  })

  test('apps already started are stopped in reverse; their tear-down errors are logged, not reported', async () => {
    const { parent, events, logger } = createParent({ failures: 1, sibling: true })
    await expect(parent.startup()).rejects.toThrow('child set-up failed 1')
    expect(events).toEqual([
      'parent:setup',
      'sibling:setup',
      'child:setup',
      'sibling:teardown',
      'parent:teardown',
    ])
    expect(logger.calls.map(([message]) => message)).toEqual([
      'Lifespan tear-down failed (mounted at /sibling)',
    ])
    expect(String(logger.calls[0]?.[1])).toContain('sibling tear-down failed')
  })

  test("a mounted app's tear-down that throws does not keep the parent's from running", async () => {
    const { parent, events } = createParent({ sibling: true })
    await parent.startup()
    await expect(parent.shutdown()).rejects.toThrow('sibling tear-down failed')
    expect(events.slice(-3)).toEqual(['child:teardown', 'sibling:teardown', 'parent:teardown'])
  })
})

describe('a mounted app whose set-up throws (serve)', () => {
  test('serve() rejects with its error, the parent torn down; the next serve() starts', async () => {
    const { parent, events } = createParent({ failures: 1 })
    await expect(serve(parent, { port: 0, hostname: '127.0.0.1', signals: false })).rejects.toThrow(
      'child set-up failed 1',
    )
    expect(events).toEqual(['parent:setup', 'child:setup', 'parent:teardown'])
    const server = await serve(parent, { port: 0, hostname: '127.0.0.1', signals: false })
    try {
      const answered = await fetch(`${server.url}/child/db`)
      expect(answered.status).toBe(200)
      expect(await answered.json()).toEqual({ db: 'connection 2' })
    } finally {
      await server.close()
    }
    expect(events.slice(-2)).toEqual(['child:teardown', 'parent:teardown'])
  })
})

describeEachEngine('an app mounted after its parent started', (engine) => {
  test('is started by its first request, never run without its state, and stopped with the parent', async () => {
    const parent = new Gatehouse()
    parent.get('/up', {}, () => ({ up: true }))
    const opened = await engine.open(parent)
    const events: string[] = []
    const child = createChild(events)
    try {
      expect((await opened.send('/up')).status).toBe(200)
      parent.mount('/late', child)
      const answered = await opened.send('/late/db')
      expect(answered.status).toBe(200)
      expect(await answered.json()).toEqual({ db: 'connection 1' })
      expect(events).toEqual(['child:setup'])
    } finally {
      await opened.close()
      await parent.shutdown()
    }
    expect(events).toEqual(['child:setup', 'child:teardown'])
  })
})
