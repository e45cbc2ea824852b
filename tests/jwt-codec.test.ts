import { createHmac, generateKeyPairSync, KeyObject } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { buildJWTCodec } from '../src/jwt/codec.js'
import {
  createJWTCodec,
  type InvalidTokenCode,
  InvalidTokenError,
  isInvalidTokenError,
  type JWTCodecOptions,
} from '../src/jwt/index.js'

const SECRET = '09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7'
const NOW = 1_700_000_000
const frozen = (at: number) => () => at

const b64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** Signs any header and payload with HMAC by hand, for tokens jose refuses to produce. */
function hmacToken(header: unknown, payload: unknown, secret = SECRET, hash = 'sha256') {
  const input = `${b64url(header)}.${b64url(payload)}`
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`
}

const claims = (extra: Record<string, unknown> = {}) => ({
  sub: 'johndoe',
  exp: NOW + 60,
  ...extra,
})

/** Asserts a refusal with `code` whose message leaks neither the token nor any of its segments. */
async function expectRefused(
  promise: Promise<unknown>,
  token: string,
  code: InvalidTokenCode,
  claim?: string,
) {
  const error = await promise.then(
    () => expect.unreachable('the token was accepted'),
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(InvalidTokenError)
  expect(isInvalidTokenError(error)).toBe(true)
  const refused = error as InvalidTokenError
  expect(refused.name).toBe('InvalidTokenError')
  expect({ code: refused.code, claim: refused.claim }).toEqual({ code, claim })
  if (token !== '') expect(refused.message.includes(token)).toBe(false)
  for (const segment of token.split('.')) {
    if (segment.length > 1) expect(refused.message.includes(segment)).toBe(false)
  }
  expect(refused.message.includes(SECRET)).toBe(false)
}

// Every HS* case runs through the Node fast path and through jose.
const paths = [
  ['node:crypto', true],
  ['jose', false],
] as const
const hs = (options: JWTCodecOptions = {}, fastPath = true) =>
  buildJWTCodec({ secret: SECRET, now: frozen(NOW), ...options }, fastPath)

describe.each(paths)('HS* through %s', (_, fastPath) => {
  it.each(['HS256', 'HS384', 'HS512'] as const)('round-trips %s', async (algorithm) => {
    const codec = hs({ algorithm }, fastPath)
    const token = await codec.sign({ sub: 'johndoe', scopes: ['me', 'items'] })
    expect(decodeProtectedHeader(token)).toEqual({ alg: algorithm, typ: 'JWT' })
    expect(await codec.verify(token)).toEqual({
      subject: 'johndoe',
      scopes: ['me', 'items'],
      payload: { sub: 'johndoe', scopes: ['me', 'items'], iat: NOW, exp: NOW + 1800 },
    })
  })

  it('accepts a Uint8Array secret and a custom lifetime', async () => {
    const codec = hs({ secret: new TextEncoder().encode(SECRET) }, fastPath)
    const token = await codec.sign({ sub: 'alice' }, { expiresIn: 60 })
    expect(decodeJwt(token)).toMatchObject({ iat: NOW, exp: NOW + 60 })
    expect((await hs({}, fastPath).verify(token)).subject).toBe('alice')
  })

  it("keeps the caller's exp, iat and nbf, so a short or already expired token stays so", async () => {
    const codec = hs({}, fastPath)
    const short = await codec.sign({ sub: 'bob', exp: NOW + 60 })
    expect(decodeJwt(short)).toMatchObject({ iat: NOW, exp: NOW + 60 })
    await expectRefused(
      hs({ now: frozen(NOW + 61) }, fastPath).verify(short),
      short,
      'token_expired',
      'exp',
    )
    const expired = await codec.sign({ sub: 'bob', exp: NOW - 600 })
    expect(decodeJwt(expired).exp).toBe(NOW - 600)
    await expectRefused(codec.verify(expired), expired, 'token_expired', 'exp')
    const dated = await codec.sign({ sub: 'bob', iat: NOW - 100, nbf: NOW + 10 })
    // Without an exp the lifetime still counts from now, not from the caller's iat.
    expect(decodeJwt(dated)).toMatchObject({ iat: NOW - 100, nbf: NOW + 10, exp: NOW + 1800 })
    await expectRefused(codec.verify(dated), dated, 'token_not_yet_valid', 'nbf')
  })

  it.each([
    ['exp', { exp: String(NOW + 60) }],
    ['exp', { exp: Number.NaN }],
    ['iat', { iat: Number.POSITIVE_INFINITY }],
    ['nbf', { nbf: null }],
  ])('refuses a non-numeric %s with a TypeError naming it', async (claim, extra) => {
    const codec = hs({}, fastPath)
    await expect(codec.sign({ sub: 'bob', ...(extra as Record<string, unknown>) })).rejects.toThrow(
      new TypeError(`sign: claims.${claim} must be a finite number of epoch seconds`),
    )
  })

  it('refuses an exp together with expiresIn: neither may silently win', async () => {
    await expect(
      hs({}, fastPath).sign({ sub: 'bob', exp: NOW + 60 }, { expiresIn: 60 }),
    ).rejects.toThrow(new TypeError('sign: give claims.exp or "expiresIn", not both'))
  })

  it('verifies tokens signed by jose and by hand', async () => {
    const key = new TextEncoder().encode(SECRET)
    const signed = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(key)
    expect((await hs({}, fastPath).verify(signed)).subject).toBe('johndoe')
    const byHand = hmacToken({ alg: 'HS256', typ: 'anything' }, claims())
    expect((await hs({}, fastPath).verify(byHand)).subject).toBe('johndoe')
  })

  it('refuses a tampered signature, a tampered payload and a wrong secret', async () => {
    const token = await hs({}, fastPath).sign({ sub: 'johndoe' })
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`
    const tampered = `${header}.${payload}.${flipped}`
    await expectRefused(hs({}, fastPath).verify(tampered), tampered, 'token_signature_invalid')
    const forged = `${header}.${b64url({ ...decodeJwt(token), sub: 'admin' })}.${signature}`
    await expectRefused(hs({}, fastPath).verify(forged), forged, 'token_signature_invalid')
    const other = hs({ secret: `${SECRET}x` }, fastPath)
    await expectRefused(other.verify(token), token, 'token_signature_invalid')
    const short = `${header}.${payload}.${signature.slice(0, 40)}`
    await expectRefused(hs({}, fastPath).verify(short), short, 'token_signature_invalid')
  })

  it('refuses alg "none" and every other algorithm', async () => {
    const none = `${b64url({ alg: 'none' })}.${b64url(claims())}.`
    await expectRefused(hs({}, fastPath).verify(none), none, 'token_algorithm_invalid')
    const hs512 = hmacToken({ alg: 'HS512' }, claims(), SECRET, 'sha512')
    await expectRefused(hs({}, fastPath).verify(hs512), hs512, 'token_algorithm_invalid')
    const lower = hmacToken({ alg: 'hs256' }, claims())
    await expectRefused(hs({}, fastPath).verify(lower), lower, 'token_algorithm_invalid')
    for (const alg of [undefined, '', 256, null]) {
      const token = hmacToken({ alg }, claims())
      await expectRefused(hs({}, fastPath).verify(token), token, 'token_malformed')
    }
  })

  it('refuses malformed tokens', async () => {
    const good = hmacToken({ alg: 'HS256' }, claims())
    const [header, payload, signature] = good.split('.') as [string, string, string]
    const bad = [
      '',
      'abc',
      `${header}.${payload}`,
      `${good}.`,
      `${header}.${payload}.${signature}=`,
      `${header}=.${payload}.${signature}`,
      ` ${good}`,
      `${header}.${payload}.${signature.slice(0, 20)} ${signature.slice(20)}`,
      `${header}.${payload}.${signature.slice(0, 42)}B`, // non-canonical last character
      `${header}.${payload}.${signature}A`, // 44 characters: length ≡ 0 mod 4 but too long
      `${header}.+${payload.slice(1)}.${signature}`,
      `.${payload}.${signature}`,
      `${header}..${signature}`,
      hmacToken('not json', claims()),
      hmacToken([{ alg: 'HS256' }], claims()),
      hmacToken({ alg: 'HS256', crit: ['b64'], b64: true }, claims()),
      hmacToken({ alg: 'HS256', crit: ['exp'] }, claims()),
      hmacToken({ alg: 'HS256' }, 'not json'),
      hmacToken({ alg: 'HS256' }, [claims()]),
      hmacToken({ alg: 'HS256' }, null),
    ]
    for (const token of bad) {
      const code = token.endsWith(`${signature}A`) ? 'token_signature_invalid' : 'token_malformed'
      await expectRefused(hs({}, fastPath).verify(token), token, code)
    }
    await expectRefused(hs({}, fastPath).verify(42 as unknown as string), '42', 'token_malformed')
  })
})

