import { request as httpRequest } from 'node:http'
import type { Socket } from 'node:net'
import { BackgroundTasks, dependency, Gatehouse, HTTPException, serve } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { gate } from './helpers/gate.js'
import { captureLogger } from './helpers/http.js'
import { until } from './helpers/until.js'

function createApp() {
  const events: string[] = []
  const logger = captureLogger()
  let hold = gate()
  const session = dependency({}, async function* session() {
    events.push('open')
    try {
      yield { isOpen: () => !events.includes('close') }
    } catch (error) {
      events.push(`saw ${(error as Error).message}`)
      throw error
    } finally {
      // Holds the cleanup until the test says so: a response that waited for it would never come.
      await hold.opened
      events.push('close')
    }
  })
  const quick = dependency(
    {},
    function* quick() {
      events.push('quick:open')
      yield 'quick'
      events.push('quick:close')
    },
    { scope: 'function' },
  )
  const app = new Gatehouse({ logger })
  app.get('/held', { inputs: { session } }, () => {
    events.push('handler')
    return { ok: true }
  })
  app.get('/fails', { inputs: { session } }, () => {
    throw new HTTPException(409, { detail: 'conflict' })
  })
  app.get('/stream', { inputs: { session } }, ({ session }) => {
    let n = 0
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          n += 1
          if (n > 3) return controller.close()
          controller.enqueue(new TextEncoder().encode(`chunk${n} open=${session.isOpen()}\n`))
        },
      }),
    )
  })
  app.get('/function-scope', { inputs: { quick } }, () => {
    events.push('handler')
    return { ok: true }
  })
  app.post('/tasks', { inputs: { tasks: BackgroundTasks, session } }, ({ tasks }) => {
    tasks.add((name: string) => events.push(`task ${name}`), 'one')
    tasks.add(() => {
      throw new Error('task two failed')
    })
    tasks.add(async (name: string) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      events.push(`task ${name}`)
      // A task queued by a running task runs too, after the rest (Starlette's live list).
      tasks.add(() => events.push('task four, queued by three'))
    }, 'three')
    return { queued: tasks.size }
  })
  return {
    app,
    events,
    logger,
    release: () => hold.open(),
    rearm: () => {
      hold = gate()
    },
  }
}

/** What `/tasks` leads to, in order: its tasks (one queued by another), then the cleanup. */
const EVERY_EVENT = ['open', 'task one', 'task three', 'task four, queued by three', 'close']

type Engine = {
  name: string
  start(
    app: Gatehouse,
  ): Promise<{ send(path: string, init?: RequestInit): Promise<Response>; close(): Promise<void> }>
}

// `app.fetch` answers before the cleanups (a Web server does the same); `app.request` waits for them.
const engines: Engine[] = [
  {
    name: 'app.fetch',
    async start(app) {
      return {
        send: (path, init) => app.fetch(new Request(`http://localhost${path}`, init)),
        close: async () => {},
      }
    },
  },
  {
    name: 'serve()',
    async start(app) {
      const server = await serve(app, { port: 0, signals: false })
      return {
        send: (path, init) => fetch(`${server.url}${path}`, init),
        close: () => server.close(),
      }
    },
  },
]

