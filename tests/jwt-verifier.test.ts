import { createHmac, generateKeyPairSync, KeyObject, sign as rawSign } from 'node:crypto'
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  createJWTVerifier,
  type InvalidTokenCode,
  InvalidTokenError,
  type JWTVerifierAlgorithm,
  type JWTVerifierOptions,
} from '../src/jwt/index.js'
import { buildJWTVerifier } from '../src/jwt/verifier.js'

const NOW = 1_800_000_000
const ISSUER = 'https://issuer.example/'
const AUDIENCE = 'https://api.example'
const b64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

const claims = (extra: Record<string, unknown> = {}): JWTPayload => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'ada',
  iat: NOW - 10,
  exp: NOW + 600,
  scope: 'read write',
  client_id: 'app',
  jti: 'token-1',
  ...extra,
})

/** A key pair of `alg` with its public JWK (kid = alg) and a signer, made for this run. */
async function keyOf(alg: JWTVerifierAlgorithm, jwkExtra: Partial<JWK> = {}) {
  const pair = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  })
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: alg, ...jwkExtra }
  const sign = (payload: JWTPayload, header: Record<string, unknown> = {}) =>
    new SignJWT(payload).setProtectedHeader({ alg, kid: alg, ...header }).sign(pair.privateKey)
  /** RS256 only: signs a payload given as JSON text, for claims jose refuses to write. */
  const signText = (payloadText: string) => {
    const input = `${b64url({ alg, kid: alg })}.${b64url(payloadText)}`
    const signature = rawSign('sha256', Buffer.from(input), KeyObject.from(pair.privateKey))
    return `${input}.${signature.toString('base64url')}`
  }
  return { jwk, sign, signText }
}

async function expectRefused(promise: Promise<unknown>, code: InvalidTokenCode, claim?: string) {
  const error = await promise.then(
    () => expect.unreachable('the token was accepted'),
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(InvalidTokenError)
  expect({
    code: (error as InvalidTokenError).code,
    claim: (error as InvalidTokenError).claim,
  }).toEqual({ code, claim })
}

const ASYMMETRIC: JWTVerifierAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]
const keys = Object.fromEntries(
  await Promise.all(ASYMMETRIC.map(async (alg) => [alg, await keyOf(alg)] as const)),
)
const jwks = { keys: ASYMMETRIC.map((alg) => keys[alg]?.jwk as JWK) }

// Every signature case runs through node:crypto and through Web Crypto.
describe.each(['node', 'web'] as const)('signatures through %s', (runtime) => {
  const verifier = (options: Partial<JWTVerifierOptions> = {}) =>
    buildJWTVerifier(
      { issuer: ISSUER, audience: AUDIENCE, keys: jwks, now: () => NOW, cacheSize: 0, ...options },
      runtime,
    )

  it.each(ASYMMETRIC)('verifies %s from a local JWKS, and refuses it tampered', async (alg) => {
    const key = keys[alg] as Awaited<ReturnType<typeof keyOf>>
    const token = await key.sign(claims())
    expect(await verifier().verify(token)).toEqual({
      subject: 'ada',
      scopes: ['read', 'write'],
      payload: claims(),
    })
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const forged = `${header}.${b64url(claims({ sub: 'admin' }))}.${signature}`
    await expectRefused(verifier().verify(forged), 'token_signature_invalid')
    const flipped = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`
    await expectRefused(verifier().verify(flipped), 'token_signature_invalid')
    const short = `${header}.${payload}.${signature.slice(0, 40)}`
    await expectRefused(verifier().verify(short), 'token_signature_invalid')
  })

  it('verifies HS256 only when listed, against an oct key at least as long as the hash', async () => {
    const secret = Buffer.alloc(32, 7)
    const oct = { kty: 'oct', k: secret.toString('base64url'), kid: 'h' }
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: 'h' })
      .sign(secret)
    const hs = verifier({ keys: { keys: [oct] }, algorithms: ['HS256'] })
    expect((await hs.verify(token)).subject).toBe('ada')
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BA' : 'AA'}`
    await expectRefused(hs.verify(tampered), 'token_signature_invalid')
    expect(() =>
      verifier({ keys: { keys: [{ ...oct, k: 'c2hvcnQ' }] }, algorithms: ['HS256'] }),
    ).toThrow(
      '"keys.keys[0]" (kid "h") is an HMAC key shorter than 32 bytes, the hash of HS256 (RFC 7518 §3.2)',
    )
  })

  it('refuses an HS256 token signed with the RSA public key as its secret (algorithm confusion)', async () => {
    const rsa = keys.RS256 as Awaited<ReturnType<typeof keyOf>>
    const input = `${b64url({ alg: 'HS256', kid: 'RS256' })}.${b64url(claims())}`
    for (const secret of [JSON.stringify(rsa.jwk), String(rsa.jwk.n)]) {
      const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
      await expectRefused(verifier().verify(token), 'token_algorithm_invalid')
      // Even with HS256 allowed, an RSA key never serves as an HMAC secret.
      const allowing = verifier({ algorithms: ['RS256', 'HS256'], keys: { keys: [rsa.jwk] } })
      await expectRefused(allowing.verify(token), 'token_key_unknown', 'kid')
    }
  })
})

