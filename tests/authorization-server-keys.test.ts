import { Gatehouse } from 'gatehouse'
import {
  type AuthorizationServerOptions,
  createAuthorizationServer,
} from 'gatehouse/authorization-server'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { afterEach, describe, expect, test } from 'vitest'
import {
  basic,
  bearer,
  type Fixture,
  headerOf,
  ISSUER,
  matrix,
  openFixture,
  postForm,
} from './helpers/authorization-server.js'

describe.each(matrix)('metadata, JWKS and signing keys ($name)', ({ transport, store }) => {
  let f: Fixture
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })

  const token = async () => {
    const response = await postForm(
      f.send,
      '/token',
      { grant_type: 'client_credentials' },
      { authorization: basic('service', f.secrets.service) },
    )
    return ((await response.json()) as { access_token: string }).access_token
  }
  /** Another server on the fixture's store and clock, as a second instance or a restart is. */
  const sameStore = (keys?: AuthorizationServerOptions['keys']) =>
    createAuthorizationServer({
      issuer: ISSUER,
      store: f.store,
      scopes: { read: 'Read' },
      ...(keys === undefined ? {} : { keys }),
      now: f.clock.now,
    })
  const jwks = async () => {
    const response = await f.send('/.well-known/jwks.json')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/jwk-set+json')
    return (await response.json()) as { keys: Record<string, unknown>[] }
  }

  test('RFC 8414 metadata names every endpoint, grant, method and scope', async () => {
    f = await openFixture(transport, store)
    const response = await f.send('/.well-known/oauth-authorization-server')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/authorize`,
      token_endpoint: `${ISSUER}/token`,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      scopes_supported: ['read', 'write', 'admin'],
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: [
        'authorization_code',
        'client_credentials',
        'password',
        'refresh_token',
      ],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      revocation_endpoint: `${ISSUER}/revoke`,
      revocation_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'none',
      ],
      introspection_endpoint: `${ISSUER}/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
    })
    expect(f.server.metadata.issuer).toBe(ISSUER)
  })

  test('an issuer with a path serves under it, metadata at the RFC 8414 §3.1 location', async () => {
    f = await openFixture(transport, store, { issuer: `${ISSUER}/tenant/a` })
    const metadata = await (await f.send('/.well-known/oauth-authorization-server/tenant/a')).json()
    expect(metadata.token_endpoint).toBe(`${ISSUER}/tenant/a/token`)
    const response = await postForm(
      f.send,
      '/tenant/a/token',
      { grant_type: 'client_credentials' },
      { authorization: basic('service', f.secrets.service) },
    )
    expect(response.status).toBe(200)
    expect((await f.send('/tenant/a/.well-known/jwks.json')).status).toBe(200)
  })

  test('an issuer with a trailing slash is kept as given; endpoint URLs have no double slash', async () => {
    const issuer = `${ISSUER}/`
    f = await openFixture(transport, store, { issuer })
    expect(f.server.issuer).toBe(issuer)
    const metadata = await (await f.send('/.well-known/oauth-authorization-server')).json()
    expect(metadata.issuer).toBe(issuer)
    expect(metadata.token_endpoint).toBe(`${ISSUER}/token`)
    expect(metadata.jwks_uri).toBe(`${ISSUER}/.well-known/jwks.json`)
    const accessToken = await token()
    // A resource server configured with the same string finds it in `iss` (RFC 8414 §3.3).
    const { payload } = await jwtVerify(accessToken, createLocalJWKSet((await jwks()) as never), {
      issuer,
      audience: issuer,
      currentDate: new Date(f.clock.now() * 1000),
    })
    expect(payload.iss).toBe(issuer)
    expect((await f.send('/api/read', bearer(accessToken))).status).toBe(200)
  })

  test.each(['EdDSA', 'ES256', 'RS256'] as const)(
    '%s tokens carry a kid and verify against the published JWKS alone',
    async (algorithm) => {
      f = await openFixture(transport, store, { keys: { algorithm } })
      const accessToken = await token()
      const set = await jwks()
      expect(set.keys).toHaveLength(1)
      const [key] = set.keys
      expect(key).toMatchObject({ alg: algorithm, use: 'sig', kid: headerOf(accessToken).kid })
      expect(key).not.toHaveProperty('d')
      expect(key).not.toHaveProperty('p')
      const { payload, protectedHeader } = await jwtVerify(
        accessToken,
        createLocalJWKSet(set as never),
        {
          issuer: ISSUER,
          audience: ISSUER,
          typ: 'at+jwt',
          currentDate: new Date(f.clock.now() * 1000),
        },
      )
      expect(protectedHeader.alg).toBe(algorithm)
      expect(payload.client_id).toBe('service')
    },
  )

  test('HS256 with a configured secret: a kid, nothing published, the API accepts it', async () => {
    f = await openFixture(transport, store, {
      keys: { algorithm: 'HS256', secret: 'a-tutorial-secret-of-at-least-32-bytes!' },
    })
    const accessToken = await token()
    expect(headerOf(accessToken)).toEqual({
      alg: 'HS256',
      kid: expect.stringMatching(/^hs256-/),
      typ: 'at+jwt',
    })
    expect((await jwks()).keys).toEqual([])
    expect((await f.send('/api/read', bearer(accessToken))).status).toBe(200)
    const { payload } = await jwtVerify(
      accessToken,
      new TextEncoder().encode('a-tutorial-secret-of-at-least-32-bytes!'),
      { currentDate: new Date(f.clock.now() * 1000) },
    )
    expect(payload.sub).toBe('service')
    await expect(f.server.keys.rotate()).rejects.toThrow(TypeError)
  })

  test('HS256 without a secret: a generated key in the store, never published', async () => {
    f = await openFixture(transport, store, { keys: { algorithm: 'HS256' } })
    const accessToken = await token()
    expect((await jwks()).keys).toEqual([])
    expect((await f.send('/api/read', bearer(accessToken))).status).toBe(200)
  })

  test('rotation: new tokens use the new key, the retired key stays published until its tokens expired', async () => {
    f = await openFixture(transport, store)
    const before = await token()
    const oldKid = headerOf(before).kid
    f.clock.advance(1)
    const rotated = await f.server.keys.rotate()
    expect(rotated).toMatchObject({ active: true, algorithm: 'EdDSA' })
    expect(rotated.kid).not.toBe(oldKid)
    // Published at once, used only two key-refresh intervals (60 s) later: a resource server that
    // fetched another instance's JWKS would not know the new kid yet.
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([oldKid, rotated.kid])
    f.clock.advance(119)
    expect(headerOf(await token()).kid).toBe(oldKid)
    f.clock.advance(1)
    const after = await token()
    expect(headerOf(after).kid).toBe(rotated.kid)
    // Both verify, old and new.
    expect((await f.send('/api/read', bearer(before))).status).toBe(200)
    expect((await f.send('/api/read', bearer(after))).status).toBe(200)
    const list = await f.server.keys.list()
    expect(list.map((k) => [k.kid, k.active])).toEqual([
      [oldKid, false],
      [rotated.kid, true],
    ])
    const retired = list[0]
    // Until the last token it signed (900 s) has expired, with margins for clocks and caches.
    expect((retired?.expiresAt as number) - (retired?.retiredAt as number)).toBeGreaterThanOrEqual(
      900,
    )
    f.clock.advance((retired?.expiresAt as number) - f.clock.now())
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([rotated.kid])
  })

  test('two rotations within two minutes: the young key in between never signs, the old one does until the newest may', async () => {
    f = await openFixture(transport, store)
    const first = headerOf(await token()).kid
    f.clock.advance(200)
    const second = await f.server.keys.rotate()
    f.clock.advance(30)
    const third = await f.server.keys.rotate()
    // The second key is 31 s old: a resource server may hold a JWKS without it and not re-fetch.
    f.clock.advance(1)
    expect(headerOf(await token()).kid).toBe(first)
    f.clock.advance(90)
    // Two minutes old now: every JWKS served a minute ago had it.
    expect(headerOf(await token()).kid).toBe(second.kid)
    f.clock.advance(30)
    expect(headerOf(await token()).kid).toBe(third.kid)
  })

  test('automatic rotation once the active key is rotateAfter seconds old', async () => {
    f = await openFixture(transport, store, { keys: { rotateAfter: 3600 } })
    const first = headerOf(await token()).kid
    f.clock.advance(3599)
    expect(headerOf(await token()).kid).toBe(first)
    f.clock.advance(1)
    // Rotated now, so published now; it signs two key-refresh intervals later.
    expect(headerOf(await token()).kid).toBe(first)
    const [, next] = (await jwks()).keys.map((k) => k.kid)
    expect(next).not.toBe(first)
    f.clock.advance(119)
    expect(headerOf(await token()).kid).toBe(first)
    f.clock.advance(1)
    expect(headerOf(await token()).kid).toBe(next)
  })

  test('a changed algorithm retires the old key at start and publishes both', async () => {
    f = await openFixture(transport, store, { keys: { algorithm: 'ES256' } })
    await token()
    f.clock.advance(1)
    const restarted = sameStore({ algorithm: 'EdDSA' })
    // Loading the keys retired the ES256 key: it stays published while its tokens live.
    const after = await restarted.keys.list()
    expect(after.map((k) => [k.algorithm, k.active])).toEqual([
      ['ES256', false],
      ['EdDSA', true],
    ])
  })

  test('a key of another algorithm put in the store is replaced, and never signs while unpublished', async () => {
    f = await openFixture(transport, store)
    const first = headerOf(await token()).kid
    // What `gatehouse keys rotate --algorithm HS256` does to the store of an EdDSA server.
    const hs256 = sameStore({ algorithm: 'HS256' })
    f.clock.advance(1)
    await hs256.keys.rotate()
    for (const seconds of [60, 30, 30, 30, 30, 30]) {
      f.clock.advance(seconds)
      const header = headerOf(await token())
      expect(header.alg).toBe('EdDSA')
      expect((await jwks()).keys.map((k) => k.kid)).toContain(header.kid)
    }
    const keys = await f.server.keys.list()
    expect(keys.filter((k) => k.active).map((k) => k.algorithm)).toEqual(['EdDSA'])
    expect(headerOf(await token()).kid).not.toBe(first)
  })

  test("two servers on one store agree on the key, and see each other's rotation", async () => {
    f = await openFixture(transport, store)
    const other = sameStore()
    const kid = headerOf(await token()).kid
    expect((await other.keys.list()).map((k) => k.kid)).toEqual([kid])
    const rotated = await other.keys.rotate()
    // The first server re-reads its keys at least every minute, and at once for an unknown kid.
    f.clock.advance(120)
    expect(headerOf(await token()).kid).toBe(rotated.kid)
  })

  test('after a rotation by another process, no instance signs with the new key until every JWKS served 60 s earlier had it', async () => {
    f = await openFixture(transport, store)
    const other = sameStore()
    const oldKid = headerOf(await token()).kid
    f.clock.advance(1)
    // What `gatehouse keys rotate` or another instance does, behind this one's back.
    const otherApp = new Gatehouse({ title: 'Another instance' }).include(other.router)
    const otherJWKS = async () =>
      (
        (await (await otherApp.fetch(new Request(`${ISSUER}/.well-known/jwks.json`))).json()) as {
          keys: { kid: string }[]
        }
      ).keys
    const otherToken = async () => {
      const response = await postForm(
        (path, init) => otherApp.fetch(new Request(`${ISSUER}${path}`, init)),
        '/token',
        { grant_type: 'client_credentials', scope: 'read' },
        { authorization: basic('service', f.secrets.service) },
      )
      const body = await response.json()
      expect(body).toHaveProperty('access_token')
      return (body as { access_token: string }).access_token
    }
    const rotated = await other.keys.rotate()
    let lastWithout = 0
    let firstSigned: number | undefined
    for (let second = 1; second <= 150 && firstSigned === undefined; second++) {
      f.clock.advance(1)
      const served = [(await jwks()).keys, await otherJWKS()]
      if (served.some((keys) => !keys.some((k) => k.kid === rotated.kid))) lastWithout = second
      const kids = [headerOf(await token()).kid, headerOf(await otherToken()).kid]
      if (kids.includes(rotated.kid)) firstSigned = second
      else expect(kids).toEqual([oldKid, oldKid])
    }
    expect(firstSigned).toBeDefined()
    // A resource server holding a JWKS without the kid may re-fetch by then (a 30 s cool-down).
    expect((firstSigned as number) - lastWithout).toBeGreaterThan(30)
  })
})
