import { Gatehouse } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { captureLogger, type Send, transports } from './helpers/http.js'

// A Response no server can send (Response.error(), a body already read) is refused where it was
// returned: the same logged 500 from both engines (app.fetch gave status 0 or an unreadable 200,
// serve() a failed write), naming the handler, also with a middleware around it.
class Conflict extends Error {}

function createApp(withMiddleware: boolean) {
  const logger = captureLogger()
  const app = new Gatehouse({ logger })
  if (withMiddleware) app.use((_, next) => next())
  app.get('/error', {}, () => Response.error())
  app.get('/used', {}, async () => {
    const response = new Response('already read')
    await response.text()
    return response
  })
  app.exceptionHandler(Conflict, async () => {
    const response = new Response('already read', { status: 409 })
    await response.text()
    return response
  })
  app.get('/conflict', {}, () => {
    throw new Conflict()
  })
  return { app, logger }
}

for (const withMiddleware of [false, true])
  describe.each(transports)(
    `a Response that cannot be sent, ${withMiddleware ? 'with' : 'without'} middleware ($name)`,
    (transport) => {
      let send: Send
      let close: () => Promise<void>
      let logger: ReturnType<typeof captureLogger>
      beforeAll(async () => {
        const created = createApp(withMiddleware)
        logger = created.logger
        ;({ send, close } = await transport.open(created.app))
      })
      afterAll(() => close())

      test.each([
        ['/error', 'the handler returned Response.error()'],
        ['/used', 'the handler returned a Response whose body was already read'],
        ['/conflict', 'an exception handler returned a Response whose body was already read'],
      ])('%s is a logged 500 naming who returned it', async (path, message) => {
        logger.calls.length = 0
        const response = await send(path)
        expect(response.status).toBe(500)
        expect(await response.json()).toEqual({ detail: 'Internal Server Error' })
        const logged = logger.calls.map((call) => call.map(String).join(' ')).join('\n')
        expect(logged).toContain(message)
        expect(logged).not.toContain('a middleware')
      })
    },
  )
