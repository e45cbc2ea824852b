import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { announce, listenOptions } from '../../lib/listen.js'
import { itemsQuery, listItems, paginate } from './work.js'

// What a Hono user would write by hand: one handler, the query validated inline.
const app = new Hono()

app.get('/items/', (c) => {
  const parsed = itemsQuery.safeParse(c.req.query())
  if (!parsed.success) return c.json({ detail: parsed.error.issues }, 422)
  const page = paginate(parsed.data.skip, parsed.data.limit)
  return c.json(listItems(page, parsed.data.q))
})

serve({ fetch: app.fetch, ...listenOptions }, (info) => announce(info))
