import { createHmac } from 'node:crypto'
import { jwtVerify, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { buildJWTCodec } from '../src/jwt/codec.js'
import { createHMACCheck } from '../src/jwt/hmac.js'
import { isInvalidTokenError, type JWTCodecOptions } from '../src/jwt/index.js'

// The Node HS* fast path must decide exactly like the jose path, and accept nothing jose refuses.

const SECRET = 'a-secret-of-at-least-sixty-four-bytes-so-that-hs512-accepts-it!!'
const NOW = 1_700_000_000
const ALGORITHMS = [
  ['HS256', 'sha256'],
  ['HS384', 'sha384'],
  ['HS512', 'sha512'],
] as const

const b64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

function hmacToken(header: unknown, payload: unknown, hash: string, secret = SECRET) {
  const input = `${b64url(header)}.${b64url(payload)}`
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`
}

type Outcome = { accepted: unknown } | { code: string; claim: string | undefined }

async function outcome(promise: Promise<unknown>): Promise<Outcome> {
  try {
    return { accepted: await promise }
  } catch (error) {
    if (!isInvalidTokenError(error)) throw error
    return { code: error.code, claim: error.claim }
  }
}

/** Runs tokens through both paths and through plain jose, which must accept whatever we accept. */
async function compare(tokens: string[], options: JWTCodecOptions & { algorithm: string }) {
  const settings = { secret: SECRET, now: () => NOW, ...options } as JWTCodecOptions
  const fast = buildJWTCodec(settings, true)
  const slow = buildJWTCodec(settings, false)
  const key = new TextEncoder().encode(SECRET)
  const tally = { accepted: 0, refused: 0 }
  for (const token of tokens) {
    const [a, b] = [await outcome(fast.verify(token)), await outcome(slow.verify(token))]
    expect(a, token).toEqual(b)
    if ('accepted' in a) {
      tally.accepted++
      await jwtVerify(token, key, {
        algorithms: [options.algorithm],
        requiredClaims: ['exp'],
        currentDate: new Date(NOW * 1000),
        clockTolerance: options.clockTolerance ?? 0,
        ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
        ...(options.audience === undefined ? {} : { audience: options.audience as string }),
      })
    } else tally.refused++
  }
  return tally
}

function mutations(token: string): string[] {
  const swaps = ['A', 'B', 'g', '_', '-', '.', '=', ' ', '+', '/', 'é', '0']
  const out = new Set<string>()
  for (let i = 0; i < token.length; i++) {
    for (const swap of swaps) out.add(token.slice(0, i) + swap + token.slice(i + 1))
    out.add(token.slice(0, i) + token.slice(i + 1))
    out.add(`${token.slice(0, i)}A${token.slice(i)}`)
    out.add(token.slice(0, i))
  }
  out.delete(token)
  return [...out]
}

describe.each(ALGORITHMS)('%s fast path', (algorithm, hash) => {
  it('is in use on Node', () => {
    expect(createHMACCheck(algorithm, new TextEncoder().encode(SECRET))).toBeTypeOf('function')
  })

  it('agrees with jose on every one-character mutation of a jose-signed token', async () => {
    const token = await new SignJWT({ sub: 'johndoe', scopes: ['me'], exp: NOW + 60 })
      .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
      .sign(new TextEncoder().encode(SECRET))
    const tokens = mutations(token)
    const tally = await compare([token, ...tokens], { algorithm })
    expect(tally.accepted).toBe(1)
    expect(tally.refused).toBe(tokens.length)
  })

  it('agrees on crafted headers and claims', async () => {
    const sign = (header: Record<string, unknown>, payload: unknown) =>
      hmacToken({ alg: algorithm, ...header }, payload, hash)
    const ok = { sub: 'johndoe', exp: NOW + 60 }
    const headers: Record<string, unknown>[] = [
      {},
      { typ: 'JWT' },
      { typ: 'at+jwt' },
      { typ: 5 },
      { kid: 'k1' },
      { kid: 'k2' },
      { b64: false },
      { crit: [] },
      { crit: ['b64'], b64: true },
      { crit: ['b64'], b64: false },
      { crit: 'b64' },
      { alg: 'none' },
      { alg: 'HS256' },
      { alg: 'RS256' },
      { alg: 'EdDSA' },
      { alg: '' },
      { alg: [algorithm] },
      { __proto__: null, alg: algorithm },
      { jku: 'https://evil.example/jwks.json' },
    ]
    const payloads: unknown[] = [
      ok,
      { ...ok, exp: NOW },
      { ...ok, exp: NOW + 0.5 },
      { ...ok, exp: NOW - 0.5 },
      { ...ok, exp: `${NOW + 60}` },
      { ...ok, exp: null },
      { sub: 'johndoe' },
      { ...ok, nbf: NOW + 1 },
      { ...ok, nbf: NOW },
      { ...ok, iat: NOW + 3600 },
      { ...ok, iat: true },
      { ...ok, sub: '' },
      { ...ok, sub: 5 },
      { ...ok, sub: ['johndoe'] },
      { ...ok, iss: 'https://auth.example' },
      { ...ok, iss: 'https://auth.example', aud: 'api' },
      { ...ok, iss: 'https://auth.example', aud: ['x', 'api'] },
      { ...ok, iss: ['https://auth.example'], aud: 'api' },
      { ...ok, scopes: ['me'], scope: 'items' },
      { ...ok, scopes: 'me' },
      { ...ok, scope: 'me items' },
      { ...ok, scope: 7 },
      { ...ok, scp: 'me' },
      { ...ok, scp: [7] },
      { ...ok, __proto__: { admin: true } },
      [ok],
      'johndoe',
      null,
      42,
    ]
    const tokens = headers.flatMap((header) => payloads.map((payload) => sign(header, payload)))
    tokens.push(hmacToken({ alg: algorithm }, ok, hash, `${SECRET}!`))
    tokens.push(`${b64url({ alg: algorithm })}.${b64url(ok)}.`)
    const variants: (JWTCodecOptions & { algorithm: string })[] = [
      { algorithm },
      { algorithm, kid: 'k1' },
      { algorithm, issuer: 'https://auth.example', audience: 'api' },
      { algorithm, scopeClaim: 'scp', clockTolerance: 1 },
    ]
    for (const variant of variants) {
      const tally = await compare(tokens, variant)
      expect(tally.accepted).toBeGreaterThan(0)
      expect(tally.refused).toBeGreaterThan(0)
    }
  })

  it('agrees on truncated and padded signatures', async () => {
    const token = hmacToken({ alg: algorithm }, { sub: 'a', exp: NOW + 60 }, hash)
    const cut = token.lastIndexOf('.') + 1
    const signature = token.slice(cut)
    const tokens = [
      ...Array.from({ length: signature.length }, (_, n) => token.slice(0, cut + n)),
      `${token}=`,
      `${token}==`,
      `${token}AA`,
      `${token}AAAA`,
      `${token.slice(0, cut)}${Buffer.from(signature, 'base64url').toString('base64')}`,
    ]
    const tally = await compare(tokens, { algorithm })
    expect(tally.accepted).toBe(0)
  })
})