describe.each(engines)('after the response ($name)', (engine) => {
  let fixture: ReturnType<typeof createApp>
  let client: Awaited<ReturnType<Engine['start']>>
  beforeAll(async () => {
    fixture = createApp()
    client = await engine.start(fixture.app)
  })
  afterAll(() => client.close())

  const reset = () => {
    fixture.events.length = 0
    fixture.logger.calls.length = 0
    fixture.rearm()
  }

  test('cleanup after yield runs once the response is written, not before', async () => {
    reset()
    const response = await client.send('/held')
    expect(await response.json()).toEqual({ ok: true })
    expect(fixture.events).toEqual(['open', 'handler'])
    fixture.release()
    await until(() => fixture.events.includes('close'))
    expect(fixture.events).toEqual(['open', 'handler', 'close'])
  })

  test('an error unwinds the cleanups before it is answered, as in FastAPI: they see it first', async () => {
    reset()
    const pending = client.send('/fails')
    await until(() => fixture.events.includes('saw conflict'))
    // The cleanup holds: the error answer waits for it, as FastAPI's exit stack unwinds first.
    const first = await Promise.race([
      pending.then(() => 'answered'),
      new Promise((resolve) => setTimeout(() => resolve('waiting'), 100)),
    ])
    expect(first).toBe('waiting')
    fixture.release()
    const response = await pending
    expect(response.status).toBe(409)
    expect(await response.json()).toEqual({ detail: 'conflict' })
    expect(fixture.events).toEqual(['open', 'saw conflict', 'close'])
    expect(fixture.logger.calls).toEqual([])
  })

  test('a streamed body is produced while its dependency is open; cleanup after the last chunk', async () => {
    reset()
    fixture.release()
    const response = await client.send('/stream')
    expect(await response.text()).toBe('chunk1 open=true\nchunk2 open=true\nchunk3 open=true\n')
    await until(() => fixture.events.includes('close'))
  })

  test("scope: 'function' closes right after the handler returns, before the response", async () => {
    reset()
    const response = await client.send('/function-scope')
    expect(fixture.events).toEqual(['quick:open', 'handler', 'quick:close'])
    expect(await response.json()).toEqual({ ok: true })
  })

  test('background tasks run after the response, in order, failures logged, before cleanups', async () => {
    reset()
    const response = await client.send('/tasks', { method: 'POST' })
    expect(await response.json()).toEqual({ queued: 3 })
    await until(() => fixture.events.includes('task four, queued by three'))
    expect(fixture.events).toEqual(['open', 'task one', 'task three', 'task four, queued by three'])
    fixture.release()
    await until(() => fixture.events.includes('close'))
    expect(fixture.events).toEqual(EVERY_EVENT)
    expect(fixture.logger.calls).toEqual([
      ['Background task failed in POST /tasks', new Error('task two failed')],
    ])
  })
})

describe.each(engines)('a generator dependency that yields twice ($name)', (engine) => {
  test('is closed (its finally runs) and its cleanup fails, logged: code after a second yield never runs', async () => {
    const events: string[] = []
    const logger = captureLogger()
    const twice = dependency({}, function* twice() {
      try {
        yield 'first'
        events.push('between')
        yield 'second'
        events.push('never')
      } finally {
        events.push('finally')
      }
    })
    const app = new Gatehouse({ logger })
    app.get('/twice', { inputs: { twice } }, ({ twice }) => ({ got: twice }))
    const client = await engine.start(app)
    try {
      const response = await client.send('/twice')
      expect(await response.json()).toEqual({ got: 'first' })
      await until(() => logger.calls.length > 0)
      expect(events).toEqual(['between', 'finally'])
      expect(logger.calls).toEqual([
        [
          'Cleanup failed in GET /twice',
          new TypeError('dependency "twice" yielded more than once'),
        ],
      ])
    } finally {
      await client.close()
    }
  })
})

describe('app.request (the test client)', () => {
  test('resolves once background tasks and cleanups have run, like FastAPI’s TestClient', async () => {
    const fixture = createApp()
    fixture.release()
    const response = await fixture.app.request('/tasks', { method: 'POST' })
    expect(response.status).toBe(200)
    expect(fixture.events).toEqual(EVERY_EVENT)
    expect(await response.json()).toEqual({ queued: 3 })
  })
})

// Node only: in the Web engine the host server reads or cancels the body it was handed, and the
// work runs then (above); only a socket can be gone before there is an answer to write.
describe('a client that leaves before its answer is ready (serve)', () => {
  test('the cleanups run once the handler returns, not never', async () => {
    const events: string[] = []
    const slow = gate()
    const session = dependency({}, function* session() {
      try {
        yield 'session'
      } finally {
        events.push('close')
      }
    })
    const app = new Gatehouse()
    app.get('/slow', { inputs: { session } }, async () => {
      events.push('handler')
      await slow.opened
      return { ok: true }
    })
    const server = await serve(app, { port: 0, signals: false })
    const gone = new Promise<void>((resolve) =>
      server.server.once('connection', (socket: Socket) => socket.once('close', () => resolve())),
    )
    try {
      const request = httpRequest(`${server.url}/slow`)
      request.on('error', () => {})
      request.end()
      await until(() => events.includes('handler'))
      request.destroy()
      await gone
      slow.open()
      await until(() => events.includes('close'))
      expect(events).toEqual(['handler', 'close'])
    } finally {
      await server.close()
    }
  })
})
