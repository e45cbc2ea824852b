import fastifyJWT from '@fastify/jwt'
import Fastify from 'fastify'
import { announce, listenOptions } from '../../lib/listen.js'
import {
  authorize,
  config,
  invalid,
  isRefusal,
  type Outcome,
  type Route,
  routes,
} from './common.js'

// What a Fastify user would write: @fastify/jwt with its default settings, `request.jwtVerify()`.
const app = Fastify()
await app.register(fastifyJWT, { secret: config.secretKey })

// Fastify appends `; charset=utf-8` to any JSON type set before sending; the others answer
// `application/json`, so the header is set again once the body is serialised.
app.addHook('onSend', (_request, reply, payload, done) => {
  reply.header('content-type', 'application/json')
  done(null, payload)
})

for (const [path, route] of Object.entries(routes) as [string, Route][]) {
  app.get(path, async (request, reply) => {
    let outcome: Outcome = invalid(route)
    try {
      outcome = authorize(route, await request.jwtVerify<Record<string, unknown>>())
    } catch {}
    if (isRefusal(outcome))
      return reply.code(outcome.status).headers(outcome.headers).send(outcome.body)
    return route.answer(outcome)
  })
}

await app.listen({ port: listenOptions.port, host: listenOptions.hostname })
announce(app.server.address())
