import { BackgroundTasks, dependency, Gatehouse, HTTPException } from 'gatehouse'
import { expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger, describeEachEngine, serveThrough } from './helpers/http.js'
import { until } from './helpers/until.js'

// An answer a route made but that is never sent (a middleware replaced it, or threw after next(),
// or a cleanup's error or the response model refused it) held its stream open: a file stream
// leaked one descriptor per request. And when a middleware threw after next(), the client got a
// 500 while the route's background tasks ran and its yield dependencies finished as on success
// (commit, not rollback). Starlette sends neither and runs neither.

function createApp() {
  const events: string[] = []
  const logger = captureLogger()
  /** A body standing for a file (three chunks): records when it is released unread. */
  const fileStream = (name: string) => {
    let chunks = 0
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (++chunks > 3) return controller.close()
        controller.enqueue(new TextEncoder().encode(`${name} `))
      },
      cancel() {
        events.push(`${name} released`)
      },
    })
  }
  const db = dependency({}, function* db() {
    events.push('begin')
    try {
      yield {}
      events.push('commit')
    } catch (error) {
      events.push(`rollback: ${(error as Error).message}`)
      throw error
    }
  })
  const strict = dependency(
    {},
    function* strict() {
      yield {}
      throw new HTTPException(409, { detail: 'conflict found on close' })
    },
    { scope: 'function' },
  )
  const app = new Gatehouse({ logger, openapiUrl: null })
  app.use(async (ctx, next) => {
    await next()
    const mode = ctx.request.header('x-mode')
    if (mode === 'throw') throw new Error('the audit log is down')
    if (mode === 'not-modified') ctx.response = new Response(null, { status: 304 })
    if (mode === 'upper-case') {
      // Wraps the route's stream lazily: nothing reads it until the new answer is sent.
      const source = ctx.response.body as ReadableStream<Uint8Array>
      let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
      ctx.response = new Response(
        new ReadableStream<Uint8Array>(
          {
            async pull(controller) {
              reader ??= source.getReader()
              const { done, value } = await reader.read()
              if (done) return controller.close()
              controller.enqueue(
                new TextEncoder().encode(new TextDecoder().decode(value).toUpperCase()),
              )
            },
          },
          { highWaterMark: 0 },
        ),
      )
    }
  })
  app.post('/orders', { inputs: { db, tasks: BackgroundTasks } }, ({ tasks }) => {
    tasks.add(() => events.push('confirmation e-mail'))
    return { ordered: true }
  })
  app.get('/file', { inputs: { db } }, () => new Response(fileStream('file')))
  app.get('/closing', { inputs: { strict } }, () => new Response(fileStream('closing')))
  app.get(
    '/modelled',
    { response: z.object({ ok: z.boolean() }) },
    () => new Response(fileStream('modelled')) as never,
  )
  return { app, events, logger }
}