describe('claims', () => {
  const verify = (token: string, options: JWTCodecOptions = {}) => hs(options).verify(token)

  it('expires at exp, with the configured clock tolerance', async () => {
    const token = await hs().sign({ sub: 'johndoe' })
    expect((await verify(token, { now: frozen(NOW + 1799) })).subject).toBe('johndoe')
    await expectRefused(verify(token, { now: frozen(NOW + 1800) }), token, 'token_expired', 'exp')
    const tolerant = { now: frozen(NOW + 1829), clockTolerance: 30 }
    expect((await verify(token, tolerant)).subject).toBe('johndoe')
    await expectRefused(
      verify(token, { ...tolerant, now: frozen(NOW + 1830) }),
      token,
      'token_expired',
      'exp',
    )
  })

  it('refuses a token not yet valid', async () => {
    const token = hmacToken({ alg: 'HS256' }, claims({ nbf: NOW + 30 }))
    await expectRefused(verify(token), token, 'token_not_yet_valid', 'nbf')
    expect((await verify(token, { clockTolerance: 30 })).subject).toBe('johndoe')
  })

  it.each([
    ['exp missing', { exp: undefined }, 'exp'],
    ['exp a string', { exp: String(NOW + 60) }, 'exp'],
    ['nbf a string', { nbf: String(NOW) }, 'nbf'],
    ['iat a string', { iat: 'now' }, 'iat'],
    ['sub missing', { sub: undefined }, 'sub'],
    ['sub a number', { sub: 5 }, 'sub'],
    ['sub empty', { sub: '' }, 'sub'],
  ])('refuses %s', async (_, extra, claim) => {
    const token = hmacToken({ alg: 'HS256' }, claims(extra))
    await expectRefused(verify(token), token, 'token_claim_invalid', claim)
  })

  it('checks issuer and audience when configured', async () => {
    const options = { issuer: 'https://auth.example', audience: ['api', 'admin'] }
    const token = await hs(options).sign({ sub: 'johndoe' })
    expect(decodeJwt(token)).toMatchObject({ iss: 'https://auth.example', aud: ['api', 'admin'] })
    expect((await verify(token, options)).subject).toBe('johndoe')
    expect((await verify(token, { audience: 'admin' })).subject).toBe('johndoe')
    const cases = [
      [{ issuer: 'https://other.example' }, 'iss'],
      [{ audience: 'billing' }, 'aud'],
    ] as const
    for (const [mismatch, claim] of cases) {
      await expectRefused(verify(token, mismatch), token, 'token_claim_invalid', claim)
    }
    const bare = await hs().sign({ sub: 'johndoe' })
    await expectRefused(verify(bare, { issuer: 'x' }), bare, 'token_claim_invalid', 'iss')
    await expectRefused(verify(bare, { audience: 'api' }), bare, 'token_claim_invalid', 'aud')
    const typed = hmacToken({ alg: 'HS256' }, claims({ aud: [1, 'api'] }))
    expect((await verify(typed, { audience: 'api' })).subject).toBe('johndoe')
  })

  it('pins the key id when configured', async () => {
    const token = await hs({ kid: 'k1' }).sign({ sub: 'johndoe' })
    expect(decodeProtectedHeader(token).kid).toBe('k1')
    expect((await verify(token, { kid: 'k1' })).subject).toBe('johndoe')
    await expectRefused(verify(token, { kid: 'k2' }), token, 'token_claim_invalid', 'kid')
    const unnamed = await hs().sign({ sub: 'johndoe' })
    await expectRefused(verify(unnamed, { kid: 'k1' }), unnamed, 'token_claim_invalid', 'kid')
    expect((await verify(token)).subject).toBe('johndoe')
  })

  it('refuses a token carrying aud when no audience is configured (RFC 7519 §4.1.3)', async () => {
    for (const aud of ['api', ['api'], [], 7]) {
      const token = hmacToken({ alg: 'HS256' }, claims({ aud }))
      await expectRefused(verify(token), token, 'token_claim_invalid', 'aud')
    }
    const unbound = hmacToken({ alg: 'HS256' }, claims())
    expect((await verify(unbound)).subject).toBe('johndoe')
  })

  it('refuses non-finite times and an iat in the future beyond the tolerance', async () => {
    const text = (json: string) => {
      const input = `${b64url({ alg: 'HS256' })}.${Buffer.from(json).toString('base64url')}`
      return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`
    }
    const infinite = text(`{"sub":"johndoe","exp":1e400}`)
    await expectRefused(verify(infinite), infinite, 'token_claim_invalid', 'exp')
    const nbf = text(`{"sub":"johndoe","exp":${NOW + 60},"nbf":-1e400}`)
    await expectRefused(verify(nbf), nbf, 'token_claim_invalid', 'nbf')
    const iat = text(`{"sub":"johndoe","exp":${NOW + 60},"iat":1e400}`)
    await expectRefused(verify(iat), iat, 'token_claim_invalid', 'iat')
    const ahead = hmacToken({ alg: 'HS256' }, claims({ iat: NOW + 3600 }))
    await expectRefused(verify(ahead), ahead, 'token_not_yet_valid', 'iat')
    const skewed = hmacToken({ alg: 'HS256' }, claims({ iat: NOW + 30 }))
    await expectRefused(verify(skewed), skewed, 'token_not_yet_valid', 'iat')
    expect((await verify(skewed, { clockTolerance: 30 })).subject).toBe('johndoe')
  })

  it('checks the audience before the clock, so an expired token of another API is not "expired"', async () => {
    const token = await hs({ audience: 'other' }).sign({ sub: 'johndoe' })
    const late = { audience: 'api', now: frozen(NOW + 9999) }
    await expectRefused(verify(token, late), token, 'token_claim_invalid', 'aud')
  })
})

describe('scopes', () => {
  const scopesOf = async (extra: Record<string, unknown>, scopeClaim?: string) =>
    (await hs(scopeClaim ? { scopeClaim } : {}).verify(hmacToken({ alg: 'HS256' }, claims(extra))))
      .scopes

  it('reads a scopes array, an RFC 9068 scope string, or nothing', async () => {
    expect(await scopesOf({ scopes: ['me', 'items'] })).toEqual(['me', 'items'])
    expect(await scopesOf({ scope: ' me  items items:write ' })).toEqual([
      'me',
      'items',
      'items:write',
    ])
    // RFC 6749 §3.3 separates scopes with SP alone: a tab or U+00A0 is part of an (invalid) scope,
    // so "me\titems:write" grants neither, as Gatehouse's authorization server reads it.
    expect(await scopesOf({ scope: 'me\titems:write items\u00a0admin' })).toEqual([
      'me\titems:write',
      'items\u00a0admin',
    ])
    expect(await scopesOf({ scopes: ['me'], scope: 'items' })).toEqual(['me'])
    expect(await scopesOf({ scope: '' })).toEqual([])
    expect(await scopesOf({})).toEqual([])
  })

  it('reads only the configured claim when there is one', async () => {
    expect(await scopesOf({ scp: 'me items' }, 'scp')).toEqual(['me', 'items'])
    expect(await scopesOf({ scp: ['me'] }, 'scp')).toEqual(['me'])
    expect(await scopesOf({ scopes: ['me'] }, 'scp')).toEqual([])
  })

  it.each([
    [{ scopes: 'me' }, undefined, 'scopes'],
    [{ scopes: [1] }, undefined, 'scopes'],
    [{ scopes: null }, undefined, 'scopes'],
    [{ scope: ['me'] }, undefined, 'scope'],
    [{ scopes: ['me'], scope: 5 }, undefined, 'scope'],
    [{ scp: 5 }, 'scp', 'scp'],
    [{ scp: ['me', {}] }, 'scp', 'scp'],
  ])('refuses %j (scopeClaim %s)', async (extra, scopeClaim, claim) => {
    const token = hmacToken({ alg: 'HS256' }, claims(extra))
    const codec = hs(scopeClaim ? { scopeClaim } : {})
    await expectRefused(codec.verify(token), token, 'token_claim_invalid', claim)
  })
})

describe('asymmetric algorithms', () => {
  it.each(['EdDSA', 'ES256', 'RS256'] as const)(
    'round-trips %s, verify-only with the public key',
    async (algorithm) => {
      const { publicKey, privateKey } = await generateKeyPair(algorithm)
      const signer = createJWTCodec({
        algorithm,
        privateKey,
        publicKey,
        now: frozen(NOW),
        kid: 'k',
      })
      const token = await signer.sign({ sub: 'johndoe', scope: 'me' })
      expect(decodeProtectedHeader(token)).toEqual({ alg: algorithm, typ: 'JWT', kid: 'k' })
      const verifier = createJWTCodec({ algorithm, publicKey, now: frozen(NOW), kid: 'k' })
      expect(await verifier.verify(token)).toMatchObject({ subject: 'johndoe', scopes: ['me'] })
      await expect(verifier.sign({ sub: 'johndoe' })).rejects.toThrow(TypeError)
      await expect(createJWTCodec({ algorithm, privateKey }).verify(token)).rejects.toThrow(
        TypeError,
      )
      const [header, payload] = token.split('.')
      const forged = `${header}.${payload}.${b64url('x'.repeat(64))}`
      await expectRefused(verifier.verify(forged), forged, 'token_signature_invalid')
      const other = await generateKeyPair(algorithm)
      const stranger = createJWTCodec({ algorithm, publicKey: other.publicKey, now: frozen(NOW) })
      await expectRefused(stranger.verify(token), token, 'token_signature_invalid')
    },
  )

  it('accepts JWKs and Node KeyObjects', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true })
    const jwks = {
      privateKey: await exportJWK(pair.privateKey),
      publicKey: await exportJWK(pair.publicKey),
    }
    const jwkCodec = createJWTCodec({ algorithm: 'ES256', ...jwks, now: frozen(NOW) })
    expect((await jwkCodec.verify(await jwkCodec.sign({ sub: 'a' }))).subject).toBe('a')
    const objects = generateKeyPairSync('ed25519')
    const objectCodec = createJWTCodec({ algorithm: 'EdDSA', ...objects, now: frozen(NOW) })
    expect((await objectCodec.verify(await objectCodec.sign({ sub: 'b' }))).subject).toBe('b')
  })

  it.each(['EdDSA', 'ES256', 'RS256'] as const)(
    'refuses a %s private and public key of different pairs, in every key form',
    async (algorithm) => {
      const one = await generateKeyPair(algorithm, { extractable: true })
      const two = await generateKeyPair(algorithm, { extractable: true })
      const forms = async (key: CryptoKey) => [key, await exportJWK(key), KeyObject.from(key)]
      const message = '"privateKey" and "publicKey" are not one key pair'
      if (algorithm === 'RS256') {
        // Compared by value: `n` with a leading zero byte and `e` as AAEAAQ are the same key.
        const jwk = await exportJWK(one.publicKey)
        const padded = {
          ...jwk,
          n: Buffer.concat([Buffer.from([0]), Buffer.from(jwk.n as string, 'base64url')]).toString(
            'base64url',
          ),
          e: 'AAEAAQ',
        }
        expect(() =>
          createJWTCodec({ algorithm, privateKey: one.privateKey, publicKey: padded }),
        ).not.toThrow()
      }
      for (const privateKey of await forms(one.privateKey)) {
        for (const publicKey of await forms(two.publicKey))
          expect(() => createJWTCodec({ algorithm, privateKey, publicKey })).toThrow(message)
        // Its own public key, in any form, is taken.
        for (const publicKey of await forms(one.publicKey)) {
          const codec = createJWTCodec({ algorithm, privateKey, publicKey, now: frozen(NOW) })
          expect((await codec.verify(await codec.sign({ sub: 'a' }))).subject).toBe('a')
        }
      }
    },
  )

  it('refuses an HS256 token signed with the public key as secret (algorithm confusion)', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
    const codec = createJWTCodec({ algorithm: 'RS256', publicKey, now: frozen(NOW) })
    const token = hmacToken({ alg: 'HS256' }, claims(), pem)
    await expectRefused(codec.verify(token), token, 'token_algorithm_invalid')
    const rs = hmacToken({ alg: 'RS256' }, claims(), pem)
    await expectRefused(codec.verify(rs), rs, 'token_signature_invalid')
  })
})

describe('set-up errors', () => {
  it('throws a TypeError naming the option', async () => {
    const ed = await generateKeyPair('EdDSA')
    const es = await generateKeyPair('ES256')
    const cases: [JWTCodecOptions, string][] = [
      [{}, '"secret"'],
      [{ secret: '' }, '"secret"'],
      [{ secret: 42 as unknown as string }, '"secret"'],
      [{ algorithm: 'none' as 'HS256', secret: SECRET }, '"algorithm"'],
      [{ algorithm: 'HS256', secret: SECRET, publicKey: ed.publicKey }, '"publicKey"'],
      [{ algorithm: 'EdDSA', secret: SECRET, publicKey: ed.publicKey }, '"secret"'],
      [{ algorithm: 'EdDSA' }, '"privateKey"'],
      [{ algorithm: 'EdDSA', publicKey: ed.privateKey }, '"publicKey"'],
      [{ algorithm: 'EdDSA', privateKey: ed.publicKey }, '"privateKey"'],
      [{ algorithm: 'RS256', publicKey: es.publicKey }, '"publicKey"'],
      [
        { algorithm: 'ES256', publicKey: { kty: 'EC', crv: 'P-384', x: 'a', y: 'b' } },
        '"publicKey"',
      ],
      [{ algorithm: 'ES256', publicKey: 'pem' as unknown as CryptoKey }, '"publicKey"'],
      [{ secret: SECRET, audience: [] }, '"audience"'],
      [{ secret: SECRET, audience: [''] }, '"audience"'],
      [{ secret: SECRET, issuer: '' }, '"issuer"'],
      [{ secret: SECRET, kid: '' }, '"kid"'],
      [{ secret: SECRET, scopeClaim: '' }, '"scopeClaim"'],
      [{ secret: SECRET, clockTolerance: -1 }, '"clockTolerance"'],
      [{ secret: SECRET, now: 5 as unknown as () => number }, '"now"'],
    ]
    for (const [options, name] of cases) {
      expect(() => createJWTCodec(options), name).toThrow(TypeError)
      expect(() => createJWTCodec(options)).toThrow(name)
    }
  })

  it.each([
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ] as const)(
    'refuses an %s secret shorter than the hash, %i bytes (RFC 7518 §3.2)',
    (algorithm, bytes) => {
      const short = 'k'.repeat(bytes - 1)
      const message = `createJWTCodec: "secret" must be at least ${bytes} bytes for ${algorithm} (RFC 7518 §3.2)`
      for (const secret of [short, new TextEncoder().encode(short), 'a'])
        expect(() => createJWTCodec({ algorithm, secret })).toThrow(message)
      // Never the secret itself in the message.
      expect(() => createJWTCodec({ algorithm, secret: short })).not.toThrow(short)
      // Bytes, not characters: 16 two-byte characters are 32 bytes.
      expect(() => createJWTCodec({ algorithm: 'HS256', secret: 'é'.repeat(16) })).not.toThrow()
      expect(() => createJWTCodec({ algorithm, secret: 'k'.repeat(bytes) })).not.toThrow()
    },
  )

  it('refuses to sign without a subject, with a bad lifetime or a broken clock', async () => {
    const codec = hs()
    await expect(codec.sign({})).rejects.toThrow('claims.sub')
    await expect(codec.sign({ sub: 'a' }, { expiresIn: 0 })).rejects.toThrow('"expiresIn"')
    await expect(codec.sign({ sub: 'a' }, { expiresIn: Number.NaN })).rejects.toThrow('"expiresIn"')
    const broken = hs({ now: () => Number.NaN })
    await expect(broken.sign({ sub: 'a' })).rejects.toThrow('"now"')
    await expect(broken.verify(await codec.sign({ sub: 'a' }))).rejects.toThrow(TypeError)
  })

  it('tells its errors apart', () => {
    expect(isInvalidTokenError(new InvalidTokenError('token_expired', 'exp'))).toBe(true)
    expect(isInvalidTokenError(new Error('token_expired'))).toBe(false)
    expect(
      isInvalidTokenError(
        Object.assign(new Error('x'), { name: 'InvalidTokenError', code: 'other' }),
      ),
    ).toBe(false)
    expect(isInvalidTokenError('InvalidTokenError')).toBe(false)
  })
})