describe('keys and headers', () => {
  const verifier = (options: Partial<JWTVerifierOptions> = {}) =>
    createJWTVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: jwks,
      now: () => NOW,
      ...options,
    })
  const rs = () => keys.RS256 as Awaited<ReturnType<typeof keyOf>>

  it('refuses alg "none", unlisted algorithms, unknown kids and a kid of another key type', async () => {
    const none = `${b64url({ alg: 'none', kid: 'RS256' })}.${b64url(claims())}.`
    await expectRefused(verifier().verify(none), 'token_algorithm_invalid')
    const rs256 = await rs().sign(claims())
    await expectRefused(
      verifier({ algorithms: ['ES256'] }).verify(rs256),
      'token_algorithm_invalid',
    )
    const unknown = await rs().sign(claims(), { kid: 'not-published' })
    await expectRefused(verifier().verify(unknown), 'token_key_unknown', 'kid')
    // An RS256 token naming the ES256 key's kid: that key cannot verify RS256.
    const crossed = await rs().sign(claims(), { kid: 'ES256' })
    await expectRefused(verifier().verify(crossed), 'token_key_unknown', 'kid')
    const numericKid = `${b64url({ alg: 'RS256', kid: 7 })}.${b64url(claims())}.c2ln`
    await expectRefused(verifier().verify(numericKid), 'token_malformed')
  })

  it("honours the JWK's own alg, use and key_ops", async () => {
    const base = rs().jwk
    const token = await rs().sign(claims())
    // A key labelled PS256 never verifies RS256; one that cannot verify at all is refused at set-up.
    const v = verifier({ keys: { keys: [{ ...base, alg: 'PS256' }, keys.ES256?.jwk as JWK] } })
    await expectRefused(v.verify(token), 'token_key_unknown', 'kid')
    for (const jwk of [
      { ...base, use: 'enc' },
      { ...base, key_ops: ['encrypt'] },
    ])
      expect(() => verifier({ keys: { keys: [jwk, keys.ES256?.jwk as JWK] } })).toThrow(
        '"keys.keys[0]" (kid "RS256")',
      )
    const agreeing = { ...base, alg: 'RS256', use: 'sig', key_ops: ['verify'] }
    expect((await verifier({ keys: { keys: [agreeing] } }).verify(token)).subject).toBe('ada')
  })

  it('without a kid, uses the one key that fits the algorithm and refuses when several do', async () => {
    const token = await rs().sign(claims(), { kid: undefined })
    const { kid: _named, ...only } = rs().jwk
    expect(
      (await verifier({ keys: { keys: [only, keys.ES256?.jwk as JWK] } }).verify(token)).subject,
    ).toBe('ada')
    const { kid: _other, ...other } = (await keyOf('RS256')).jwk
    await expectRefused(
      verifier({ keys: { keys: [only, other] } }).verify(token),
      'token_key_unknown',
      'kid',
    )
  })

  it('checks typ when asked (RFC 9068 at+jwt, application/ prefix and case allowed)', async () => {
    const v = verifier({ typ: 'at+jwt' })
    for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT'])
      expect((await v.verify(await rs().sign(claims(), { typ }))).subject).toBe('ada')
    for (const typ of ['JWT', 'jwt', undefined]) {
      const token = await rs().sign(claims(), typ === undefined ? {} : { typ })
      await expectRefused(v.verify(token), 'token_type_invalid', 'typ')
    }
    expect((await verifier().verify(await rs().sign(claims(), { typ: 'JWT' }))).subject).toBe('ada')
  })

  it('with typ at+jwt, also requires the RFC 9068 §2.2 claims client_id, iat and jti', async () => {
    const v = verifier({ typ: 'at+jwt' })
    for (const claim of ['client_id', 'iat', 'jti']) {
      const token = await rs().sign(claims({ [claim]: undefined }), { typ: 'at+jwt' })
      await expectRefused(v.verify(token), 'token_claim_invalid', claim)
      // Without the profile a plain JWT needs none of them.
      expect(
        (await verifier().verify(await rs().sign(claims({ [claim]: undefined })))).subject,
      ).toBe('ada')
    }
  })

  it('refuses a set with private keys, short RSA moduli or unknown key types, naming the key', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const privateJWK = privateKey.export({ format: 'jwk' })
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      format: 'jwk',
    })
    const cases: [unknown, string][] = [
      [{ keys: [privateJWK] }, '"keys.keys[0]" holds private key material'],
      [{ keys: [rs().jwk, small] }, '"keys.keys[1]" has an RSA modulus under 2048 bits'],
      [{ keys: [{ kty: 'XYZ' }] }, '"keys.keys[0]" has an unsupported "kty"'],
      [{ keys: [{ kty: 'EC', crv: 'P-256', x: 'AA' }] }, '"keys.keys[0]" has no "y" member'],
      [
        { keys: [{ kty: 'OKP', crv: 'X25519', x: 'AA' }] },
        '"keys.keys[0]" has an unsupported "crv"',
      ],
      [{ keys: [{ ...rs().jwk, kid: 5 }] }, '"keys.keys[0]" has a non-string "kid"'],
      [{ keys: 'none' }, '"keys" must be a JWKS'],
    ]
    for (const [set, message] of cases)
      expect(() => verifier({ keys: set as { keys: JWK[] } }), message).toThrow(message)
  })
})

