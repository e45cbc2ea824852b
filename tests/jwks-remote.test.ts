import {
  createJWTVerifier,
  InvalidTokenError,
  type JWTVerifierOptions,
  KeySourceUnavailableError,
} from 'gatehouse'
import type { JWTPayload } from 'jose'
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startTestIssuer, type TestIssuer } from './helpers/issuer-server.js'

const NOW = 1_800_000_000
const AUDIENCE = 'https://api.example'

let issuer: TestIssuer
let clock = NOW
beforeEach(async () => {
  issuer = await startTestIssuer()
  clock = NOW
})
afterEach(() => issuer.close())

const claims = (extra: JWTPayload = {}): JWTPayload => ({
  iss: issuer.issuer,
  aud: AUDIENCE,
  sub: 'ada',
  iat: NOW,
  exp: NOW + 3600,
  scope: 'read',
  ...extra,
})

const remote = (options: Partial<JWTVerifierOptions> = {}) =>
  createJWTVerifier({
    issuer: issuer.issuer,
    audience: AUDIENCE,
    jwksUri: issuer.jwksUri,
    now: () => clock,
    cacheSize: 0,
    ...options,
    remote: { cooldown: 30, maxAge: 600, timeout: 1000, ...options.remote },
  })

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the token was accepted'),
    (error: unknown) => error,
  )
}

async function expectUnknownKey(promise: Promise<unknown>) {
  const error = await refusal(promise)
  expect(error).toBeInstanceOf(InvalidTokenError)
  expect((error as InvalidTokenError).code).toBe('token_key_unknown')
}

async function expectUnavailable(promise: Promise<unknown>, retryAfter?: number) {
  const error = await refusal(promise)
  expect(error).toBeInstanceOf(KeySourceUnavailableError)
  expect((error as KeySourceUnavailableError).status).toBe(503)
  if (retryAfter !== undefined)
    expect((error as KeySourceUnavailableError).retryAfter).toBe(retryAfter)
}

describe('a remote JWKS', () => {
  it('is fetched once and cached by kid', async () => {
    const rs = await issuer.addKey('RS256')
    const es = await issuer.addKey('ES256')
    const verifier = remote()
    for (let i = 0; i < 5; i++) {
      expect((await verifier.verify(await rs.sign(claims()))).subject).toBe('ada')
      expect((await verifier.verify(await es.sign(claims()))).subject).toBe('ada')
    }
    expect(issuer.hitsOf('/jwks.json')).toBe(1)
  })

  it('shares one fetch between concurrent first uses and concurrent unknown kids', async () => {
    const key = await issuer.addKey('EdDSA')
    const token = await key.sign(claims())
    const verifier = remote()
    const results = await Promise.all(Array.from({ length: 20 }, () => verifier.verify(token)))
    expect(results.every((result) => result.subject === 'ada')).toBe(true)
    expect(issuer.hitsOf('/jwks.json')).toBe(1)
    clock += 31
    const strangers = await Promise.all(
      Array.from({ length: 10 }, (_, n) => key.sign(claims(), { kid: `unknown-${n}` })),
    )
    const refused = await Promise.allSettled(strangers.map((t) => verifier.verify(t)))
    expect(refused.every((r) => r.status === 'rejected')).toBe(true)
    expect(issuer.hitsOf('/jwks.json')).toBe(2)
  })

  it('refetches on an unknown kid at most once per cooldown', async () => {
    const key = await issuer.addKey('RS256')
    const verifier = remote()
    await verifier.verify(await key.sign(claims()))
    const stranger = await key.sign(claims(), { kid: 'nobody' })
    await expectUnknownKey(verifier.verify(stranger))
    await expectUnknownKey(verifier.verify(stranger))
    clock += 29
    await expectUnknownKey(verifier.verify(stranger))
    expect(issuer.hitsOf('/jwks.json')).toBe(1)
    clock += 1
    await expectUnknownKey(verifier.verify(stranger))
    expect(issuer.hitsOf('/jwks.json')).toBe(2)
  })

  it('rotates: a new key verifies as soon as it is served, the old one until it leaves the set', async () => {
    const old = await issuer.addKey('RS256')
    const verifier = remote()
    const oldToken = await old.sign(claims())
    await verifier.verify(oldToken)
    clock += 60
    const next = await issuer.addKey('RS256') // published next to the old key
    expect((await verifier.verify(await next.sign(claims()))).subject).toBe('ada')
    expect(issuer.hitsOf('/jwks.json')).toBe(2)
    issuer.publish(next.kid) // the old key is retired
    expect((await verifier.verify(oldToken)).subject).toBe('ada') // the cached set still has it
    clock += 600 // the set is due again: it still answers while it is fetched in the background
    expect((await verifier.verify(oldToken)).subject).toBe('ada')
    await vi.waitFor(() => expectUnknownKey(verifier.verify(oldToken)))
    expect(issuer.hitsOf('/jwks.json')).toBe(3)
    expect((await verifier.verify(await next.sign(claims()))).subject).toBe('ada')
  })

  it('keeps the last good set when a refetch fails, and answers 503 for keys it cannot know', async () => {
    const key = await issuer.addKey('ES256')
    const token = await key.sign(claims())
    const verifier = remote()
    await verifier.verify(token)
    for (const mode of ['error', 'garbage', 'huge', 'redirect', 'hang'] as const) {
      issuer.mode = mode
      clock += 700
      expect((await verifier.verify(token)).subject, mode).toBe('ada')
      // A kid the stale set lacks may be a new key the issuer cannot tell us about: retry later.
      await expectUnavailable(verifier.verify(await key.sign(claims(), { kid: 'new' })), 30)
    }
    expect(issuer.hitsOf('/jwks.json')).toBe(6)
    issuer.mode = 'ok'
    clock += 30
    await expectUnknownKey(verifier.verify(await key.sign(claims(), { kid: 'new' })))
  })

  it.each(['hang', 'huge', 'error', 'garbage', 'redirect'] as const)(
    'answers 503 with Retry-After when the first fetch fails (%s), and recovers',
    async (mode) => {
      const key = await issuer.addKey('RS256')
      issuer.mode = mode
      const verifier = remote({ remote: { timeout: 300, maxBytes: 64 * 1024 } })
      const token = await key.sign(claims())
      const started = performance.now()
      await expectUnavailable(verifier.verify(token), 30)
      if (mode === 'hang') expect(performance.now() - started).toBeLessThan(5000)
      clock += 10
      await expectUnavailable(verifier.verify(token), 20)
      expect(issuer.hitsOf('/jwks.json')).toBe(1)
      issuer.mode = 'ok'
      clock += 20
      expect((await verifier.verify(token)).subject).toBe('ada')
    },
  )

  it('skips keys of a fetched set it cannot use instead of refusing the set', async () => {
    const good = await issuer.addKey('RS256')
    const leaked = await issuer.addKey('ES256', { kid: 'private', jwk: { d: 'secret-material' } })
    const encryption = await issuer.addKey('ES256', { kid: 'enc', jwk: { use: 'enc' } })
    const verifier = remote()
    expect((await verifier.verify(await good.sign(claims()))).subject).toBe('ada')
    expect(issuer.jwks().keys).toHaveLength(3)
    await expectUnknownKey(verifier.verify(await leaked.sign(claims())))
    await expectUnknownKey(verifier.verify(await encryption.sign(claims())))
  })
})

