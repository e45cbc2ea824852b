import {
  createCurrentPrincipal,
  createJWTCodec,
  dependency,
  Gatehouse,
  KeySourceUnavailableError,
  OAuth2PasswordBearer,
  Security,
  type TokenVerifier,
} from 'gatehouse'
import { generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from 'vitest'
import { captureLogger, type Send, transports } from './helpers/http.js'

const NOW = 1_800_000_000
const SECRET = 'resource-server-test-secret-32-bytes!!'
const codec = createJWTCodec({ secret: SECRET, now: () => NOW })
const users = new Map([['ada', { name: 'ada', admin: true }]])
const METADATA = 'https://api.example/.well-known/oauth-protected-resource'
const audited: string[] = []

function appWith(
  errors: 'fastapi' | 'rfc6750',
  extra: { jwt?: TokenVerifier; realm?: string; resourceMetadata?: string } = {
    realm: 'api',
    resourceMetadata: METADATA,
  },
) {
  const scheme = new OAuth2PasswordBearer({
    tokenUrl: '/token',
    scopes: { read: 'Read', write: 'Write' },
  })
  const current = createCurrentPrincipal({
    scheme,
    jwt: codec,
    loadPrincipal: (subject) => users.get(subject),
    errors,
    ...extra,
  })
  const logger = captureLogger()
  const app = new Gatehouse({ logger })
  app.get('/read', { inputs: { user: Security(current, { scopes: ['read'] }) } }, ({ user }) => {
    expectTypeOf(user).toEqualTypeOf<{ name: string; admin: boolean }>()
    return { name: user.name }
  })
  app.get(
    '/write',
    { inputs: { user: Security(current, { scopes: ['read', 'write'] }) } },
    ({ user }) => ({ name: user.name }),
  )
  // A dependency declared before the principal: it must not run for a request without credentials.
  const audit = dependency({}, () => {
    audited.push('/audited')
  })
  app.get(
    '/audited',
    { dependencies: [audit], inputs: { user: Security(current, { scopes: ['read'] }) } },
    ({ user }) => ({ name: user.name }),
  )
  // The plain scheme next to the dependency built on it: one scheme in the document.
  app.get('/token-only', { inputs: { token: scheme, user: current } }, ({ token }) => ({
    length: token.length,
  }))
  return { app, logger }
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } })

