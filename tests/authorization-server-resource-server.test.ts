import { Gatehouse, Security, ServiceUnavailableError } from 'gatehouse'
import { afterEach, describe, expect, expectTypeOf, test } from 'vitest'
import {
  basic,
  bearer,
  claimsOf,
  type Fixture,
  matrix,
  openFixture,
  postForm,
} from './helpers/authorization-server.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

describe.each(matrix)('the resource-server dependency ($name)', ({ transport, store }) => {
  let f: Fixture
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })

  const serviceToken = async (fields: Record<string, string> = {}) => {
    const response = await postForm(
      f.send,
      '/token',
      { grant_type: 'client_credentials', ...fields },
      { authorization: basic('service', f.secrets.service) },
    )
    return ((await response.json()) as { access_token: string }).access_token
  }

  test('a valid token with the scope reaches the handler', async () => {
    f = await openFixture(transport, store)
    const response = await f.send('/api/read', bearer(await serviceToken()))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      subject: 'service',
      clientId: 'service',
      scopes: ['read'],
    })
  })

  test("a token without the route's scope: 403 insufficient_scope naming it (RFC 6750)", async () => {
    f = await openFixture(transport, store)
    const response = await f.send('/api/write', bearer(await serviceToken()))
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="write"',
    )
  })

  test.each([
    ['no token', () => ({})],
    ['another scheme', () => ({ headers: { authorization: 'Basic abc' } })],
  ])("%s: 401 with a Bearer challenge naming the route's scopes", async (_, init) => {
    f = await openFixture(transport, store)
    const response = await f.send('/api/read', init())
    expect(response.status).toBe(401)
    // No error code (RFC 6750 §3.1), but the scopes to ask for, before the client has any token.
    expect(response.headers.get('www-authenticate')).toBe('Bearer scope="read"')
    const write = await f.send('/api/write', init())
    expect(write.headers.get('www-authenticate')).toBe('Bearer scope="write"')
  })

  test('expired, revoked, tampered and foreign-audience tokens: 401 invalid_token', async () => {
    f = await openFixture(transport, store)
    const expired = await serviceToken()
    const revoked = await serviceToken()
    const foreign = await serviceToken({ resource: 'https://api.example.com' })
    const tampered = (await serviceToken()).replace(/\.([^.]+)\./, (_, claims: string) => {
      const changed = { ...JSON.parse(Buffer.from(claims, 'base64url').toString()), scope: 'admin' }
      return `.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.`
    })
    await postForm(
      f.send,
      '/revoke',
      { token: revoked },
      {
        authorization: basic('service', f.secrets.service),
      },
    )
    for (const token of [revoked, foreign, tampered, 'not-a-jwt']) {
      const response = await f.send('/api/read', bearer(token))
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe(
        'Bearer error="invalid_token", scope="read"',
      )
    }
    f.clock.advance(900)
    expect((await f.send('/api/read', bearer(expired))).status).toBe(401)
  })

  test('a token spelt another way (non-canonical base64url) is refused, everywhere', async () => {
    f = await openFixture(transport, store)
    const token = await serviceToken()
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    // An Ed25519 signature is 86 characters: the last one's 4 low bits are unused, so setting one
    // decodes to the same bytes. The original still works; the second spelling must not.
    const last = ALPHABET.indexOf(token.slice(-1))
    const respelt = `${token.slice(0, -1)}${ALPHABET[last | 1]}`
    expect(Buffer.from(respelt.split('.')[2] as string, 'base64url')).toEqual(
      Buffer.from(token.split('.')[2] as string, 'base64url'),
    )
    expect((await f.send('/api/read', bearer(token))).status).toBe(200)
    expect((await f.send('/api/read', bearer(respelt))).status).toBe(401)
    const introspected = await postForm(
      f.send,
      '/introspect',
      { token: respelt },
      { authorization: basic('service', f.secrets.service) },
    )
    expect(await introspected.json()).toEqual({ active: false })
  })

  test('a store that cannot answer the revocation check is a 503, not a bad token', async () => {
    f = await openFixture(transport, store)
    const token = await serviceToken()
    f.store.isAccessTokenRevoked = async () => {
      throw new ServiceUnavailableError(3)
    }
    const api = await f.send('/api/read', bearer(token))
    expect(api.status).toBe(503)
    expect(api.headers.get('retry-after')).toBe('3')
    await api.body?.cancel()
    const introspection = await postForm(
      f.send,
      '/introspect',
      { token },
      {
        authorization: basic('service', f.secrets.service),
      },
    )
    expect(introspection.status).toBe(503)
    await introspection.body?.cancel()
  })

  test('server.principal(): own principal, another audience, FastAPI-style errors', async () => {
    f = await openFixture(transport, store)
    const api = f.server.principal({
      audience: 'https://api.example.com',
      errors: 'fastapi',
      loadPrincipal: (token) =>
        token.subject === 'service' ? { name: 'the service', scopes: token.scopes } : undefined,
    })
    const app = new Gatehouse({ logger: { error: () => {} } })
    app.include(f.server.router)
    app.get('/items', { inputs: { who: Security(api, { scopes: ['read'] }) } }, ({ who }) => {
      expectTypeOf(who).toEqualTypeOf<{ name: string; scopes: string[] }>()
      return who
    })
    const token = await serviceToken({ resource: 'https://api.example.com' })
    const ok = await app.request('/items', bearer(token))
    expect(await ok.json()).toEqual({ name: 'the service', scopes: ['read'] })
    const wrongAudience = await app.request('/items', bearer(await serviceToken()))
    expect(wrongAudience.status).toBe(401)
    expect(await wrongAudience.json()).toEqual({ detail: 'Could not validate credentials' })
  })

  test('server.principal(): a realm a challenge cannot carry is refused at set-up', async () => {
    f = await openFixture(transport, store)
    expect(() => f.server.principal({ realm: 'api\r\nx-injected: 1' })).toThrow(
      new TypeError(
        'server.principal(): `realm` must be printable ASCII (0x20–0x7E: no control characters, no non-ASCII)',
      ),
    )
    expect(() => f.server.principal({ realm: 'api "v1"' })).not.toThrow()
  })

  test('scopesClaim: a FastAPI-style scopes array beside scope', async () => {
    f = await openFixture(transport, store, { scopesClaim: true })
    const claims = claimsOf(await serviceToken({ scope: 'read admin' }))
    expect(claims.scope).toBe('read admin')
    expect(claims.scopes).toEqual(['read', 'admin'])
  })

  test('server.verifier verifies tokens for the default audience and sees revocations', async () => {
    f = await openFixture(transport, store)
    const token = await serviceToken()
    const verified = await f.server.verifier.verify(token)
    expect(verified).toMatchObject({ subject: 'service', scopes: ['read'] })
    await postForm(
      f.send,
      '/revoke',
      { token },
      { authorization: basic('service', f.secrets.service) },
    )
    await expect(f.server.verifier.verify(token)).rejects.toMatchObject({ code: 'token_inactive' })
  })
})

