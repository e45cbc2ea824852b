import { dependency, Gatehouse } from 'gatehouse'
import { expect, test } from 'vitest'
import { describeEachEngine, serveThrough } from './helpers/http.js'
import { until } from './helpers/until.js'

// `request.signal` is how a Web handler learns the client left (FastAPI's
// `await request.is_disconnected()`), to stop a long poll or an upstream fetch. Through serve()
// the Request had no signal, so it never aborted; through app.fetch the runtime's signal is used.

describeEachEngine("the Request input's signal", (engine) => {
  const seen: string[] = []
  const app = new Gatehouse({ openapiUrl: null })
  app.get('/long-poll', { inputs: { request: Request } }, async ({ request }) => {
    const outcome = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('timed out'), 2_000)
      request.signal.addEventListener('abort', () => {
        clearTimeout(timer)
        resolve('aborted')
      })
    })
    seen.push(outcome)
    return { outcome }
  })
  app.get('/quick', { inputs: { request: Request } }, ({ request }) => {
    // Read after the answer is written: a finished request is not an aborted one.
    setTimeout(() => seen.push(`quick aborted=${request.signal.aborted}`), 100)
    return { ok: true }
  })
  const send = serveThrough(engine, app)

  test('aborts when the client goes away before the answer', async () => {
    const client = new AbortController()
    const answer = send('/long-poll', { signal: client.signal }).catch(() => 'gone')
    setTimeout(() => client.abort(), 100)
    // Over HTTP the client sees its own abort; in-process the handler still answers after it.
    await answer
    await until(() => seen.includes('aborted'))
    expect(seen).not.toContain('timed out')
  })

  test('stays quiet for a request answered in full', async () => {
    const res = await send('/quick')
    expect(await res.json()).toEqual({ ok: true })
    await until(() => seen.some((entry) => entry.startsWith('quick')))
    expect(seen).toContain('quick aborted=false')
  })
})

// A runtime may drop the answer to an aborted request without cancelling its body: the route's
// clean-up waited for a read that never came (and a shut-down for the clean-up).
describeEachEngine('an aborted request whose answer is never read', (engine) => {
  const events: string[] = []
  const app = new Gatehouse({ openapiUrl: null })
  const session = dependency({}, function* session() {
    events.push('open')
    try {
      yield {}
    } finally {
      events.push('closed')
    }
  })
  app.get('/export', { inputs: { session } }, () => {
    let n = 0
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          n += 1
          controller.enqueue(new TextEncoder().encode(`row ${n}\n`))
        },
      }),
    )
  })
  const send = serveThrough(engine, app)

  test('still runs its clean-up once the request is aborted', async () => {
    const client = new AbortController()
    const response =
      engine.name === 'app.fetch'
        ? // The Web entry point itself: app.request would read the endless body to its end.
          await app.fetch(new Request('http://localhost/export', { signal: client.signal }))
        : await send('/export', { signal: client.signal })
    expect(response.status).toBe(200)
    client.abort()
    await until(() => events.includes('closed'))
    expect(events).toEqual(['open', 'closed'])
  })
})
