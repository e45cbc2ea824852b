import {
  createCurrentPrincipal,
  createJWTCodec,
  Gatehouse,
  OAuth2PasswordBearer,
  Security,
} from 'gatehouse'
import { describe, expect, expectTypeOf, test } from 'vitest'

const NOW = 1_800_000_000
const codec = createJWTCodec({ secret: 'resource-server-test-secret-32-bytes!!', now: () => NOW })
const users = new Map([['ada', { name: 'ada', admin: true }]])

function appWith(errors: 'fastapi' | 'rfc6750') {
  const scheme = new OAuth2PasswordBearer({
    tokenUrl: '/token',
    scopes: { read: 'Read', write: 'Write' },
  })
  const current = createCurrentPrincipal({
    scheme,
    jwt: codec,
    loadPrincipal: (subject) => users.get(subject),
    errors,
    realm: 'api',
  })
  const app = new Gatehouse({ logger: { error: () => {} } })
  app.get('/read', { inputs: { user: Security(current, { scopes: ['read'] }) } }, ({ user }) => {
    expectTypeOf(user).toEqualTypeOf<{ name: string; admin: boolean }>()
    return { name: user.name }
  })
  app.get(
    '/write',
    { inputs: { user: Security(current, { scopes: ['read', 'write'] }) } },
    ({ user }) => ({
      name: user.name,
    }),
  )
  return app
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } })

describe('createCurrentPrincipal with errors: "rfc6750"', () => {
  const app = appWith('rfc6750')

  test('a token with the scopes reaches the handler with the loaded principal', async () => {
    const token = await codec.sign({ sub: 'ada', scopes: ['read'] })
    const response = await app.request('/read', bearer(token))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ name: 'ada' })
  })

  test('an RFC 9068 "scope" string counts too', async () => {
    const token = await codec.sign({ sub: 'ada', scope: 'read write' })
    expect((await app.request('/write', bearer(token))).status).toBe(200)
  })

  test('missing scope → 403 insufficient_scope naming every required scope', async () => {
    const token = await codec.sign({ sub: 'ada', scopes: ['read'] })
    const response = await app.request('/write', bearer(token))
    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({ detail: 'Not enough permissions' })
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="insufficient_scope", scope="read write"',
    )
  })

  test.each([
    [
      'an expired token',
      () =>
        createJWTCodec({
          secret: 'resource-server-test-secret-32-bytes!!',
          now: () => NOW - 7200,
        }).sign({ sub: 'ada', scopes: ['read'] }),
    ],
    [
      'another key',
      () =>
        createJWTCodec({ secret: 'another-secret-another-secret-another', now: () => NOW }).sign({
          sub: 'ada',
          scopes: ['read'],
        }),
    ],
    ['an unknown subject', () => codec.sign({ sub: 'bob', scopes: ['read'] })],
  ])('%s → 401 invalid_token', async (_case, make) => {
    const token = await make()
    const response = await app.request('/read', bearer(token))
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="invalid_token"',
    )
    expect(await response.text()).not.toContain(token)
  })

  test('no credentials → the scheme answers 401 Not authenticated', async () => {
    const response = await app.request('/read')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
  })
})

describe('createCurrentPrincipal with errors: "fastapi"', () => {
  const app = appWith('fastapi')

  test('missing scope → 401 with Bearer scope="…"', async () => {
    const token = await codec.sign({ sub: 'ada', scopes: ['read'] })
    const response = await app.request('/write', bearer(token))
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer scope="read write"')
  })

  test('an invalid token → 401 Could not validate credentials', async () => {
    const response = await app.request('/read', bearer('nope'))
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ detail: 'Could not validate credentials' })
    expect(response.headers.get('www-authenticate')).toBe('Bearer scope="read"')
  })
})

test('misuse is a TypeError at set-up', () => {
  const scheme = new OAuth2PasswordBearer({ tokenUrl: '/token' })
  expect(() =>
    createCurrentPrincipal({
      scheme,
      jwt: codec,
      loadPrincipal: () => undefined,
      // @ts-expect-error: only 'fastapi' and 'rfc6750' exist
      errors: 'strict',
    }),
  ).toThrow(TypeError)
})
