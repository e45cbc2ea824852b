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
  START,
} from './helpers/authorization-server.js'

describe.each(matrix)('revocation and introspection ($name)', ({ transport, store }) => {
  let f: Fixture
  beforeEach(async () => {
    f = await openFixture(transport, store)
  })
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })

  const web = () => ({ authorization: basic('web', f.secrets.web) })
  const service = () => ({ authorization: basic('service', f.secrets.service) })
  const loginAda = async () => {
    const response = await postForm(
      f.send,
      '/token',
      { grant_type: 'password', username: 'ada', password: 'ada-password', scope: 'read write' },
      web(),
    )
    return (await response.json()) as { access_token: string; refresh_token: string }
  }
  const revoke = (token: string, headers = web(), hint?: string) =>
    postForm(f.send, '/revoke', { token, ...(hint ? { token_type_hint: hint } : {}) }, headers)
  const introspect = async (token: string, headers = service()) => {
    const response = await postForm(f.send, '/introspect', { token }, headers)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    return response.json()
  }

  describe('POST /revoke (RFC 7009)', () => {
    test('a refresh token: its family ends, with every access token issued from it', async () => {
      const tokens = await loginAda()
      const response = await revoke(tokens.refresh_token, web(), 'refresh_token')
      expect(response.status).toBe(200)
      expect(await response.text()).toBe('')
      expect((await f.send('/api/read', bearer(tokens.access_token))).status).toBe(401)
      const refresh = await postForm(
        f.send,
        '/token',
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        web(),
      )
      expect(refresh.status).toBe(400)
    })

    test('an access token, whatever the hint says; the refresh token keeps working', async () => {
      const tokens = await loginAda()
      expect((await revoke(tokens.access_token, web(), 'refresh_token')).status).toBe(200)
      expect((await f.send('/api/read', bearer(tokens.access_token))).status).toBe(401)
      const refresh = await postForm(
        f.send,
        '/token',
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        web(),
      )
      expect(refresh.status).toBe(200)
      await refresh.body?.cancel()
    })

    test('a public client revokes its own token with its client_id', async () => {
      const tokens = await loginAda()
      const response = await postForm(f.send, '/revoke', {
        token: tokens.refresh_token,
        client_id: 'spa',
      })
      // Not its token: refused, and nothing is revoked.
      expect(response.status).toBe(400)
      expect((await response.json()).error).toBe('invalid_request')
      expect((await f.send('/api/read', bearer(tokens.access_token))).status).toBe(200)
    })

    test("another client's token is refused and stays valid", async () => {
      const tokens = await loginAda()
      const response = await revoke(tokens.access_token, service())
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'The token was not issued to this client',
      })
      expect((await f.send('/api/read', bearer(tokens.access_token))).status).toBe(200)
    })

    test.each([
      ['an unknown opaque token', 'x'.repeat(43)],
      ['a forged JWT', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln'],
      ['garbage', '%%%'],
    ])('%s answers 200, as RFC 7009 §2.2 says', async (_, token) => {
      const response = await revoke(token)
      expect(response.status).toBe(200)
      expect(response.headers.get('cache-control')).toBe('no-store')
    })

    test('an expired access token answers 200', async () => {
      const tokens = await loginAda()
      f.clock.advance(900)
      expect((await revoke(tokens.access_token)).status).toBe(200)
    })

    test('client authentication is required: 401 invalid_client', async () => {
      const tokens = await loginAda()
      const response = await postForm(f.send, '/revoke', { token: tokens.access_token })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe(`Basic realm="${ISSUER}"`)
      expect((await response.json()).error).toBe('invalid_client')
    })

    test('revocations are purged once their tokens expired, by the endpoints now and then', async () => {
      const tokens = await loginAda()
      await revoke(tokens.access_token)
      const { jti } = claimsOf(tokens.access_token) as { jti: string }
      expect(await f.store.isAccessTokenRevoked(jti)).toBe(true)
      f.clock.advance(900)
      await loginAda()
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(await f.store.isAccessTokenRevoked(jti)).toBe(false)
    })

    test('a missing token is invalid_request', async () => {
      const response = await postForm(f.send, '/revoke', { token_type_hint: 'access_token' }, web())
      expect(response.status).toBe(400)
      expect((await response.json()).error).toBe('invalid_request')
    })
  })

  describe('POST /introspect (RFC 7662)', () => {
    test('an active access token: its claims', async () => {
      const tokens = await loginAda()
      const claims = claimsOf(tokens.access_token)
      expect(await introspect(tokens.access_token)).toEqual({
        active: true,
        token_type: 'Bearer',
        scope: 'read write',
        client_id: 'web',
        sub: f.users.ada,
        aud: ISSUER,
        iss: ISSUER,
        jti: claims.jti,
        iat: START,
        exp: START + 900,
      })
    })

    test('an access token for another audience is still introspected', async () => {
      const response = await postForm(
        f.send,
        '/token',
        { grant_type: 'client_credentials', resource: 'https://api.example.com' },
        service(),
      )
      const { access_token } = await response.json()
      expect(await introspect(access_token)).toMatchObject({
        active: true,
        aud: 'https://api.example.com',
      })
    })

    test('an active refresh token: its grant', async () => {
      const tokens = await loginAda()
      expect(await introspect(tokens.refresh_token)).toEqual({
        active: true,
        token_type: 'refresh_token',
        scope: 'read write',
        client_id: 'web',
        sub: f.users.ada,
        iss: ISSUER,
        iat: START,
        exp: START + 14 * 86_400,
      })
    })

    test('revoked, expired, rotated and unknown tokens are only {"active": false}', async () => {
      const revoked = await loginAda()
      await revoke(revoked.access_token)
      expect(await introspect(revoked.access_token)).toEqual({ active: false })

      const rotated = await loginAda()
      await postForm(
        f.send,
        '/token',
        { grant_type: 'refresh_token', refresh_token: rotated.refresh_token },
        web(),
      )
      expect(await introspect(rotated.refresh_token)).toEqual({ active: false })

      const family = await loginAda()
      await revoke(family.refresh_token)
      expect(await introspect(family.refresh_token)).toEqual({ active: false })
      expect(await introspect(family.access_token)).toEqual({ active: false })

      const expiring = await loginAda()
      f.clock.advance(900)
      expect(await introspect(expiring.access_token)).toEqual({ active: false })
      expect(await introspect('nonsense')).toEqual({ active: false })
    })

    test('a public client may not introspect: 401', async () => {
      const tokens = await loginAda()
      const response = await postForm(f.send, '/introspect', {
        token: tokens.access_token,
        client_id: 'spa',
      })
      expect(response.status).toBe(401)
      expect((await response.json()).error).toBe('invalid_client')
    })

    test('no client authentication: 401, and nothing about the token', async () => {
      const tokens = await loginAda()
      const response = await postForm(f.send, '/introspect', { token: tokens.access_token })
      expect(response.status).toBe(401)
      expect(JSON.stringify(await response.json())).not.toContain('active')
    })
  })
})

