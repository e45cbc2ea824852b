import { ServiceUnavailableError } from 'gatehouse'
import type {
  AuthorizationCodeRecord,
  AuthorizationServerStore,
  ClientRecord,
  ConsentRecord,
  KeyRecord,
  RefreshTokenRecord,
  TokenFamilyRecord,
  UserRecord,
} from 'gatehouse/authorization-server'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'

/** Opens a fresh, empty store; the suite closes it after each test. */
export type StoreFactory = () => Promise<AuthorizationServerStore>

const NOW = 1_800_000_000

export const user = (id: string, changes: Partial<UserRecord> = {}): UserRecord => ({
  id,
  username: `name-${id}`,
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  scopes: ['read', 'write'],
  disabled: false,
  createdAt: NOW,
  ...changes,
})

export const client = (id: string, changes: Partial<ClientRecord> = {}): ClientRecord => ({
  id,
  secretHash: `hash-of-${id}`,
  name: `Client ${id}`,
  grantTypes: ['authorization_code', 'refresh_token'],
  redirectUris: ['https://app.example/callback', 'http://127.0.0.1:9/cb?x=1'],
  scopes: ['read'],
  createdAt: NOW,
  ...changes,
})

export const family = (
  id: string,
  changes: Partial<TokenFamilyRecord> = {},
): TokenFamilyRecord => ({
  id,
  clientId: 'app',
  subject: 'u1',
  scopes: ['read'],
  resources: ['https://api.example/'],
  createdAt: NOW,
  expiresAt: NOW + 3600,
  revokedAt: null,
  ...changes,
})

export const refresh = (
  hash: string,
  familyId: string,
  changes: Partial<RefreshTokenRecord> = {},
): RefreshTokenRecord => ({
  hash,
  familyId,
  issuedAt: NOW,
  expiresAt: NOW + 600,
  usedAt: null,
  replacedBy: null,
  ...changes,
})

export const code = (
  hash: string,
  changes: Partial<AuthorizationCodeRecord> = {},
): AuthorizationCodeRecord => ({
  hash,
  clientId: 'app',
  subject: 'u1',
  redirectUri: 'https://app.example/callback',
  scopes: ['read', 'write'],
  resources: [],
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  createdAt: NOW,
  expiresAt: NOW + 60,
  usedAt: null,
  familyId: null,
  ...changes,
})

export const key = (kid: string, changes: Partial<KeyRecord> = {}): KeyRecord => ({
  kid,
  purpose: 'signing',
  algorithm: 'EdDSA',
  privateJWK: JSON.stringify({ kty: 'OKP', crv: 'Ed25519', d: 'private', x: 'public' }),
  publicJWK: JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'public' }),
  createdAt: NOW,
  retiredAt: null,
  expiresAt: null,
  ...changes,
})

/**
 * The behaviour every store must have, written once over a store factory: each backend's test
 * file calls this with its own factory (memory, SQLite, and PostgreSQL next).
 */
