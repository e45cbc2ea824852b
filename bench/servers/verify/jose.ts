import { createServer, type ServerResponse } from 'node:http'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { announce, listenOptions } from '../../lib/listen.js'
import { bearerToken } from '../scopes/common.js'
import { ALGORITHMS, AUDIENCE, ISSUER, jwks, users } from './common.js'

// What one writes by hand: node:http, jose's `jwtVerify` over `createLocalJWKSet`, issuer,
// audience and algorithms pinned, the `scope` claim checked for `me`.
const keys = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0])

function send(res: ServerResponse, status: number, value: unknown, headers = {}) {
  const body = JSON.stringify(value)
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
}

const refused = { 'www-authenticate': 'Bearer error="invalid_token", scope="me"' }

const server = createServer(async (req, res) => {
  if (req.method !== 'GET' || req.url !== '/me') return send(res, 404, { detail: 'Not Found' })
  const token = bearerToken(req.headers.authorization)
  if (token === undefined) return send(res, 401, { detail: 'Not authenticated' }, refused)
  try {
    const { payload } = await jwtVerify(token, keys, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [...ALGORITHMS],
      requiredClaims: ['exp', 'sub'],
    })
    const user = typeof payload.sub === 'string' ? users.get(payload.sub) : undefined
    if (user === undefined) throw new Error('unknown user')
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : []
    if (!scopes.includes('me'))
      return send(
        res,
        403,
        { detail: 'Not enough permissions' },
        {
          'www-authenticate': 'Bearer error="insufficient_scope", scope="me"',
        },
      )
    send(res, 200, user)
  } catch {
    send(res, 401, { detail: 'Could not validate credentials' }, refused)
  }
})

server.listen(listenOptions.port, listenOptions.hostname, () => announce(server.address()))