describe.each(matrix)('introspection.allowed ($name)', ({ transport, store }) => {
  test('names who may learn what: anyone else is told the token is inactive', async () => {
    const asked: unknown[] = []
    const f = await openFixture(transport, store, {
      introspection: {
        allowed: async ({ client, token }) => {
          asked.push({ client: client.id, token })
          return client.id === 'service'
        },
      },
    })
    try {
      const login = await postForm(
        f.send,
        '/token',
        { grant_type: 'password', username: 'ada', password: 'ada-password', scope: 'read' },
        { authorization: basic('web', f.secrets.web) },
      )
      const { access_token, refresh_token } = await login.json()
      const introspect = async (token: string, client: 'web' | 'service') =>
        (
          await postForm(
            f.send,
            '/introspect',
            { token },
            { authorization: basic(client, f.secrets[client]) },
          )
        ).json()
      expect(await introspect(access_token, 'service')).toMatchObject({
        active: true,
        sub: f.users.ada,
      })
      expect(await introspect(access_token, 'web')).toEqual({ active: false })
      expect(await introspect(refresh_token, 'service')).toMatchObject({ active: true })
      // Unknown tokens never reach the policy.
      expect(await introspect('not-a-token', 'service')).toEqual({ active: false })
      expect(asked).toEqual([
        {
          client: 'service',
          token: {
            type: 'access_token',
            clientId: 'web',
            subject: f.users.ada,
            scopes: ['read'],
            audience: [expect.any(String)],
          },
        },
        { client: 'web', token: expect.objectContaining({ type: 'access_token' }) },
        {
          client: 'service',
          token: {
            type: 'refresh_token',
            clientId: 'web',
            subject: f.users.ada,
            scopes: ['read'],
            audience: [],
          },
        },
      ])
      expect(f.logs).toEqual([])
    } finally {
      await f.close()
    }
  })
})
