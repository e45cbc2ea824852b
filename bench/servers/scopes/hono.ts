import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { jwtVerify } from 'jose'
import { announce, listenOptions } from '../../lib/listen.js'
import {
  authorize,
  bearerToken,
  config,
  invalid,
  isRefusal,
  type Outcome,
  type Route,
  routes,
} from './common.js'

// What a Hono user would write: jose's `jwtVerify` with the HMAC key imported once, at start-up.
const key = await crypto.subtle.importKey(
  'raw',
  new TextEncoder().encode(config.secretKey),
  { name: 'HMAC', hash: 'SHA-256' },
  false,
  ['verify'],
)

const app = new Hono()

for (const [path, route] of Object.entries(routes) as [string, Route][]) {
  app.get(path, async (c) => {
    const token = bearerToken(c.req.header('authorization'))
    let outcome: Outcome = invalid(route)
    if (token !== undefined) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] })
        outcome = authorize(route, payload)
      } catch {}
    }
    if (isRefusal(outcome)) return c.json(outcome.body, outcome.status, outcome.headers)
    return c.json(route.answer(outcome))
  })
}

serve({ fetch: app.fetch, ...listenOptions }, (info) => announce(info))