describe('claims', () => {
  const rs = () => keys.RS256 as Awaited<ReturnType<typeof keyOf>>
  const verify = async (payload: JWTPayload, options: Partial<JWTVerifierOptions> = {}) =>
    createJWTVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: jwks,
      now: () => NOW,
      clockTolerance: 0,
      ...options,
    }).verify(await rs().sign(payload))

  it('requires the issuer and the audience', async () => {
    await expectRefused(
      verify(claims({ iss: 'https://evil.example/' })),
      'token_claim_invalid',
      'iss',
    )
    await expectRefused(verify(claims({ iss: undefined })), 'token_claim_invalid', 'iss')
    await expectRefused(
      verify(claims({ aud: 'https://other-api.example' })),
      'token_claim_invalid',
      'aud',
    )
    await expectRefused(verify(claims({ aud: undefined })), 'token_claim_invalid', 'aud')
    expect((await verify(claims({ aud: ['https://other.example', AUDIENCE] }))).subject).toBe('ada')
    const several = { audience: ['https://a.example', AUDIENCE] }
    expect((await verify(claims(), several)).subject).toBe('ada')
  })

  it('takes an origin-only audience with or without its slash, and nothing wider', async () => {
    // RFC 9110 §4.2.3: for http(s), an empty path and "/" are the same resource.
    expect((await verify(claims({ aud: `${AUDIENCE}/` }))).subject).toBe('ada')
    const slashed = { audience: `${AUDIENCE}/` }
    expect((await verify(claims(), slashed)).subject).toBe('ada')
    for (const aud of [
      `${AUDIENCE}/x`,
      `${AUDIENCE}//`,
      `${AUDIENCE}/?`,
      'https://api.example.org',
    ])
      await expectRefused(verify(claims({ aud })), 'token_claim_invalid', 'aud')
    // A path is never made equivalent to another.
    const path = { audience: 'https://api.example/v1' }
    expect((await verify(claims({ aud: 'https://api.example/v1' }), path)).subject).toBe('ada')
    await expectRefused(
      verify(claims({ aud: 'https://api.example/v1/' }), path),
      'token_claim_invalid',
      'aud',
    )
  })

  it('refuses infinite and non-numeric times, future iat and nbf, and expired tokens', async () => {
    // 1e400 is what JSON.parse makes of an overlong exponent: Infinity, which never expires.
    const text = JSON.stringify(claims()).replace(`"exp":${NOW + 600}`, '"exp":1e400')
    expect(text).toContain('"exp":1e400')
    const v = createJWTVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: jwks, now: () => NOW })
    await expectRefused(v.verify(rs().signText(text)), 'token_claim_invalid', 'exp')
    const nbf = JSON.stringify(claims({ nbf: 0 })).replace('"nbf":0', '"nbf":-1e400')
    await expectRefused(v.verify(rs().signText(nbf)), 'token_claim_invalid', 'nbf')
    expect((await v.verify(rs().signText(JSON.stringify(claims())))).subject).toBe('ada')
    await expectRefused(verify(claims({ exp: undefined })), 'token_claim_invalid', 'exp')
    await expectRefused(verify(claims({ exp: NOW })), 'token_expired', 'exp')
    await expectRefused(verify(claims({ nbf: NOW + 5 })), 'token_not_yet_valid', 'nbf')
    await expectRefused(verify(claims({ iat: NOW + 5 })), 'token_not_yet_valid', 'iat')
    await expectRefused(
      verify(claims({ iat: 'now' as unknown as number })),
      'token_claim_invalid',
      'iat',
    )
    const tolerant = { clockTolerance: 30 }
    expect((await verify(claims({ iat: NOW + 30, nbf: NOW + 30 }), tolerant)).subject).toBe('ada')
    await expectRefused(verify(claims({ iat: NOW + 31 }), tolerant), 'token_not_yet_valid', 'iat')
    await expectRefused(verify(claims({ sub: '' })), 'token_claim_invalid', 'sub')
  })

  it('defaults to 30 s of clock tolerance for a remote issuer', async () => {
    const v = createJWTVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: jwks, now: () => NOW })
    expect((await v.verify(await rs().sign(claims({ iat: NOW + 20 })))).subject).toBe('ada')
    await expectRefused(
      v.verify(await rs().sign(claims({ iat: NOW + 40 }))),
      'token_not_yet_valid',
      'iat',
    )
  })
})