describe('the OpenAPI document of an app with the server mounted', () => {
  test('documents the token endpoint per grant, client authentication and the bearer flows', async () => {
    const { inProcess } = await import('./helpers/http.js')
    const f = await openFixture(inProcess, 'memory')
    try {
      const document = f.app.openapi() as unknown as {
        paths: Record<string, Record<string, Record<string, unknown>>>
        components: { securitySchemes: Record<string, unknown> }
      }
      await expectValidOpenAPI(document)
      const token = document.paths['/token']?.post as {
        requestBody: {
          content: Record<string, { schema: { oneOf: { properties: { grant_type: unknown } }[] } }>
        }
        security: unknown
        responses: Record<string, unknown>
      }
      const form = token.requestBody.content['application/x-www-form-urlencoded']
      expect(form?.schema.oneOf.map((s) => s.properties.grant_type)).toEqual([
        { const: 'authorization_code' },
        { const: 'client_credentials' },
        { const: 'password' },
        { const: 'refresh_token' },
      ])
      expect(token.security).toEqual([{ OAuth2ClientAuthentication: [] }, {}])
      expect(Object.keys(token.responses)).toEqual(
        expect.arrayContaining(['200', '400', '401', '429']),
      )
      expect(Object.keys(document.paths).sort()).toEqual([
        '/.well-known/jwks.json',
        '/.well-known/oauth-authorization-server',
        '/api/read',
        '/api/write',
        '/authorize',
        '/introspect',
        '/revoke',
        '/token',
      ])
      expect(document.components.securitySchemes.OAuth2).toEqual({
        type: 'oauth2',
        description: 'Access tokens issued by https://auth.example.com',
        flows: {
          authorizationCode: {
            authorizationUrl: 'https://auth.example.com/authorize',
            tokenUrl: 'https://auth.example.com/token',
            refreshUrl: 'https://auth.example.com/token',
            scopes: { read: 'Read your data', write: 'Change your data', admin: 'Administer' },
          },
          password: {
            tokenUrl: 'https://auth.example.com/token',
            refreshUrl: 'https://auth.example.com/token',
            scopes: { read: 'Read your data', write: 'Change your data', admin: 'Administer' },
          },
          clientCredentials: {
            tokenUrl: 'https://auth.example.com/token',
            scopes: { read: 'Read your data', write: 'Change your data', admin: 'Administer' },
          },
        },
      })
      expect(document.paths['/api/write']?.get?.security).toEqual([{ OAuth2: ['write'] }])
    } finally {
      await f.close()
    }
  })
})