describeEachEngine('answers that are never sent', (engine) => {
  const { app, events, logger } = createApp()
  const send = serveThrough(engine, app)
  const fresh = () => {
    events.length = 0
    logger.calls.length = 0
  }

  test('a middleware throwing after next(): 500, no background task, the dependency rolls back', async () => {
    fresh()
    const res = await send('/orders', { method: 'POST', headers: { 'x-mode': 'throw' } })
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ detail: 'Internal Server Error' })
    await until(() => events.some((event) => event.startsWith('rollback')))
    expect(events).toEqual(['begin', 'rollback: the audit log is down'])
    // The same route answered normally commits and sends the e-mail.
    fresh()
    expect((await send('/orders', { method: 'POST' })).status).toBe(200)
    await until(() => events.includes('commit'))
    expect(events).toEqual(['begin', 'confirmation e-mail', 'commit'])
  })

  test("a middleware's own answer releases the route's stream", async () => {
    fresh()
    const res = await send('/file', { headers: { 'x-mode': 'not-modified' } })
    expect(res.status).toBe(304)
    await until(() => events.includes('commit'))
    await until(() => events.includes('file released'))
    // Chosen, not failed: the route's work stands.
    expect(events).not.toContainEqual(expect.stringContaining('rollback'))
  })

  test("a new answer that reads the route's stream lazily still gets every byte", async () => {
    fresh()
    const res = await send('/file', { headers: { 'x-mode': 'upper-case' } })
    expect(await res.text()).toBe('FILE FILE FILE ')
    await until(() => events.includes('commit'))
    expect(events).not.toContain('file released')
  })

  test('a middleware throwing after next() releases the stream too', async () => {
    fresh()
    expect((await send('/file', { headers: { 'x-mode': 'throw' } })).status).toBe(500)
    await until(() => events.includes('file released'))
    await until(() => events.includes('rollback: the audit log is down'))
  })

  test("a scope: 'function' cleanup's error answered instead releases the stream", async () => {
    fresh()
    const res = await send('/closing')
    expect(res.status).toBe(409)
    expect(await res.json()).toEqual({ detail: 'conflict found on close' })
    await until(() => events.includes('closing released'))
  })

  test('a raw Response refused by the response model releases its stream', async () => {
    fresh()
    expect((await send('/modelled')).status).toBe(500)
    await until(() => events.includes('modelled released'))
  })

  test('an answer that is sent is read to its end, not released early', async () => {
    fresh()
    const res = await send('/file')
    expect(await res.text()).toBe('file file file ')
    await until(() => events.includes('commit'))
    expect(events).not.toContain('file released')
  })
})

describeEachEngine('results JSON.stringify would write as {} or nothing', (engine) => {
  const logger = captureLogger()
  const app = new Gatehouse({ logger, openapiUrl: null })
  app.get('/set', {}, () => new Set(['a', 'b']))
  app.get('/nested', {}, () => ({
    tags: new Set(['x']),
    counts: new Map<string | number, unknown>([
      ['a', 1],
      [2, new Set([3])],
    ]),
    empty: {},
    list: [new Set([1])],
  }))
  app.get('/generator', {}, () =>
    (function* () {
      yield 1
      yield 2
    })(),
  )
  app.get('/empty', {}, () => ({ a: {}, text: '{}' }))
  app.get('/function', {}, () => () => 'no')
  app.get('/stream', {}, () => ({ body: new ReadableStream() }))
  app.get('/blob', {}, () => new Blob(['x']))
  app.get('/to-json-undefined', {}, () => ({ toJSON: () => undefined }))
  const send = serveThrough(engine, app)
  const json = async (path: string) => {
    const res = await send(path)
    return { status: res.status, body: await res.json() }
  }

  test('a Set or a generator is a list and a Map an object, at any depth', async () => {
    expect(await json('/set')).toEqual({ status: 200, body: ['a', 'b'] })
    expect(await json('/nested')).toEqual({
      status: 200,
      body: { tags: ['x'], counts: { a: 1, 2: [3] }, empty: {}, list: [[1]] },
    })
    expect(await json('/generator')).toEqual({ status: 200, body: [1, 2] })
    expect(await json('/empty')).toEqual({ status: 200, body: { a: {}, text: '{}' } })
  })

  test('what has no JSON form is a logged 500 naming the route and what to return', async () => {
    const cases: [string, RegExp][] = [
      ['/function', /a function/],
      ['/stream', /ReadableStream.*new Response/],
      ['/blob', /Blob.*new Response/],
      ['/to-json-undefined', /toJSON\(\) gives nothing, which JSON has no form for/],
    ]
    for (const [path, message] of cases) {
      logger.calls.length = 0
      expect(await json(path), path).toEqual({
        status: 500,
        body: { detail: 'Internal Server Error' },
      })
      expect(logger.calls, path).toHaveLength(1)
      const [where, error] = logger.calls[0] as [string, Error]
      expect(where).toBe(`Unhandled error in GET ${path}`)
      expect(error.message).toMatch(message)
    }
  })
})