describe('discovery from the issuer', () => {
  let tenant: TestIssuer
  afterAll(() => tenant?.close())

  const discovered = (at: TestIssuer, options: Partial<JWTVerifierOptions> = {}) =>
    createJWTVerifier({
      issuer: at.issuer,
      audience: AUDIENCE,
      now: () => clock,
      ...options,
      remote: { timeout: 1000, ...options.remote },
    })

  it('reads jwks_uri from RFC 8414 metadata, inserting the well-known segment before the path', async () => {
    tenant = await startTestIssuer('/tenants/acme')
    const key = await tenant.addKey('PS256')
    const token = await key.sign({ ...claims(), iss: tenant.issuer })
    const verifier = discovered(tenant)
    expect((await verifier.verify(token)).subject).toBe('ada')
    expect(tenant.hitsOf('/.well-known/oauth-authorization-server/tenants/acme')).toBe(1)
    expect(tenant.hitsOf('/tenants/acme/.well-known/openid-configuration')).toBe(0)
    expect(tenant.hitsOf('/jwks.json')).toBe(1)
  })

  it('falls back to OpenID Connect discovery', async () => {
    issuer.metadata.oauth = false
    const key = await issuer.addKey('ES384')
    expect((await discovered(issuer).verify(await key.sign(claims()))).subject).toBe('ada')
    expect(issuer.hitsOf('/.well-known/openid-configuration')).toBe(1)
  })

  it('refuses metadata naming another issuer or an insecure jwks_uri, retrying after the cooldown', async () => {
    const key = await issuer.addKey('RS256')
    const token = await key.sign(claims())
    issuer.metadata.issuer = 'https://evil.example'
    const verifier = discovered(issuer)
    // Fetched, but unusable: a set-up mistake (a 500, logged), not an outage to retry (503).
    const expectMismatch = async (named: string) => {
      const error = await refusal(verifier.verify(token))
      expect(error).toBeInstanceOf(Error)
      expect(error).not.toBeInstanceOf(KeySourceUnavailableError)
      expect(error).not.toBeInstanceOf(InvalidTokenError)
      expect((error as Error).name).toBe('IssuerMetadataMismatchError')
      expect((error as Error).message).toContain(named)
    }
    await expectMismatch('names the issuer "https://evil.example"')
    await expectMismatch('names the issuer "https://evil.example"')
    expect(issuer.hitsOf('/.well-known/oauth-authorization-server')).toBe(1)
    issuer.metadata.issuer = undefined
    issuer.metadata.jwksUri = 'http://keys.example/jwks.json'
    clock += 30
    await expectMismatch('unusable jwks_uri')
    expect(issuer.hitsOf('/.well-known/oauth-authorization-server')).toBe(2)
    issuer.metadata.jwksUri = undefined
    clock += 30
    expect((await verifier.verify(token)).subject).toBe('ada')
    expect(issuer.hitsOf('/jwks.json')).toBe(1)
  })
})
