import { Gatehouse } from 'gatehouse'
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
