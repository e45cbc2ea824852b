import { generateKeyPairSync, type KeyObject, randomUUID, sign, timingSafeEqual } from 'node:crypto'
import { createServer, type ServerResponse } from 'node:http'
import { announce, listenOptions } from '../../lib/listen.js'
import { AUDIENCE, algorithm, CLIENT_ID, ISSUER, setting } from './common.js'

// The least a token endpoint can do, by hand on node:http, written for speed: read the form, check
// the Basic credentials against the one client in memory, sign the same claims with node:crypto,
// answer JSON with no-store. No store, no scopes policy, no framework: the floor the others sit above.
const alg = algorithm()
const pair =
  alg === 'EdDSA'
    ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('rsa', { modulusLength: 2048 })
const key: KeyObject = pair.privateKey
const kid = `raw-${alg}`
const jwks = JSON.stringify({
  keys: [{ ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }],
})
const expected = Buffer.from(
  `Basic ${Buffer.from(`${CLIENT_ID}:${setting('TOKENS_CLIENT_SECRET')}`).toString('base64')}`,
)
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const header = encode({ alg, kid, typ: 'at+jwt' })
const digest = alg === 'EdDSA' ? null : 'sha256'
const NO_STORE = ['cache-control', 'no-store', 'pragma', 'no-cache'] as const

// Headers as a flat list of names and values: Node writes them without walking an object.
function send(res: ServerResponse, status: number, body: string, headers: readonly string[] = []) {
  res.writeHead(status, [
    ...headers,
    'content-type',
    'application/json',
    'content-length',
    String(Buffer.byteLength(body)),
  ])
  res.end(body)
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/jwks') return send(res, 200, jwks)
  if (req.method !== 'POST' || req.url !== '/token') return send(res, 404, '{}')
  // `data`/`end` listeners: the stream's async iterator costs a promise per chunk.
  let body = ''
  req.setEncoding('latin1')
  req.on('data', (chunk: string) => {
    body += chunk
  })
  req.on('end', () => answer(req.headers.authorization, body, res))
})

function answer(authorization: string | undefined, body: string, res: ServerResponse) {
  const form = new URLSearchParams(body)
  const given = Buffer.from(authorization ?? '')
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return send(res, 401, '{"error":"invalid_client"}', NO_STORE)
  if (form.get('grant_type') !== 'client_credentials' || form.get('scope') !== 'read')
    return send(res, 400, '{"error":"invalid_request"}', NO_STORE)
  const iat = Math.floor(Date.now() / 1000)
  const claims = {
    iss: ISSUER,
    sub: CLIENT_ID,
    aud: AUDIENCE,
    client_id: CLIENT_ID,
    scope: 'read',
    jti: randomUUID(),
    iat,
    exp: iat + 900,
  }
  const input = `${header}.${encode(claims)}`
  const signature = sign(digest, Buffer.from(input), key)
  const token = `${input}.${signature.toString('base64url')}`
  send(
    res,
    200,
    `{"access_token":"${token}","token_type":"Bearer","expires_in":900,"scope":"read"}`,
    NO_STORE,
  )
}

server.listen(listenOptions.port, listenOptions.hostname, () => announce(server.address()))
