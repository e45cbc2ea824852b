import { createHash, randomBytes } from 'node:crypto'
import type { AuthorizationCodeRequest } from 'gatehouse/authorization-server'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import {
  basic,
  bearer,
  claimsOf,
  type Fixture,
  ISSUER,
  matrix,
  openFixture,
  postForm,
} from './helpers/authorization-server.js'

const verifier = () => randomBytes(32).toString('base64url')
const challengeOf = (v: string) => createHash('sha256').update(v).digest('base64url')
const REDIRECT = 'https://app.example.com/callback'

describe.each(matrix)('the authorization code grant with PKCE ($name)', ({ transport, store }) => {
  let f: Fixture
  beforeEach(async () => {
    f = await openFixture(transport, store)
  })
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })

  /** What `/authorize` will do once the user consented: issue a code through the server. */
  const authorize = async (changes: Partial<AuthorizationCodeRequest> = {}) => {
    const codeVerifier = verifier()
    const code = await f.server.issueAuthorizationCode({
      clientId: 'web',
      userId: f.users.ada,
      redirectUri: REDIRECT,
      scopes: ['read', 'write'],
      codeChallenge: challengeOf(codeVerifier),
      codeChallengeMethod: 'S256',
      ...changes,
    })
    return { code, codeVerifier }
  }
  const redeem = (fields: Record<string, string | string[]>, client = 'web') =>
    postForm(
      f.send,
      '/token',
      { grant_type: 'authorization_code', redirect_uri: REDIRECT, ...fields },
      client === 'web' ? { authorization: basic('web', f.secrets.web) } : {},
    )

  test('the code, its verifier and redirect URI give tokens for the consented scopes', async () => {
    const { code, codeVerifier } = await authorize()
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const response = await redeem({ code, code_verifier: codeVerifier })
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const body = await response.json()
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read write' })
    expect(body.refresh_token).toEqual(expect.any(String))
    expect(claimsOf(body.access_token)).toMatchObject({ sub: f.users.ada, client_id: 'web' })
    expect((await f.send('/api/write', bearer(body.access_token))).status).toBe(200)
  })

  test('a public client redeems with its client_id and the verifier alone', async () => {
    const { code, codeVerifier } = await authorize({
      clientId: 'spa',
      redirectUri: 'http://127.0.0.1:5173/cb',
      scopes: ['read'],
    })
    const response = await redeem(
      {
        code,
        code_verifier: codeVerifier,
        client_id: 'spa',
        redirect_uri: 'http://127.0.0.1:5173/cb',
      },
      'spa',
    )
    expect(response.status).toBe(200)
    expect((await response.json()).scope).toBe('read')
  })

  test('a second redemption fails and revokes what the first one issued', async () => {
    const { code, codeVerifier } = await authorize()
    const first = await (await redeem({ code, code_verifier: codeVerifier })).json()
    expect((await f.send('/api/read', bearer(first.access_token))).status).toBe(200)

    const second = await redeem({ code, code_verifier: codeVerifier })
    expect(second.status).toBe(400)
    expect(await second.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'The authorization code was already used',
    })
    // The access token and refresh token from the first redemption are dead.
    expect((await f.send('/api/read', bearer(first.access_token))).status).toBe(401)
    const refresh = await postForm(
      f.send,
      '/token',
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      { authorization: basic('web', f.secrets.web) },
    )
    expect(refresh.status).toBe(400)
    expect((await refresh.json()).error).toBe('invalid_grant')
  })

  test('concurrent redemptions of one code: exactly one succeeds', async () => {
    const { code, codeVerifier } = await authorize()
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => redeem({ code, code_verifier: codeVerifier })),
    )
    expect(responses.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400])
    for (const response of responses) await response.body?.cancel()
  })

  test.each([
    ['a wrong verifier', () => ({ code_verifier: verifier() }), 'invalid_grant'],
    ['no verifier', () => ({ code_verifier: [] }), 'invalid_request'],
    ['a malformed verifier', () => ({ code_verifier: 'short' }), 'invalid_request'],
    [
      'the challenge itself as verifier (plain)',
      (c: string) => ({ code_verifier: c }),
      'invalid_grant',
    ],
    [
      'another redirect URI',
      () => ({ redirect_uri: 'https://app.example.com/other' }),
      'invalid_grant',
    ],
    ['no redirect URI', () => ({ redirect_uri: [] }), 'invalid_request'],
    ['an unknown code', () => ({ code: 'x'.repeat(43) }), 'invalid_grant'],
    ['no code', () => ({ code: [] }), 'invalid_request'],
  ])('%s → %s, and the code still works afterwards', async (_, change, error) => {
    const { code, codeVerifier } = await authorize()
    const fields: Record<string, string | string[]> = {
      code,
      code_verifier: codeVerifier,
      ...change(challengeOf(codeVerifier)),
    }
    const response = await redeem(fields)
    expect(response.status).toBe(400)
    expect((await response.json()).error).toBe(error)
    expect((await redeem({ code, code_verifier: codeVerifier })).status).toBe(200)
  })

  test('another client cannot redeem the code', async () => {
    const { code, codeVerifier } = await authorize()
    const response = await redeem({ code, code_verifier: codeVerifier, client_id: 'spa' }, 'spa')
    expect(response.status).toBe(400)
    expect((await response.json()).error).toBe('invalid_grant')
  })

  test('an expired code is invalid_grant', async () => {
    const { code, codeVerifier } = await authorize()
    f.clock.advance(60)
    const response = await redeem({ code, code_verifier: codeVerifier })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'The authorization code is invalid or expired',
    })
  })

  test('a code issued without redirect_uri (one registered) is redeemed without one', async () => {
    const { code, codeVerifier } = await authorize({
      clientId: 'spa',
      redirectUri: null,
      scopes: ['read'],
    })
    const response = await postForm(f.send, '/token', {
      grant_type: 'authorization_code',
      code,
      code_verifier: codeVerifier,
      client_id: 'spa',
    })
    expect(response.status).toBe(200)
  })

  test('a code issued without redirect_uri: one sent at redemption must be the registered one', async () => {
    const redeemWith = async (redirectUri: string) => {
      const { code, codeVerifier } = await authorize({
        clientId: 'spa',
        redirectUri: null,
        scopes: ['read'],
      })
      return postForm(f.send, '/token', {
        grant_type: 'authorization_code',
        code,
        code_verifier: codeVerifier,
        client_id: 'spa',
        redirect_uri: redirectUri,
      })
    }
    for (const stranger of ['https://evil.example/steal', 'not a uri']) {
      const refused = await redeemWith(stranger)
      expect(refused.status, stranger).toBe(400)
      expect(await refused.json()).toMatchObject({ error: 'invalid_grant' })
    }
    expect((await redeemWith('http://127.0.0.1:5173/cb')).status).toBe(200)
  })

  test('RFC 8707: resources bound at authorization; the token request may narrow them', async () => {
    const resources = ['https://api.example.com', 'https://other.example.com']
    const both = await authorize({ resources })
    const all = await (await redeem({ code: both.code, code_verifier: both.codeVerifier })).json()
    expect(claimsOf(all.access_token).aud).toEqual(resources)
    const one = await authorize({ resources })
    const narrowed = await redeem({
      code: one.code,
      code_verifier: one.codeVerifier,
      resource: 'https://other.example.com',
    })
    expect(claimsOf((await narrowed.json()).access_token).aud).toBe('https://other.example.com')
    const wider = await authorize({ resources: ['https://api.example.com'] })
    const refused = await redeem({
      code: wider.code,
      code_verifier: wider.codeVerifier,
      resource: 'https://other.example.com',
    })
    expect((await refused.json()).error).toBe('invalid_target')
  })

  test('RFC 8707: a code authorized for no resource is for the default audience only', async () => {
    const unbound = await authorize()
    const other = await redeem({
      code: unbound.code,
      code_verifier: unbound.codeVerifier,
      resource: 'https://other.example.com',
    })
    expect(other.status).toBe(400)
    expect((await other.json()).error).toBe('invalid_target')
    const again = await authorize()
    const own = await redeem({
      code: again.code,
      code_verifier: again.codeVerifier,
      resource: ISSUER,
    })
    expect(claimsOf((await own.json()).access_token).aud).toBe(ISSUER)
  })

  test('RFC 8707: a resource authorized with its slash is bound, and redeemed, as configured', async () => {
    const slashed = await authorize({ resources: ['https://api.example.com/'] })
    const response = await redeem({
      code: slashed.code,
      code_verifier: slashed.codeVerifier,
      resource: 'https://api.example.com',
    })
    expect(claimsOf((await response.json()).access_token).aud).toBe('https://api.example.com')
  })

  test('a user who lost every consented scope gets invalid_grant, not an empty scope', async () => {
    const { code, codeVerifier } = await authorize()
    await f.store.updateUser(f.users.ada, { scopes: [] })
    const response = await redeem({ code, code_verifier: codeVerifier })
    expect(response.status).toBe(400)
    expect((await response.json()).error).toBe('invalid_grant')
  })

  test('a user disabled after consent gets no tokens', async () => {
    const { code, codeVerifier } = await authorize()
    await f.store.updateUser(f.users.ada, { disabled: true })
    const response = await redeem({ code, code_verifier: codeVerifier })
    expect(response.status).toBe(400)
    expect((await response.json()).error).toBe('invalid_grant')
  })

  test('scopes the user lost since consent are left out', async () => {
    const { code, codeVerifier } = await authorize()
    await f.store.updateUser(f.users.ada, { scopes: ['read'] })
    const body = await (await redeem({ code, code_verifier: codeVerifier })).json()
    expect(body.scope).toBe('read')
  })
})