describe('set-up errors', () => {
  it('throws a TypeError naming the option', () => {
    const ok = { issuer: ISSUER, audience: AUDIENCE, keys: jwks }
    const cases: [unknown, string][] = [
      [{ ...ok, issuer: undefined }, '"issuer"'],
      [{ ...ok, audience: undefined }, '"audience"'],
      [{ ...ok, audience: [] }, '"audience"'],
      [{ ...ok, jwksUri: 'https://issuer.example/jwks' }, 'not both'],
      [{ ...ok, algorithms: ['none'] }, '"algorithms"'],
      [{ ...ok, algorithms: [] }, '"algorithms"'],
      [{ ...ok, typ: '' }, '"typ"'],
      [{ ...ok, scopeClaim: [''] }, '"scopeClaim"'],
      [{ ...ok, clockTolerance: -1 }, '"clockTolerance"'],
      [{ ...ok, cacheSize: 1.5 }, '"cacheSize"'],
      [{ ...ok, now: 5 }, '"now"'],
      [{ ...ok, remote: { timeout: 0 } }, '"remote.timeout"'],
      [
        { issuer: ISSUER, audience: AUDIENCE, jwksUri: 'http://issuer.example/jwks' },
        '"jwksUri" must use https:',
      ],
      [
        { issuer: ISSUER, audience: AUDIENCE, jwksUri: 'not a url' },
        '"jwksUri" must be an absolute URL',
      ],
      [{ issuer: 'http://issuer.example', audience: AUDIENCE }, '"issuer" must use https:'],
      [{ issuer: 'issuer', audience: AUDIENCE }, '"issuer" must be an absolute URL'],
    ]
    for (const [options, message] of cases)
      expect(() => createJWTVerifier(options as JWTVerifierOptions), message).toThrow(message)
    const loopback = { issuer: ISSUER, audience: AUDIENCE, jwksUri: 'http://127.0.0.1:1/jwks' }
    expect(() => createJWTVerifier(loopback)).not.toThrow()
    const insecure = {
      ...loopback,
      jwksUri: 'http://keys.internal/jwks',
      remote: { allowHTTP: true },
    }
    expect(() => createJWTVerifier(insecure)).not.toThrow()
  })
})