describe.each(transports)('createCurrentPrincipal through $name', (transport) => {
  const opened: { close(): Promise<void> }[] = []
  afterAll(async () => {
    for (const server of opened) await server.close()
  })
  const open = async (app: Gatehouse): Promise<Send> => {
    const server = await transport.open(app)
    opened.push(server)
    return server.send
  }

  describe('with errors: "rfc6750"', () => {
    let send: Send
    beforeAll(async () => {
      send = await open(appWith('rfc6750').app)
    })

    test('a token with the scopes reaches the handler with the loaded principal', async () => {
      const response = await send(
        '/read',
        bearer(await codec.sign({ sub: 'ada', scopes: ['read'] })),
      )
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ name: 'ada' })
    })

    test('an RFC 9068 "scope" string counts too', async () => {
      const token = await codec.sign({ sub: 'ada', scope: 'read write' })
      expect((await send('/write', bearer(token))).status).toBe(200)
    })

    test('missing scope → 403 insufficient_scope naming every required scope', async () => {
      const response = await send(
        '/write',
        bearer(await codec.sign({ sub: 'ada', scopes: ['read'] })),
      )
      expect(response.status).toBe(403)
      expect(await response.json()).toEqual({ detail: 'Not enough permissions' })
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer realm="api", error="insufficient_scope", scope="read write", resource_metadata="${METADATA}"`,
      )
    })

    test.each([
      [
        'an expired token',
        () => createJWTCodec({ secret: SECRET, now: () => NOW - 7200 }).sign({ sub: 'ada' }),
      ],
      [
        'another key',
        () =>
          createJWTCodec({ secret: 'another-secret-another-secret-another', now: () => NOW }).sign({
            sub: 'ada',
          }),
      ],
      ['an unknown subject', () => codec.sign({ sub: 'bob', scopes: ['read'] })],
      [
        'a token for another audience',
        () =>
          createJWTCodec({ secret: SECRET, now: () => NOW, audience: 'other' }).sign({
            sub: 'ada',
          }),
      ],
      ['not a JWT', async () => 'opaque-garbage'],
    ])('%s → 401 invalid_token', async (_case, make) => {
      const token = await make()
      const response = await send('/read', bearer(token))
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer realm="api", error="invalid_token", scope="read", resource_metadata="${METADATA}"`,
      )
      expect(await response.text()).not.toContain(token)
    })

    test('no credentials → 401 Not authenticated naming the scopes, with realm and resource_metadata, no error', async () => {
      for (const init of [{}, bearer(''), { headers: { authorization: 'Basic YTpi' } }]) {
        const response = await send('/write', init)
        expect(response.status).toBe(401)
        expect(await response.json()).toEqual({ detail: 'Not authenticated' })
        expect(response.headers.get('www-authenticate')).toBe(
          `Bearer realm="api", scope="read write", resource_metadata="${METADATA}"`,
        )
      }
    })

    test('no credentials stop the request before any dependency runs', async () => {
      audited.length = 0
      const response = await send('/audited')
      expect(response.status).toBe(401)
      expect(audited).toEqual([])
      const token = await codec.sign({ sub: 'ada', scopes: ['read'] })
      expect((await send('/audited', bearer(token))).status).toBe(200)
      expect(audited).toEqual(['/audited'])
    })
  })

  describe('with errors: "fastapi"', () => {
    let send: Send
    beforeAll(async () => {
      send = await open(appWith('fastapi', {}).app)
    })

    test('missing scope → 401 with Bearer scope="…"', async () => {
      const response = await send(
        '/write',
        bearer(await codec.sign({ sub: 'ada', scopes: ['read'] })),
      )
      expect(response.status).toBe(401)
      expect(await response.json()).toEqual({ detail: 'Not enough permissions' })
      expect(response.headers.get('www-authenticate')).toBe('Bearer scope="read write"')
    })

    test('an invalid token → 401 Could not validate credentials', async () => {
      const response = await send('/read', bearer('nope'))
      expect(response.status).toBe(401)
      expect(await response.json()).toEqual({ detail: 'Could not validate credentials' })
      expect(response.headers.get('www-authenticate')).toBe('Bearer scope="read"')
    })

    test('no credentials → the tutorial answer, plain Bearer', async () => {
      const response = await send('/read')
      expect(response.status).toBe(401)
      expect(await response.json()).toEqual({ detail: 'Not authenticated' })
      expect(response.headers.get('www-authenticate')).toBe('Bearer')
    })
  })

  test('fastapi style adds realm and resource_metadata when they are configured', async () => {
    const send = await open(appWith('fastapi').app)
    const missing = await send('/read')
    expect(missing.headers.get('www-authenticate')).toBe(
      `Bearer realm="api", resource_metadata="${METADATA}"`,
    )
    const invalid = await send('/read', bearer('nope'))
    expect(invalid.headers.get('www-authenticate')).toBe(
      `Bearer realm="api", scope="read", resource_metadata="${METADATA}"`,
    )
  })

  test('a misconfigured codec is a logged 500, not a silent 401 for everyone', async () => {
    // Sign-only: the codec has a private key and no "publicKey", so it cannot verify anything.
    const { privateKey } = await generateKeyPair('RS256')
    const signOnly = createJWTCodec({ algorithm: 'RS256', privateKey, now: () => NOW })
    const token = await signOnly.sign({ sub: 'ada', scopes: ['read'] })
    const { app, logger } = appWith('rfc6750', { jwt: signOnly })
    const send = await open(app)
    const response = await send('/read', bearer(token))
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ detail: 'Internal Server Error' })
    expect(logger.calls).toHaveLength(1)
    expect(String(logger.calls[0]?.[1])).toContain('publicKey')
    expect(JSON.stringify(logger.calls)).not.toContain(token)
    // A bad token still gets its 401 from the same codec: only token errors are the client's.
    expect((await send('/read', bearer('not-a-token'))).status).toBe(401)
    expect(logger.calls).toHaveLength(1)
  })

  test('keys that cannot be fetched → 503 with Retry-After, not 401', async () => {
    const down = { verify: () => Promise.reject(new KeySourceUnavailableError(undefined, 12)) }
    const { app, logger } = appWith('rfc6750', { jwt: down })
    const send = await open(app)
    const response = await send('/read', bearer('any.token.here'))
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('12')
    expect(response.headers.get('www-authenticate')).toBeNull()
    expect(logger.calls).toHaveLength(0)
  })

  test('the plain scheme and the dependency share one documented scheme', async () => {
    const { app } = appWith('rfc6750')
    const send = await open(app)
    const token = await codec.sign({ sub: 'ada' })
    expect(await (await send('/token-only', bearer(token))).json()).toEqual({
      length: token.length,
    })
    const document = await (await send('/openapi.json')).json()
    expect(Object.keys(document.components.securitySchemes)).toEqual(['OAuth2PasswordBearer'])
    expect(document.paths['/write'].get.security).toEqual([
      { OAuth2PasswordBearer: ['read', 'write'] },
    ])
    expect(document.paths['/token-only'].get.security).toEqual([{ OAuth2PasswordBearer: [] }])
  })
})

test('misuse is a TypeError at set-up, naming the option', () => {
  const scheme = new OAuth2PasswordBearer({ tokenUrl: '/token' })
  const ok = { scheme, jwt: codec, loadPrincipal: () => undefined }
  const cases: [Record<string, unknown>, string][] = [
    [{ errors: 'strict' }, '`errors`'],
    [{ scheme: 'bearer' }, '`scheme`'],
    [{ jwt: {} }, '`jwt`'],
    [{ loadPrincipal: 5 }, '`loadPrincipal`'],
    [{ realm: 5 }, '`realm`'],
    [{ resourceMetadata: '/.well-known/oauth-protected-resource' }, '`resourceMetadata`'],
  ]
  for (const [bad, name] of cases)
    expect(() => createCurrentPrincipal({ ...ok, ...bad } as typeof ok), name).toThrow(name)
  expect(() =>
    createCurrentPrincipal({
      ...ok,
      // @ts-expect-error: only 'fastapi' and 'rfc6750' exist
      errors: 'strict',
    }),
  ).toThrow(TypeError)
})