describe.each(matrix)('issueAuthorizationCode ($name)', ({ transport, store }) => {
  let f: Fixture
  beforeEach(async () => {
    f = await openFixture(transport, store)
  })
  afterEach(async () => {
    await f.close()
  })

  const base = (): AuthorizationCodeRequest => ({
    clientId: 'web',
    userId: f.users.ada,
    redirectUri: REDIRECT,
    scopes: ['read'],
    codeChallenge: challengeOf(verifier()),
    codeChallengeMethod: 'S256',
  })

  test.each([
    ['plain PKCE', { codeChallengeMethod: 'plain' }, 'invalid_request'],
    ['no PKCE method', { codeChallengeMethod: '' }, 'invalid_request'],
    ['a challenge that is no S256 digest', { codeChallenge: 'abc' }, 'invalid_request'],
    [
      'an unregistered redirect URI',
      { redirectUri: 'https://app.example.com/callback/' },
      'invalid_request',
    ],
    ['no redirect URI with two registered', { redirectUri: null }, 'invalid_request'],
    ['an unknown client', { clientId: 'nobody' }, 'unauthorized_client'],
    ['a client without the code grant', { clientId: 'service' }, 'unauthorized_client'],
    ['a scope the client may not have', { scopes: ['admin'] }, 'invalid_scope'],
    ['an unknown scope', { scopes: ['root'] }, 'invalid_scope'],
    ['an unknown resource', { resources: ['https://elsewhere.example.com'] }, 'invalid_target'],
  ] as const)('refuses %s with %s', async (_, change, code) => {
    await expect(f.server.issueAuthorizationCode({ ...base(), ...change })).rejects.toMatchObject({
      name: 'OAuth2Error',
      code,
    })
  })

  test('refuses a disabled or unknown user with access_denied', async () => {
    for (const userId of [f.users.eve, 'nobody'])
      await expect(f.server.issueAuthorizationCode({ ...base(), userId })).rejects.toMatchObject({
        code: 'access_denied',
      })
  })

  test('stores the code only as a keyed hash', async () => {
    const code = await f.server.issueAuthorizationCode(base())
    const hashes = await Promise.all([f.store.findCode(code)])
    expect(hashes).toEqual([undefined])
  })

  test('no scopes asked: the default scope', async () => {
    const codeVerifier = verifier()
    const code = await f.server.issueAuthorizationCode({
      ...base(),
      scopes: [],
      codeChallenge: challengeOf(codeVerifier),
    })
    const response = await postForm(
      f.send,
      '/token',
      {
        grant_type: 'authorization_code',
        code,
        code_verifier: codeVerifier,
        redirect_uri: REDIRECT,
      },
      { authorization: basic('web', f.secrets.web) },
    )
    expect((await response.json()).scope).toBe('read')
  })
})
