import { Gatehouse, serve } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import { gate } from './helpers/gate.js'
import { captureLogger } from './helpers/http.js'
import { createPoolApp, type PoolApp } from './helpers/pool-app.js'
import { until } from './helpers/until.js'

/** The pool app, recording into a list, its background task held until the test lets it end. */
function createApp() {
  const events: string[] = []
  const logger = captureLogger()
  const task = gate()
  const app = createPoolApp({
    record: (event) => events.push(event),
    logger,
    task: () => task.opened,
  })
  return { app, events, logger, finishTask: task.open }
}

type Started = { send(path: string, init?: RequestInit): Promise<Response>; close(): Promise<void> }

/** How each engine shuts down: `serve()`'s `close()`, or `app.shutdown()` in-process. */
const engines: { name: string; start(app: PoolApp, drainTimeout?: number): Promise<Started> }[] = [
  {
    name: 'app.fetch',
    async start(app, drainTimeout) {
      await app.startup()
      return {
        send: (path, init) => app.fetch(new Request(`http://localhost${path}`, init)),
        close: () => app.shutdown(drainTimeout === undefined ? {} : { drainTimeout }),
      }
    },
  },
  {
    name: 'serve()',
    async start(app, drainTimeout) {
      const server = await serve(app, { port: 0, signals: false, drainTimeout })
      return {
        send: (path, init) => fetch(`${server.url}${path}`, init),
        close: () => server.close(),
      }
    },
  },
]

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.each(engines)('shut-down with after-response work in flight ($name)', (engine) => {
  test('the tear-down waits for the background tasks and cleanups of answered requests', async () => {
    const { app, events, logger, finishTask } = createApp()
    const client = await engine.start(app)
    // The body read to its end: the answer is over for the client, and the task starts.
    expect(await (await client.send('/send', { method: 'POST' })).json()).toEqual({ queued: true })
    await until(() => events.includes('task started'))
    const closed = client.close()
    await pause(50)
    expect(events).toEqual(['task started'])
    finishTask()
    await closed
    expect(events).toEqual([
      'task started',
      'task done, pool open: true',
      'cleanup, pool open: true',
      'teardown',
    ])
    expect(logger.calls).toEqual([])
  })

  test('the wait is bounded by drainTimeout: what is left is logged as abandoned, then torn down', async () => {
    const { app, events, logger, finishTask } = createApp()
    const client = await engine.start(app, 100)
    expect(await (await client.send('/send', { method: 'POST' })).json()).toEqual({ queued: true })
    await until(() => events.includes('task started'))
    await client.close()
    expect(events).toEqual(['task started', 'teardown'])
    expect(logger.calls).toEqual([
      [
        'Shut-down abandoned 1 request still running (being answered, or running background tasks and cleanups) when drainTimeout ran out',
        { abandoned: 1 },
      ],
    ])
    // Left behind, the task ends against a torn-down app: its failure is logged as any task's.
    finishTask()
    await until(() => logger.calls.length === 3)
    expect(logger.calls.slice(1).map(([message]) => message)).toEqual([
      'Background task failed in POST /send',
      'Cleanup failed in POST /send',
    ])
  })
})

describe('app.shutdown() in-process', () => {
  test('a request that comes while it drains is refused with 503; those in flight finish', async () => {
    const { app, events, finishTask } = createApp()
    await app.startup()
    await (await app.fetch(new Request('http://localhost/send', { method: 'POST' }))).json()
    await until(() => events.includes('task started'))
    const closed = app.shutdown()
    const refused = await app.fetch(new Request('http://localhost/ok'))
    expect(refused.status).toBe(503)
    expect(await refused.json()).toEqual({ detail: 'The application is shutting down' })
    finishTask()
    await closed
    expect(events.at(-1)).toBe('teardown')
  })

  test('waits for a request whose handler is still running', async () => {
    const events: string[] = []
    const handler = gate()
    const app = new Gatehouse({
      *lifespan() {
        yield undefined
        events.push('teardown')
      },
    })
    app.get('/slow', {}, async () => {
      events.push('handler')
      await handler.opened
      events.push('answered')
      return { ok: true }
    })
    await app.startup()
    const answer = app.fetch(new Request('http://localhost/slow'))
    await until(() => events.includes('handler'))
    const closed = app.shutdown()
    await pause(20)
    handler.open()
    expect((await answer).status).toBe(200)
    await closed
    expect(events).toEqual(['handler', 'answered', 'teardown'])
  })

  test('drainTimeout must be a non-negative integer', async () => {
    const app = new Gatehouse()
    await expect(app.shutdown({ drainTimeout: -1 })).rejects.toThrow(
      'shutdown: `drainTimeout` must be a non-negative integer',
    )
    await expect(app.shutdown({ drainTimeout: 1.5 })).rejects.toThrow(TypeError)
  })
})
