import { createPasswordHasher, type PasswordHasher } from 'gatehouse'
import { afterEach, describe, expect, test } from 'vitest'
import {
  basic,
  bearer,
  claimsOf,
  type Fixture,
  matrix,
  openFixture,
  postForm,
  testPasswords,
} from './helpers/authorization-server.js'

describe.each(matrix)('the password grant ($name)', ({ transport, store }) => {
  let f: Fixture
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })

  const login = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    postForm(
      f.send,
      '/token',
      { grant_type: 'password', ...fields },
      {
        authorization: basic('web', f.secrets.web),
        ...headers,
      },
    )

  test('tokens for the user: the requested scopes, a rotating refresh token, sub the user id', async () => {
    f = await openFixture(transport, store)
    const response = await login({ username: 'ada', password: 'ada-password', scope: 'read write' })
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const body = await response.json()
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      scope: 'read write',
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    })
    const claims = claimsOf(body.access_token)
    expect(claims).toMatchObject({ sub: f.users.ada, client_id: 'web', scope: 'read write' })
    expect(claims.grant_id).toEqual(expect.any(String))
    expect((await f.send('/api/write', bearer(body.access_token))).status).toBe(200)
  })

  test('no scope asked: the default, narrowed to what the user may have', async () => {
    f = await openFixture(transport, store, { defaultScopes: ['read', 'write'] })
    const bob = await (await login({ username: 'bob', password: 'bob-password' })).json()
    expect(bob.scope).toBe('read')
    const ada = await (await login({ username: 'ada', password: 'ada-password' })).json()
    expect(ada.scope).toBe('read write')
  })

  test.each([
    ['a scope the user may not have', 'bob', 'write'],
    ['a scope the client may not have', 'ada', 'admin'],
    ['an unknown scope', 'ada', 'root'],
  ])('invalid_scope for %s', async (_, username, scope) => {
    f = await openFixture(transport, store)
    const response = await login({ username, password: `${username}-password`, scope })
    expect(response.status).toBe(400)
    expect((await response.json()).error).toBe('invalid_scope')
  })

  test('an empty request without a configured default is invalid_scope', async () => {
    f = await openFixture(transport, store, { defaultScopes: undefined })
    const response = await login({ username: 'ada', password: 'ada-password' })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: 'invalid_scope',
      error_description: 'The scope parameter is required',
    })
  })

  test.each([
    ['a wrong password', 'ada', 'nope'],
    ['an unknown user', 'mallory', 'ada-password'],
    ['a case-changed username', 'ADA', 'ada-password'],
  ])('invalid_grant for %s, with one answer for all', async (_, username, password) => {
    f = await openFixture(transport, store)
    const response = await login({ username, password })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'The username or password is wrong',
    })
  })

  test('a disabled user gets the wrong-password answer, whether its password is right or not', async () => {
    f = await openFixture(transport, store)
    const answers = []
    for (const password of ['eve-password', 'wrong', 'eve-password']) {
      const response = await login({ username: 'eve', password })
      answers.push({ status: response.status, body: await response.json() })
    }
    const wrong = {
      status: 400,
      body: { error: 'invalid_grant', error_description: 'The username or password is wrong' },
    }
    expect(answers).toEqual([wrong, wrong, wrong])
  })

  test("a disabled user's right password counts as a failure (the throttle confirms nothing)", async () => {
    f = await openFixture(transport, store, {
      throttle: {
        usernameAttempts: 2,
        addressAttempts: 100,
        baseDelay: 2,
        maxDelay: 8,
        window: 60,
      },
    })
    await login({ username: 'eve', password: 'wrong' })
    await login({ username: 'eve', password: 'eve-password' })
    const delayed = await login({ username: 'eve', password: 'eve-password' })
    expect(delayed.status).toBe(429)
    expect((await delayed.json()).error).toBe('temporarily_unavailable')
  })

  test('a disabled user is verified against its hash, never upgraded', async () => {
    const calls: string[] = []
    const spy: PasswordHasher = {
      ...testPasswords,
      verify(password, hash) {
        calls.push('verify')
        return testPasswords.verify(password, hash)
      },
      verifyAndUpdate(password, hash) {
        calls.push('verifyAndUpdate')
        return testPasswords.verifyAndUpdate(password, hash)
      },
    }
    f = await openFixture(transport, store, { passwords: spy })
    const weaker = await createPasswordHasher({ memoryCost: 512, timeCost: 1, workers: 1 }).hash(
      'eve-password',
    )
    await f.store.updateUser(f.users.eve, { passwordHash: weaker })
    await login({ username: 'eve', password: 'eve-password' })
    expect(calls).toEqual(['verify'])
    expect((await f.store.findUserById(f.users.eve))?.passwordHash).toBe(weaker)
  })

  test("users and clients share one id space: a client's own token never passes for a user's (RFC 9700 §4.14)", async () => {
    f = await openFixture(transport, store)
    // The client_credentials client "service" would get tokens whose sub is a user's id.
    await expect(
      f.server.admin.createClient({
        id: f.users.ada,
        grantTypes: ['client_credentials'],
        scopes: ['read'],
      }),
    ).rejects.toThrow(/users and clients need different ids/)
    await expect(
      f.server.admin.createUser({ username: 'svc', id: 'service', password: 'pw' }),
    ).rejects.toThrow(/users and clients need different ids/)
    expect(await f.store.findClient(f.users.ada)).toBeUndefined()
    expect(await f.store.findUserByUsername('svc')).toBeUndefined()
    // In lower or upper case too, both ways: a resource server may compare a UUID in any case.
    const refused = /users and clients need different ids/
    const client = (id: string) =>
      f.server.admin.createClient({ id, grantTypes: ['client_credentials'], scopes: ['read'] })
    await expect(client(f.users.ada.toUpperCase())).rejects.toThrow(refused)
    await client('7154BD60-3963-4E3F-A17E-17BE182F3AC6')
    await expect(
      f.server.admin.createUser({ username: 'low', id: '7154bd60-3963-4e3f-a17e-17be182f3ac6' }),
    ).rejects.toThrow(refused)
    await f.server.admin.createUser({ username: 'up', id: '0C1D2E3F-AAAA-4BBB-8CCC-DDDDEEEEFFFF' })
    await expect(client('0c1d2e3f-aaaa-4bbb-8ccc-ddddeeeeffff')).rejects.toThrow(refused)
  })

  test('a username is the same user in any Unicode normalisation (NFC, as stored)', async () => {
    f = await openFixture(transport, store)
    await f.server.admin.createUser({
      username: 'zoe\u0308',
      password: 'zoe-password',
      scopes: ['read'],
    })
    await expect(
      f.server.admin.createUser({ username: 'zo\u00eb', password: 'other' }),
    ).rejects.toThrow(/already taken/)
    for (const username of ['zo\u00eb', 'zoe\u0308']) {
      const response = await login({ username, password: 'zoe-password', scope: 'read' })
      expect(response.status).toBe(200)
    }
    await expect(
      f.server.admin.createUser({ username: 'ad\u200ba', password: 'pw' }),
    ).rejects.toThrow(/invisible format characters/)
    // A variation selector chooses a glyph (an emoji's colour form): kept.
    await f.server.admin.createUser({ username: '\u2764\ufe0f-fan', password: 'pw' })
  })

  test('a password is one password in any Unicode normalisation (NFC, RFC 8265 §4.2)', async () => {
    f = await openFixture(transport, store)
    // Set as e + a combining accent (macOS tools), sent as one code point (a login form), and back.
    await f.server.admin.createUser({
      username: 'cafe',
      password: 'cafe\u0301-pw',
      scopes: ['read'],
    })
    await f.server.admin.createUser({
      username: 'creme',
      password: 'cr\u00e8me-pw',
      scopes: ['read'],
    })
    for (const [username, password] of [
      ['cafe', 'caf\u00e9-pw'],
      ['cafe', 'cafe\u0301-pw'],
      ['creme', 'cre\u0300me-pw'],
    ] as const) {
      const response = await login({ username, password, scope: 'read' })
      expect(response.status, `${username} ${password}`).toBe(200)
    }
    // A hash made from the text as typed, before passwords were normalised: it still verifies, and
    // is replaced by the NFC one.
    const typed = 'cafe\u0301-old'
    await f.server.admin.createUser({ username: 'old', password: 'placeholder', scopes: ['read'] })
    const old = await f.store.findUserByUsername('old')
    await f.store.updateUser(old?.id as string, {
      passwordHash: await createPasswordHasher().hash(typed),
    })
    expect((await login({ username: 'old', password: typed, scope: 'read' })).status).toBe(200)
    const rehashed = (await f.store.findUserByUsername('old'))?.passwordHash
    expect(await createPasswordHasher().verify(typed.normalize('NFC'), rehashed ?? '')).toBe(true)
    expect(
      (await login({ username: 'old', password: typed.normalize('NFC'), scope: 'read' })).status,
    ).toBe(200)
    // Normalisation only: another accent is another password.
    expect(
      (await login({ username: 'cafe', password: 'caf\u00e8-pw', scope: 'read' })).status,
    ).toBe(400)
  })

  test('a client without the refresh_token grant gets no refresh token', async () => {
    f = await openFixture(transport, store)
    const response = await login(
      { username: 'bob', password: 'bob-password' },
      { authorization: basic('narrow', f.secrets.narrow) },
    )
    const body = await response.json()
    expect(body.refresh_token).toBeUndefined()
    expect(claimsOf(body.access_token).grant_id).toBeUndefined()
  })

  test('missing username or password is invalid_request', async () => {
    f = await openFixture(transport, store)
    for (const fields of [
      { username: 'ada' },
      { password: 'x' },
      { username: '', password: 'x' },
    ]) {
      const response = await login(fields)
      expect(response.status).toBe(400)
      expect((await response.json()).error).toBe('invalid_request')
    }
  })

  test('turned off with grantTypes: unsupported_grant_type, and gone from the metadata', async () => {
    f = await openFixture(transport, store, {
      grantTypes: ['authorization_code', 'client_credentials', 'refresh_token'],
    })
    const response = await login({ username: 'ada', password: 'ada-password' })
    expect(response.status).toBe(400)
    expect((await response.json()).error).toBe('unsupported_grant_type')
    const metadata = await (await f.send('/.well-known/oauth-authorization-server')).json()
    expect(metadata.grant_types_supported).not.toContain('password')
  })

  test('unknown users cost a verification like known ones (against a dummy hash)', async () => {
    const calls: (string | null | undefined)[] = []
    const spy: PasswordHasher = {
      ...testPasswords,
      verifyAndUpdate(password, hash) {
        calls.push(hash)
        return testPasswords.verifyAndUpdate(password, hash)
      },
    }
    f = await openFixture(transport, store, { passwords: spy })
    await login({ username: 'mallory', password: 'whatever' })
    await login({ username: 'bob', password: 'whatever' })
    // The hasher ran both times; without a stored hash it verifies against its dummy.
    expect(calls).toEqual([undefined, expect.stringMatching(/^\$argon2id\$/)])
  })

  test('a successful login upgrades a hash made with other costs', async () => {
    f = await openFixture(transport, store)
    const weaker = await createPasswordHasher({ memoryCost: 512, timeCost: 1, workers: 1 }).hash(
      'bob-password',
    )
    await f.store.updateUser(f.users.bob, { passwordHash: weaker })
    expect((await login({ username: 'bob', password: 'bob-password' })).status).toBe(200)
    const upgraded = (await f.store.findUserById(f.users.bob))?.passwordHash
    expect(upgraded).not.toBe(weaker)
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/)
  })
})
