import { createServer, type ServerResponse } from 'node:http'
import { announce, listenOptions } from '../../lib/listen.js'
import { itemsQuery, listItems, paginate } from './work.js'

// The floor: Node's HTTP server and nothing else between the socket and the work.
function sendJSON(res: ServerResponse, status: number, value: unknown) {
  const body = JSON.stringify(value)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
}

const server = createServer((req, res) => {
  const url = req.url ?? '/'
  const mark = url.indexOf('?')
  const path = mark < 0 ? url : url.slice(0, mark)
  if (req.method !== 'GET' || path !== '/items/') return sendJSON(res, 404, { detail: 'Not Found' })
  const search = new URLSearchParams(mark < 0 ? '' : url.slice(mark + 1))
  const parsed = itemsQuery.safeParse(Object.fromEntries(search))
  if (!parsed.success) return sendJSON(res, 422, { detail: parsed.error.issues })
  const page = paginate(parsed.data.skip, parsed.data.limit)
  sendJSON(res, 200, listItems(page, parsed.data.q))
})

server.listen(listenOptions.port, listenOptions.hostname, () => announce(server.address()))