export function describeStore(name: string, open: StoreFactory): void {
  describe(`${name} store`, () => {
    let store: AuthorizationServerStore
    beforeEach(async () => {
      store = await open()
    })
    afterEach(async () => {
      await store.close()
    })

    test('closing lets the calls under way finish, then refuses the next ones with a 503', async () => {
      const calls = [
        store.findUserByUsername('nobody'),
        store.isAccessTokenRevoked('jti-1', undefined),
        store.listClients(),
      ]
      const closing = store.close()
      // Closed twice while the calls run (a shutdown hook and the app's own): both settle.
      const again = store.close()
      await expect(Promise.all(calls)).resolves.toEqual([undefined, false, []])
      await Promise.all([closing, again])
      const after = store.revokeAccessToken('jti-1', NOW + 60)
      await expect(after).rejects.toBeInstanceOf(ServiceUnavailableError)
      await expect(after).rejects.toThrow('The database is closed')
      // afterEach closes it again: harmless.
    })

    describe('users', () => {
      test('are found by id and by username, with every field as stored', async () => {
        const ada = user('u1', { username: 'ada', passwordHash: null, scopes: [], disabled: true })
        expect(await store.createUser(ada)).toBe(true)
        expect(await store.findUserById('u1')).toEqual(ada)
        expect(await store.findUserByUsername('ada')).toEqual(ada)
        expect(await store.findUserById('nobody')).toBeUndefined()
        expect(await store.findUserByUsername('ADA')).toBeUndefined()
      })

      test('a taken id or username is refused and changes nothing', async () => {
        await store.createUser(user('u1', { username: 'ada' }))
        expect(await store.createUser(user('u1', { username: 'bob' }))).toBe(false)
        expect(await store.createUser(user('u2', { username: 'ada' }))).toBe(false)
        expect((await store.listUsers()).map((u) => u.id)).toEqual(['u1'])
      })

      test('updates change only the given fields', async () => {
        await store.createUser(user('u1'))
        expect(await store.updateUser('u1', { passwordHash: 'new-hash' })).toBe(true)
        expect(await store.updateUser('u1', { scopes: ['read'], disabled: true })).toBe(true)
        expect(await store.findUserById('u1')).toEqual(
          user('u1', { passwordHash: 'new-hash', scopes: ['read'], disabled: true }),
        )
        expect(await store.updateUser('nobody', { disabled: true })).toBe(false)
        expect(await store.updateUser('nobody', {})).toBe(false)
        expect(await store.updateUser('u1', {})).toBe(true)
      })

      test('are listed by username', async () => {
        await store.createUser(user('u1', { username: 'carol' }))
        await store.createUser(user('u2', { username: 'ada' }))
        await store.createUser(user('u3', { username: 'bob' }))
        expect((await store.listUsers()).map((u) => u.username)).toEqual(['ada', 'bob', 'carol'])
      })

      test('passwordHashSamples gives a hash of each kind, bcrypt never crowded out', async () => {
        expect(await store.passwordHashSamples?.()).toEqual([])
        const salted = (prefix: string, n: number) =>
          `${prefix}${String(n).padStart(22, 'x')}${'h'.repeat(31)}`
        // Ten bcrypt users of cost 12, two of cost 10, five default Argon2id users (which the
        // hasher knows anyway), one without a hash, and 150 Argon2i hashes of older, shorter
        // parameters: their groups take in salt, and must not push bcrypt out.
        for (let n = 0; n < 10; n++)
          await store.createUser(user(`b${n}`, { passwordHash: salted('$2b$12$', n) }))
        for (let n = 0; n < 2; n++)
          await store.createUser(user(`c${n}`, { passwordHash: salted('$2b$10$', n) }))
        for (let n = 0; n < 5; n++)
          await store.createUser(
            user(`a${n}`, { passwordHash: `$argon2id$v=19$m=19456,t=2,p=1$salt${n}$hash${n}` }),
          )
        for (let n = 0; n < 150; n++)
          await store.createUser(
            user(`i${n}`, {
              passwordHash: `$argon2i$v=19$m=4096,t=3,p=1$${n.toString(36).padStart(3, '0')}salt$hash`,
            }),
          )
        await store.createUser(user('none', { passwordHash: null }))
        const samples = (await store.passwordHashSamples?.()) ?? []
        const kinds = new Set(
          samples.map((hash) => (hash.startsWith('$2') ? hash.slice(0, 7) : hash.split('$')[3])),
        )
        expect(kinds.has('$2b$12$')).toBe(true)
        expect(kinds.has('$2b$10$')).toBe(true)
        expect(kinds.has('m=4096,t=3,p=1')).toBe(true)
        // The default kind too: an app whose hasher is cheaper must learn of it.
        expect(kinds.has('m=19456,t=2,p=1')).toBe(true)
      })

      test('returned records are copies', async () => {
        await store.createUser(user('u1'))
        const found = (await store.findUserById('u1')) as unknown as { scopes: string[] }
        found.scopes.push('admin')
        expect((await store.findUserById('u1'))?.scopes).toEqual(['read', 'write'])
      })
    })

    describe('clients', () => {
      test('keep their lists and a public client has no secret hash', async () => {
        const app = client('app')
        const spa = client('spa', { secretHash: null, name: null, redirectUris: [], scopes: [] })
        expect(await store.createClient(app)).toBe(true)
        expect(await store.createClient(spa)).toBe(true)
        expect(await store.findClient('app')).toEqual(app)
        expect(await store.findClient('spa')).toEqual(spa)
        expect(await store.findClient('other')).toBeUndefined()
        expect(await store.createClient(client('app', { name: 'again' }))).toBe(false)
        expect((await store.listClients()).map((c) => c.id)).toEqual(['app', 'spa'])
        expect((await store.findClient('app'))?.name).toBe('Client app')
      })

      test('remember the way a client registered to send its secret', async () => {
        const post = { ...client('post'), tokenEndpointAuthMethod: 'client_secret_post' as const }
        const basic = {
          ...client('basic'),
          tokenEndpointAuthMethod: 'client_secret_basic' as const,
        }
        expect(await store.createClient(post)).toBe(true)
        expect(await store.createClient(basic)).toBe(true)
        expect(await store.createClient(client('either'))).toBe(true)
        expect(await store.findClient('post')).toEqual(post)
        expect(await store.findClient('basic')).toEqual(basic)
        expect((await store.findClient('either'))?.tokenEndpointAuthMethod).toBeUndefined()
      })

      test('remember which clients registered themselves', async () => {
        const own = { ...client('own'), selfRegistered: true }
        expect(await store.createClient(own)).toBe(true)
        expect(await store.createClient(client('made'))).toBe(true)
        expect(await store.findClient('own')).toEqual(own)
        expect((await store.findClient('made'))?.selfRegistered).toBeUndefined()
        const listed = await store.listClients()
        expect(listed.map((c) => [c.id, c.selfRegistered === true])).toEqual([
          ['made', false],
          ['own', true],
        ])
      })
    })

    describe('refresh-token families', () => {
      beforeEach(async () => {
        await store.createFamily(family('f1'), refresh('r1', 'f1'))
      })

      test('a family and its first token are found by the token hash', async () => {
        expect(await store.findRefreshToken('r1')).toEqual({
          token: refresh('r1', 'f1'),
          family: family('f1'),
        })
        expect(await store.findRefreshToken('r0')).toBeUndefined()
      })

      test('a family may start without a refresh token', async () => {
        await store.createFamily(family('f2'))
        expect(await store.isAccessTokenRevoked('jti', 'f2')).toBe(false)
        await store.revokeFamily('f2', NOW)
        expect(await store.isAccessTokenRevoked('jti', 'f2')).toBe(true)
      })

      test('rotation uses the token once and makes its successor current', async () => {
        const next = { hash: 'r2', expiresAt: NOW + 900 }
        expect(
          await store.rotateRefreshToken({ hash: 'r1', next, now: NOW + 10, graceSeconds: 0 }),
        ).toEqual({ outcome: 'rotated', family: family('f1') })
        const old = await store.findRefreshToken('r1')
        expect(old?.token).toMatchObject({ usedAt: NOW + 10, replacedBy: 'r2' })
        // The used token is kept until its family ends, to catch late replays.
        expect(old?.token.expiresAt).toBe(NOW + 3600)
        expect((await store.findRefreshToken('r2'))?.token).toEqual(
          refresh('r2', 'f1', { issuedAt: NOW + 10, expiresAt: NOW + 900 }),
        )
        expect(
          await store.rotateRefreshToken({
            hash: 'r2',
            next: { hash: 'r3', expiresAt: NOW + 900 },
            now: NOW + 20,
            graceSeconds: 0,
          }),
        ).toMatchObject({ outcome: 'rotated' })
      })

      test('reuse of a rotated token revokes the whole family', async () => {
        const rotate = (hash: string, next: string, now: number) =>
          store.rotateRefreshToken({
            hash,
            next: { hash: next, expiresAt: NOW + 900 },
            now,
            graceSeconds: 0,
          })
        await rotate('r1', 'r2', NOW + 1)
        expect(await rotate('r1', 'rX', NOW + 2)).toEqual({ outcome: 'reused', familyId: 'f1' })
        expect((await store.findRefreshToken('r2'))?.family.revokedAt).toBe(NOW + 2)
        expect(await rotate('r2', 'r3', NOW + 3)).toEqual({ outcome: 'invalid' })
        expect(await store.isAccessTokenRevoked('any-jti', 'f1')).toBe(true)
        expect(await store.findRefreshToken('rX')).toBeUndefined()
      })

      test('a late replay, after the used token itself would have expired, still revokes', async () => {
        await store.rotateRefreshToken({
          hash: 'r1',
          next: { hash: 'r2', expiresAt: NOW + 3000 },
          now: NOW + 1,
          graceSeconds: 0,
        })
        const replay = await store.rotateRefreshToken({
          hash: 'r1',
          next: { hash: 'rX', expiresAt: NOW + 3000 },
          now: NOW + 1000,
          graceSeconds: 0,
        })
        expect(replay).toEqual({ outcome: 'reused', familyId: 'f1' })
      })

      test('within the grace window a retry gets the same successor, and nothing changes', async () => {
        const next = { hash: 'r2', expiresAt: NOW + 900 }
        await store.rotateRefreshToken({ hash: 'r1', next, now: NOW, graceSeconds: 5 })
        expect(
          await store.rotateRefreshToken({
            hash: 'r1',
            next: { hash: 'r2-again', expiresAt: NOW + 905 },
            now: NOW + 5,
            graceSeconds: 5,
          }),
        ).toEqual({ outcome: 'retried', family: family('f1'), successor: 'r2' })
        expect(await store.findRefreshToken('r2-again')).toBeUndefined()
        expect((await store.findRefreshToken('r2'))?.token.usedAt).toBeNull()
        expect((await store.findRefreshToken('r1'))?.family.revokedAt).toBeNull()
      })

      test('after the grace window, or once the successor was used, a retry is reuse', async () => {
        await store.createFamily(family('f2'), refresh('s1', 'f2'))
        const rotate = (hash: string, next: string, now: number) =>
          store.rotateRefreshToken({
            hash,
            next: { hash: next, expiresAt: NOW + 900 },
            now,
            graceSeconds: 5,
          })
        await rotate('r1', 'r2', NOW)
        expect(await rotate('r1', 'rX', NOW + 6)).toMatchObject({ outcome: 'reused' })
        await rotate('s1', 's2', NOW)
        await rotate('s2', 's3', NOW + 1)
        expect(await rotate('s1', 'sX', NOW + 2)).toEqual({ outcome: 'reused', familyId: 'f2' })
      })

      test('unknown, expired, revoked and ended tokens are invalid and change nothing', async () => {
        await store.createFamily(family('f2', { revokedAt: NOW - 1 }), refresh('s1', 'f2'))
        await store.createFamily(family('f3', { expiresAt: NOW + 5 }), refresh('t1', 'f3'))
        const attempt = (hash: string, now = NOW) =>
          store.rotateRefreshToken({
            hash,
            next: { hash: `${hash}-next`, expiresAt: NOW + 900 },
            now,
            graceSeconds: 0,
          })
        expect(await attempt('nope')).toEqual({ outcome: 'invalid' })
        expect(await attempt('r1', NOW + 600)).toEqual({ outcome: 'invalid' })
        expect(await attempt('s1')).toEqual({ outcome: 'invalid' })
        expect(await attempt('t1', NOW + 5)).toEqual({ outcome: 'invalid' })
        expect((await store.findRefreshToken('r1'))?.token.usedAt).toBeNull()
        expect(await store.findRefreshToken('r1-next')).toBeUndefined()
      })

      test('of many concurrent rotations of one token exactly one wins', async () => {
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            store.rotateRefreshToken({
              hash: 'r1',
              next: { hash: `next-${i}`, expiresAt: NOW + 900 },
              now: NOW + 1,
              graceSeconds: 0,
            }),
          ),
        )
        expect(results.filter((r) => r.outcome === 'rotated')).toHaveLength(1)
        // The second revokes the family; those after it find it revoked.
        expect(results.filter((r) => r.outcome === 'reused')).toHaveLength(1)
        expect(results.filter((r) => r.outcome === 'invalid')).toHaveLength(10)
        expect((await store.findRefreshToken('r1'))?.family.revokedAt).toBe(NOW + 1)
      })

      test('revoking a family is idempotent and keeps the first time', async () => {
        await store.revokeFamily('f1', NOW + 1)
        await store.revokeFamily('f1', NOW + 2)
        await store.revokeFamily('no-such-family', NOW + 2)
        expect((await store.findRefreshToken('r1'))?.family.revokedAt).toBe(NOW + 1)
      })
    })

    describe('authorization codes', () => {
      const redeem = (hash: string, familyId: string, now = NOW + 1) =>
        store.redeemCode({
          hash,
          now,
          family: family(familyId, { createdAt: now }),
          refreshToken: refresh(`${familyId}-r1`, familyId, { issuedAt: now }),
        })

      test('are stored and found by hash', async () => {
        await store.createCode(code('c1'))
        expect(await store.findCode('c1')).toEqual(code('c1'))
        expect(await store.findCode('c2')).toBeUndefined()
      })

      test('the first redemption creates the family and its refresh token', async () => {
        await store.createCode(code('c1'))
        expect(await redeem('c1', 'f1')).toEqual({ outcome: 'redeemed' })
        expect(await store.findCode('c1')).toMatchObject({
          usedAt: NOW + 1,
          familyId: 'f1',
          expiresAt: NOW + 3600,
        })
        expect((await store.findRefreshToken('f1-r1'))?.family).toEqual(
          family('f1', { createdAt: NOW + 1 }),
        )
      })

      test('a second redemption revokes what the first produced, even after the code expired', async () => {
        await store.createCode(code('c1'))
        await redeem('c1', 'f1')
        expect(await redeem('c1', 'f2', NOW + 120)).toEqual({ outcome: 'reused', familyId: 'f1' })
        expect(await store.isAccessTokenRevoked('jti', 'f1')).toBe(true)
        expect(await store.findRefreshToken('f2-r1')).toBeUndefined()
        expect(
          await store.rotateRefreshToken({
            hash: 'f1-r1',
            next: { hash: 'f1-r2', expiresAt: NOW + 900 },
            now: NOW + 121,
            graceSeconds: 0,
          }),
        ).toEqual({ outcome: 'invalid' })
      })

      test('unknown and expired codes are invalid and create nothing', async () => {
        await store.createCode(code('c1'))
        expect(await redeem('c0', 'f0')).toEqual({ outcome: 'invalid' })
        expect(await redeem('c1', 'f1', NOW + 60)).toEqual({ outcome: 'invalid' })
        expect(await store.findRefreshToken('f1-r1')).toBeUndefined()
        expect((await store.findCode('c1'))?.usedAt).toBeNull()
      })

      test('of many concurrent redemptions of one code exactly one wins', async () => {
        await store.createCode(code('c1'))
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) => redeem('c1', `f${i}`)),
        )
        expect(results.filter((r) => r.outcome === 'redeemed')).toHaveLength(1)
        expect(results.filter((r) => r.outcome === 'reused')).toHaveLength(11)
      })
    })

    describe('revoked access tokens', () => {
      test('are remembered until they expire, idempotently', async () => {
        expect(await store.isAccessTokenRevoked('j1')).toBe(false)
        await store.revokeAccessToken('j1', NOW + 60)
        await store.revokeAccessToken('j1', NOW + 60)
        expect(await store.isAccessTokenRevoked('j1')).toBe(true)
        expect(await store.isAccessTokenRevoked('j2')).toBe(false)
        expect(await store.isAccessTokenRevoked('j2', 'no-family')).toBe(false)
        await store.purgeExpired(NOW + 60)
        expect(await store.isAccessTokenRevoked('j1')).toBe(false)
      })
    })

    describe('throttle counters', () => {
      test('count failures within the window and start again after it', async () => {
        expect(await store.readThrottle('k', NOW)).toBeUndefined()
        expect(await store.recordFailure('k', NOW, 60)).toEqual({
          key: 'k',
          failures: 1,
          lastFailureAt: NOW,
          expiresAt: NOW + 60,
        })
        expect((await store.recordFailure('k', NOW + 10, 60)).failures).toBe(2)
        expect(await store.readThrottle('k', NOW + 69)).toMatchObject({
          failures: 2,
          lastFailureAt: NOW + 10,
        })
        expect(await store.readThrottle('k', NOW + 70)).toBeUndefined()
        expect((await store.recordFailure('k', NOW + 70, 60)).failures).toBe(1)
      })

      test('are cleared, and keys are independent', async () => {
        await store.recordFailure('a', NOW, 60)
        await store.recordFailure('b', NOW, 60)
        await store.clearThrottle('a')
        expect(await store.readThrottle('a', NOW)).toBeUndefined()
        expect((await store.readThrottle('b', NOW))?.failures).toBe(1)
      })

      test('concurrent failures are all counted', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.recordFailure('k', NOW, 60)),
        )
        expect(results.map((r) => r.failures).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 20 }, (_, i) => i + 1),
        )
      })
    })

    describe('keys', () => {
      test('only one active key per purpose is ever added', async () => {
        expect(await store.addKeyIfNoneActive(key('k1'))).toBe(true)
        expect(await store.addKeyIfNoneActive(key('k2'))).toBe(false)
        const hashing = key('h1', { purpose: 'hashing', algorithm: 'HMAC-SHA256', publicJWK: null })
        expect(await store.addKeyIfNoneActive(hashing)).toBe(true)
        expect(await store.listKeys()).toEqual([hashing, key('k1')])
      })

      test('concurrent first starts agree on one key', async () => {
        const added = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.addKeyIfNoneActive(key(`k${i}`))),
        )
        expect(added.filter(Boolean)).toHaveLength(1)
        expect(await store.listKeys()).toHaveLength(1)
      })

      test('rotation retires the active key and adds the next, unless it was rotated already', async () => {
        await store.addKeyIfNoneActive(key('k1'))
        const retire = { kid: 'k1', retiredAt: NOW + 10, expiresAt: NOW + 1000 }
        const next = key('k2', { createdAt: NOW + 10 })
        expect(await store.rotateKey({ purpose: 'signing', retire, next })).toBe(true)
        expect(
          await store.rotateKey({
            purpose: 'signing',
            retire,
            next: key('k3', { createdAt: NOW + 11 }),
          }),
        ).toBe(false)
        expect(await store.listKeys()).toEqual([
          key('k1', { retiredAt: NOW + 10, expiresAt: NOW + 1000 }),
          next,
        ])
        expect(await store.addKeyIfNoneActive(key('k4', { createdAt: NOW + 12 }))).toBe(false)
      })

      test('a key retired in the second it was made still lists before its successor', async () => {
        // The successor's kid sorts first, so only the retirement orders them.
        await store.addKeyIfNoneActive(key('k9'))
        const retire = { kid: 'k9', retiredAt: NOW, expiresAt: NOW + 1000 }
        expect(await store.rotateKey({ purpose: 'signing', retire, next: key('k1') })).toBe(true)
        expect((await store.listKeys()).map((k) => k.kid)).toEqual(['k9', 'k1'])
      })
    })

    describe('consents', () => {
      const consent = (
        subject: string,
        clientId: string,
        changes: Partial<ConsentRecord> = {},
      ) => ({
        subject,
        clientId,
        scopes: ['read', 'write'],
        createdAt: NOW,
        expiresAt: NOW + 100,
        ...changes,
      })

      test('are found per user and client until they expire', async () => {
        await store.saveConsent(consent('u1', 'app'))
        expect(await store.findConsent('u1', 'app', NOW)).toEqual(consent('u1', 'app'))
        expect(await store.findConsent('u1', 'app', NOW + 100)).toBeUndefined()
        expect(await store.findConsent('u2', 'app', NOW)).toBeUndefined()
        expect(await store.findConsent('u1', 'other', NOW)).toBeUndefined()
      })

      test('a new consent replaces the earlier one, and deleting forgets it', async () => {
        await store.saveConsent(consent('u1', 'app'))
        await store.saveConsent(consent('u1', 'other', { scopes: [] }))
        const next = consent('u1', 'app', {
          scopes: ['read'],
          createdAt: NOW + 5,
          expiresAt: NOW + 500,
        })
        await store.saveConsent(next)
        expect(await store.findConsent('u1', 'app', NOW + 200)).toEqual(next)
        await store.deleteConsent('u1', 'app')
        await store.deleteConsent('u1', 'app')
        expect(await store.findConsent('u1', 'app', NOW)).toBeUndefined()
        expect(await store.findConsent('u1', 'other', NOW)).toEqual(
          consent('u1', 'other', { scopes: [] }),
        )
      })
    })

    test('purgeExpired removes what ended and keeps the rest', async () => {
      await store.createFamily(
        family('old', { expiresAt: NOW + 10 }),
        refresh('old-r', 'old', { expiresAt: NOW + 10 }),
      )
      await store.createFamily(family('live'), refresh('live-r', 'live'))
      await store.createCode(code('c-old', { expiresAt: NOW + 10 }))
      await store.createCode(code('c-live'))
      await store.revokeAccessToken('j-old', NOW + 10)
      await store.revokeAccessToken('j-live', NOW + 100)
      await store.recordFailure('t-old', NOW, 10)
      await store.recordFailure('t-live', NOW, 100)
      await store.addKeyIfNoneActive(key('k1'))
      await store.rotateKey({
        purpose: 'signing',
        retire: { kid: 'k1', retiredAt: NOW, expiresAt: NOW + 10 },
        next: key('k2'),
      })
      const consent = { clientId: 'app', scopes: ['read'], createdAt: NOW }
      await store.saveConsent({ ...consent, subject: 'old', expiresAt: NOW + 10 })
      await store.saveConsent({ ...consent, subject: 'live', expiresAt: NOW + 100 })
      expect(await store.purgeExpired(NOW + 10)).toEqual({
        families: 1,
        refreshTokens: 1,
        codes: 1,
        revokedTokens: 1,
        throttles: 1,
        keys: 1,
        consents: 1,
      })
      expect(await store.findRefreshToken('old-r')).toBeUndefined()
      expect(await store.findRefreshToken('live-r')).toBeDefined()
      expect(await store.findCode('c-live')).toBeDefined()
      expect(await store.isAccessTokenRevoked('j-live')).toBe(true)
      expect(await store.readThrottle('t-live', NOW + 10)).toBeDefined()
      expect((await store.listKeys()).map((k) => k.kid)).toEqual(['k2'])
      expect(await store.findConsent('live', 'app', NOW + 10)).toBeDefined()
    })
  })
}
