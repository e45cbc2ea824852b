import { readFileSync } from 'node:fs'
import { createJWTVerifier, type JWTVerifierOptions } from 'gatehouse'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readKeySet } from '../src/jwt/key-set.js'
import { openExternalIssuerApp, RESOURCE } from './helpers/external-issuer-app.js'
import { type Send, transports } from './helpers/http.js'
import { type IssuerKey, startTestIssuer, type TestIssuer } from './helpers/issuer-server.js'

// A JWKS given in code is checked key by key at set-up: a key the verifier could never use is a
// mistake, named by its index, its kid and the member at fault. A fetched set skips such keys,
// never uses an `oct` secret, and never guesses between two keys sharing a kid.

const ISSUER = 'https://issuer.example/'
const AUDIENCE = 'https://api.example'
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/x5c-rsa.json', import.meta.url), 'utf8'),
) as { jwk: JWK; x5c: string[] }

const rsa = { ...(await exportJWK((await generateKeyPair('RS256')).publicKey)), kid: 'rsa' }
const ec = { ...(await exportJWK((await generateKeyPair('ES256')).publicKey)), kid: 'ec' }
const oct = (bytes: number, extra: Partial<JWK> = {}): JWK => ({
  kty: 'oct',
  k: Buffer.alloc(bytes, 7).toString('base64url'),
  kid: 'h',
  ...extra,
})

const local = (keys: JWK[], options: Partial<JWTVerifierOptions> = {}) =>
  createJWTVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: { keys }, ...options })

describe('a JWKS given in code', () => {
  const bad: [string, JWK, Partial<JWTVerifierOptions>, string][] = [
    ['use "enc"', { ...ec, use: 'enc' }, {}, 'has "use" other than "sig": it cannot verify'],
    ['use "bogus"', { ...ec, use: 'bogus' }, {}, 'has "use" other than "sig": it cannot verify'],
    ['use 5', { ...ec, use: 5 as never }, {}, 'has "use" other than "sig": it cannot verify'],
    [
      'key_ops without verify',
      { ...ec, key_ops: ['encrypt'] },
      {},
      'has "key_ops" without "verify"',
    ],
    [
      'key_ops not an array',
      { ...ec, key_ops: 'verify' as never },
      {},
      'has "key_ops" that is not an array of strings',
    ],
    ['an unknown alg', { ...ec, alg: 'foo' }, {}, 'has an unknown "alg"'],
    ['alg none', { ...ec, alg: 'none' }, {}, 'has an unknown "alg"'],
    [
      'an HS256 alg on an EC key',
      { ...ec, alg: 'HS256' },
      {},
      'has "alg" HS256, which does not fit its "kty"/"crv"',
    ],
    [
      'an ES384 alg on a P-256 key',
      { ...ec, alg: 'ES384' },
      {},
      'has "alg" ES384, which does not fit its "kty"/"crv"',
    ],
    [
      'an alg not allowed',
      { ...ec, alg: 'ES256' },
      { algorithms: ['RS256'] },
      'has "alg" ES256, which "algorithms" does not allow',
    ],
    [
      'an oct key without HS*',
      oct(32),
      {},
      'is an "oct" (HMAC) key, but "algorithms" allows no HS*',
    ],
    [
      'a 1-byte HS256 key',
      oct(1),
      { algorithms: ['HS256'] },
      'is an HMAC key shorter than 32 bytes, the hash of HS256 (RFC 7518 §3.2)',
    ],
    [
      'a 32-byte HS512 key',
      oct(32, { alg: 'HS512' }),
      { algorithms: ['HS256', 'HS512'] },
      'is an HMAC key shorter than 64 bytes, the hash of HS512 (RFC 7518 §3.2)',
    ],
    [
      'an x5c that is not base64',
      { ...ec, x5c: ['not base64!'] },
      {},
      'has an "x5c" that is not a list of base64 certificates',
    ],
    [
      'an x5c that is no certificate',
      { ...ec, x5c: ['AAAA'] },
      {},
      'has an "x5c" whose first certificate does not parse',
    ],
    [
      'an x5c of another key',
      { ...rsa, x5c: fixture.x5c },
      {},
      'has an "x5c" whose first certificate holds another key',
    ],
  ]

  it.each(bad)(
    'refuses %s, alone or beside a good key, naming the key and the member',
    (_, key, options, problem) => {
      const kid = key.kid as string
      expect(() => local([key], options)).toThrow(
        new TypeError(`createJWTVerifier: "keys.keys[0]" (kid "${kid}") ${problem}`),
      )
      const good = options.algorithms?.includes('RS256') === false ? oct(64, { kid: 'good' }) : rsa
      expect(() => local([{ ...good, kid: 'good' }, key], options)).toThrow(
        `createJWTVerifier: "keys.keys[1]" (kid "${kid}") ${problem}`,
      )
    },
  )

  it('accepts keys whose members agree, an x5c that holds the key, and HMAC keys as long as the hash', () => {
    expect(() => local([{ ...ec, use: 'sig', key_ops: ['verify'], alg: 'ES256' }])).not.toThrow()
    expect(() => local([{ ...fixture.jwk, kid: 'cert', x5c: fixture.x5c }])).not.toThrow()
    expect(() => local([oct(32)], { algorithms: ['HS256'] })).not.toThrow()
    // Without its own alg, a key must be long enough for one allowed HS*; each token's alg is
    // still held to its own hash when it is verified.
    expect(() => local([oct(32)], { algorithms: ['HS256', 'HS512'] })).not.toThrow()
    // Keys of another type than the allowed algorithms need are normal in a JWKS.
    expect(() => local([rsa, ec], { algorithms: ['ES256'] })).not.toThrow()
  })

  it('refuses two keys of one kty sharing a kid, and allows one kid on two key types', async () => {
    const other = { ...(await exportJWK((await generateKeyPair('RS256')).publicKey)), kid: 'rsa' }
    expect(() => local([rsa, ec, other])).toThrow(
      new TypeError(
        'createJWTVerifier: "keys.keys[2]" (kid "rsa") has the same "kid" and "kty" as "keys.keys[0]" (kid "rsa")',
      ),
    )
    expect(() => local([rsa, { ...ec, kid: 'rsa' }])).not.toThrow()
  })

  it('never puts key material in the message', () => {
    const secret = oct(1, { kid: undefined as never })
    const message = (() => {
      try {
        local([secret], { algorithms: ['HS256'] })
      } catch (error) {
        return (error as Error).message
      }
      return 'accepted'
    })()
    expect(message).toBe(
      'createJWTVerifier: "keys.keys[0]" is an HMAC key shorter than 32 bytes, the hash of HS256 (RFC 7518 §3.2)',
    )
    expect(message).not.toContain(secret.k)
  })
})

