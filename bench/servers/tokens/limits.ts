import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { createServer } from 'node:http'
import { createPasswordHasher } from 'gatehouse'
import { announce, listenOptions } from '../../lib/listen.js'
import { ALGORITHMS, type Algorithm, AUDIENCE, CLIENT_ID, ISSUER, PASSWORD } from './common.js'

// The ceilings the token servers are held against, measured on the same pinned core in the same
// run: a bare loop signing a token-sized JWS input with node:crypto (`GET /sign?alg=…&ms=…`), and
// the password hasher verifying the bench user's password alone (`GET /passwords?ms=…&concurrency=…`).
const keys = new Map<Algorithm, KeyObject>(
  ALGORITHMS.map((alg) => [
    alg,
    alg === 'EdDSA'
      ? generateKeyPairSync('ed25519').privateKey
      : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  ]),
)

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = Math.floor(Date.now() / 1000)
const input = (alg: Algorithm) =>
  Buffer.from(
    `${encode({ alg, kid: 'x'.repeat(43), typ: 'at+jwt' })}.${encode({
      iss: ISSUER,
      sub: CLIENT_ID,
      aud: AUDIENCE,
      client_id: CLIENT_ID,
      scope: 'read',
      jti: crypto.randomUUID(),
      iat: now,
      exp: now + 900,
    })}`,
  )

function signingRate(alg: Algorithm, ms: number): number {
  const key = keys.get(alg) as KeyObject
  const data = input(alg)
  const digest = alg === 'EdDSA' ? null : 'sha256'
  const started = performance.now()
  let count = 0
  while (performance.now() - started < ms) {
    for (let i = 0; i < 20; i++) sign(digest, data, key)
    count += 20
  }
  return count / ((performance.now() - started) / 1000)
}

const passwords = createPasswordHasher()
const hash = await passwords.hash(PASSWORD)

async function verifyRate(ms: number, concurrency: number): Promise<number> {
  const started = performance.now()
  let count = 0
  const worker = async () => {
    while (performance.now() - started < ms) {
      if (!(await passwords.verify(PASSWORD, hash))) throw new Error('the password did not verify')
      count++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return count / ((performance.now() - started) / 1000)
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://bench')
  const ms = Number(url.searchParams.get('ms') ?? 1000)
  let perSecond: number | undefined
  if (url.pathname === '/sign') {
    const alg = url.searchParams.get('alg') as Algorithm
    if (keys.has(alg)) perSecond = signingRate(alg, ms)
  } else if (url.pathname === '/passwords')
    perSecond = await verifyRate(ms, Number(url.searchParams.get('concurrency') ?? 8))
  if (perSecond === undefined) {
    res.writeHead(404).end()
    return
  }
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ per_s: perSecond }))
})
server.listen(listenOptions.port, listenOptions.hostname, () => announce(server.address()))
