import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto'
import { createServer, type ServerResponse } from 'node:http'
import { announce, listenOptions } from '../../lib/listen.js'
import { authorize, bearerToken, config, invalid, isRefusal, routes } from './common.js'

// The practical limit: node:http, a synchronous HMAC-SHA256 check with node:crypto, JSON.parse.
const key = createSecretKey(Buffer.from(config.secretKey, 'utf8'))

function decode(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** The claims of a compact HS256 JWT whose signature holds, or `undefined`. */
function verify(token: string): Record<string, unknown> | undefined {
  const first = token.indexOf('.')
  const second = token.indexOf('.', first + 1)
  if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) return undefined
  if (decode(token.slice(0, first))?.alg !== 'HS256') return undefined
  const expected = createHmac('sha256', key).update(token.slice(0, second)).digest()
  const actual = Buffer.from(token.slice(second + 1), 'base64url')
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined
  return decode(token.slice(first + 1, second))
}

function send(res: ServerResponse, status: number, value: unknown, headers = {}) {
  const body = JSON.stringify(value)
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
}

const server = createServer((req, res) => {
  const route = req.method === 'GET' ? routes[req.url ?? ''] : undefined
  if (route === undefined) return send(res, 404, { detail: 'Not Found' })
  const token = bearerToken(req.headers.authorization)
  const claims = token === undefined ? undefined : verify(token)
  const outcome = claims === undefined ? invalid(route) : authorize(route, claims)
  if (isRefusal(outcome)) return send(res, outcome.status, outcome.body, outcome.headers)
  send(res, 200, route.answer(outcome))
})

server.listen(listenOptions.port, listenOptions.hostname, () => announce(server.address()))