describe('HS* and fetched keys', () => {
  it.each([
    ['jwksUri', { jwksUri: 'https://issuer.example/jwks.json' }],
    ['discovery', {}],
  ])('refuses HS* with %s at set-up, naming `algorithms`', (_, where) => {
    expect(() =>
      createJWTVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['RS256', 'HS256'],
        ...where,
      }),
    ).toThrow(
      new TypeError(
        'createJWTVerifier: "algorithms" allows HS256, but HS* keys come only from "keys" given in code, never from a fetched JWKS',
      ),
    )
  })

  it('a fetched set never supplies an oct key, whatever a caller asks of it', () => {
    const set = readKeySet({ keys: [oct(32), rsa] }, 'node', undefined)
    expect(set.size).toBe(1)
    expect(set.find('h', 'HS256')).toBeUndefined()
    expect(set.find('rsa', 'RS256')).toBeDefined()
  })
})

// Through the example app and both engines: a fetched set with an oct key and two RSA keys sharing
// a kid still serves its other keys, and neither key of the shared kid is guessed at.
describe.each(transports)('a fetched set through $name', (transport) => {
  let issuer: TestIssuer
  let good: IssuerKey
  let twinA: IssuerKey
  let twinB: IssuerKey
  let send: Send
  let close = async () => {}
  beforeAll(async () => {
    issuer = await startTestIssuer()
    good = await issuer.addKey('RS256', { kid: 'good' })
    twinA = await issuer.addKey('RS256', { kid: 'twin' })
    twinB = await issuer.addKey('RS256', { kid: 'twin' })
    issuer.publish('good', 'twin')
    // `publish` is by kid; both twins go out, the second as a raw key.
    issuer.rawKeys.push(twinB.publicJWK, oct(32, { kid: 'good' }))
    ;({ send, close } = await openExternalIssuerApp(transport, issuer, { algorithms: ['RS256'] }))
  })
  afterAll(() => close())

  const now = () => Math.floor(Date.now() / 1000)
  const token = (key: IssuerKey) =>
    key.sign({
      iss: issuer.issuer,
      aud: RESOURCE,
      sub: 'johndoe',
      scope: 'me',
      iat: now(),
      exp: now() + 600,
    })
  const get = async (key: IssuerKey) =>
    send('/users/me/', { headers: { authorization: `Bearer ${await token(key)}` } })

  it('answers with the unambiguous key and refuses both keys of a shared kid', async () => {
    expect(issuer.jwks().keys.map((key) => key.kid)).toEqual(['good', 'twin', 'twin', 'good'])
    expect((await get(good)).status).toBe(200)
    for (const twin of [twinA, twinB]) {
      const response = await get(twin)
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"')
      await response.body?.cancel()
    }
  })
})
