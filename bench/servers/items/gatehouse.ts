import { dependency, Gatehouse, Query, serve } from 'gatehouse'
import * as z from 'zod'
import { announce, listenOptions } from '../../lib/listen.js'
import { listItems, paginate } from './work.js'

// The same work declared the Gatehouse way: inputs on dependencies, the handler only wires them.
const pagination = dependency(
  {
    skip: Query(z.number().int().nonnegative().default(0)),
    limit: Query(z.number().int().positive().max(100).default(10)),
  },
  ({ skip, limit }) => paginate(skip, limit),
)

const listing = dependency(
  { page: pagination, q: Query(z.string().min(3).max(50).optional()) },
  ({ page, q }) => listItems(page, q),
)

const app = new Gatehouse({ title: 'Bench: items' })
app.get('/items/', { inputs: { result: listing } }, ({ result }) => result)

const server = await serve(app, listenOptions)
announce(server.port)
