import {
  createCurrentPrincipal,
  createJWTCodec,
  dependency,
  Gatehouse,
  HTTPBearer,
  HTTPException,
  OAuth2PasswordBearer,
  Query,
  Security,
  SecurityScopes,
} from 'gatehouse'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { type Send, transports } from './helpers/http.js'

const oauth2 = new OAuth2PasswordBearer({ tokenUrl: 'token', scopes: { me: 'Me', items: 'Items' } })

/** The tutorial's shape: a current user read from a bearer token, required with scopes. */
const getCurrentUser = dependency(
  { securityScopes: SecurityScopes, token: oauth2 },
  function getCurrentUser({ token }) {
    if (token !== 'valid')
      throw new HTTPException(401, { detail: 'Could not validate credentials' })
    return { username: 'johndoe' }
  },
)
const getActiveUser = dependency(
  { user: Security(getCurrentUser, { scopes: ['me'] }) },
  function getActiveUser({ user }) {
    return user
  },
)

function createApp() {
  const app = new Gatehouse()
  app.get(
    '/users/me/items/',
    { inputs: { user: Security(getActiveUser, { scopes: ['items'] }) } },
    function readOwnItems({ user }) {
      return [{ item_id: 'Foo', owner: user.username }]
    },
  )
  app.get('/token-only', { inputs: { token: oauth2 } }, ({ token }) => ({ token }))
  return app
}

describe.each(transports)('dependency overrides ($name)', (transport) => {
  let app: Gatehouse
  let send: Send
  let close: () => Promise<void>
  beforeAll(async () => {
    app = createApp()
    ;({ send, close } = await transport.open(app))
  })
  afterAll(() => close())
  beforeEach(() => app.dependencyOverrides.clear())

  test('the tutorial idiom: override the current user, call a protected route without a token', async () => {
    expect((await send('/users/me/items/')).status).toBe(401)
    app.dependencyOverrides.set(
      getCurrentUser,
      dependency({}, () => ({ username: 'testuser' })),
    )
    const response = await send('/users/me/items/')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual([{ item_id: 'Foo', owner: 'testuser' }])
  })

  test('a replacement declares its own inputs and sees the SecurityScopes the original would', async () => {
    app.dependencyOverrides.set(
      getCurrentUser,
      dependency(
        { securityScopes: SecurityScopes, name: Query(z.string().default('anon')) },
        ({ securityScopes, name }) => ({ username: `${name}:${securityScopes.scopeStr}` }),
      ),
    )
    expect(await (await send('/users/me/items/?name=alice')).json()).toEqual([
      { item_id: 'Foo', owner: 'alice:items me' },
    ])
    const invalid = await send('/users/me/items/?name=')
    expect(invalid.status).toBe(200)
  })

  test('a security scheme can be overridden too', async () => {
    app.dependencyOverrides.set(
      oauth2,
      dependency({}, () => 'fixed-token'),
    )
    expect(await (await send('/token-only')).json()).toEqual({ token: 'fixed-token' })
  })

  test('deleting an entry restores the original on the next request', async () => {
    app.dependencyOverrides.set(
      getCurrentUser,
      dependency({}, () => ({ username: 'x' })),
    )
    expect((await send('/users/me/items/')).status).toBe(200)
    app.dependencyOverrides.delete(getCurrentUser)
    expect((await send('/users/me/items/')).status).toBe(401)
    expect(
      (await send('/users/me/items/', { headers: { authorization: 'Bearer valid' } })).status,
    ).toBe(200)
  })
})

describe('dependency overrides set-up', () => {
  test('the OpenAPI document keeps describing the originals', () => {
    const app = createApp()
    app.dependencyOverrides.set(
      getCurrentUser,
      dependency({}, () => ({ username: 'x' })),
    )
    const operation = (
      app.openapi().paths['/users/me/items/'] as Record<string, { security: unknown }>
    ).get
    expect(operation?.security).toEqual([{ OAuth2PasswordBearer: ['items', 'me'] }])
  })

  test('a replacement that cannot be planned throws at set(), naming the route, and is not kept', async () => {
    const app = createApp()
    const broken = dependency({ nope: 42 as never }, () => ({ username: 'x' }))
    expect(() => app.dependencyOverrides.set(getCurrentUser, broken)).toThrow(
      /GET \/users\/me\/items\/ in dependency .*input "nope" is not an input source/,
    )
    expect(app.dependencyOverrides.has(getCurrentUser)).toBe(false)
    expect((await app.request('/users/me/items/')).status).toBe(401)
  })

  test('keys and values must be dependencies or schemes', () => {
    const app = createApp()
    expect(() => app.dependencyOverrides.set({} as never, getCurrentUser)).toThrow(TypeError)
    expect(() => app.dependencyOverrides.set(getCurrentUser, (() => 1) as never)).toThrow(TypeError)
  })
})

// A FastAPI test suite overrides `oauth2_scheme` and keeps the real `get_current_user`: the
// scheme inside `createCurrentPrincipal` follows that override.
describe.each(transports)(
  'overriding the scheme a current principal reads ($name)',
  (transport) => {
    const codec = createJWTCodec({
      secret: 'overrides-test-secret-of-32-bytes!',
      algorithm: 'HS256',
    })
    const app = new Gatehouse()
    const scheme = new OAuth2PasswordBearer({ tokenUrl: 'token', scopes: { me: 'Me' } })
    const bearer = new HTTPBearer()
    const loadPrincipal = (username: string) => (username === 'alice' ? { username } : undefined)
    const viaPassword = createCurrentPrincipal({ scheme, jwt: codec, loadPrincipal })
    const viaBearer = createCurrentPrincipal({ scheme: bearer, jwt: codec, loadPrincipal })
    app.get(
      '/me',
      { inputs: { user: Security(viaPassword, { scopes: ['me'] }) } },
      ({ user }) => user,
    )
    app.get('/bearer', { inputs: { user: viaBearer } }, ({ user }) => user)
    let send: Send
    let close: () => Promise<void>
    beforeAll(async () => {
      ;({ send, close } = await transport.open(app))
    })
    afterAll(() => close())
    beforeEach(() => app.dependencyOverrides.clear())

    test('the replacement gives the token, which is still verified and scope-checked', async () => {
      expect((await send('/me')).status).toBe(401)
      const token = await codec.sign({ sub: 'alice', scopes: ['me'] })
      app.dependencyOverrides.set(
        scheme,
        dependency({}, () => token),
      )
      const response = await send('/me')
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ username: 'alice' })

      app.dependencyOverrides.set(
        scheme,
        dependency({}, () => codec.sign({ sub: 'alice' })),
      )
      expect((await send('/me')).status).toBe(401)
      app.dependencyOverrides.set(
        scheme,
        dependency({}, () => 'not a token'),
      )
      expect((await send('/me')).status).toBe(401)
    })

    test("an HTTPBearer's replacement gives credentials, whose token is used", async () => {
      const token = await codec.sign({ sub: 'alice' })
      app.dependencyOverrides.set(
        bearer,
        dependency({}, () => ({ scheme: 'Bearer', credentials: token })),
      )
      expect(await (await send('/bearer')).json()).toEqual({ username: 'alice' })
      app.dependencyOverrides.set(
        bearer,
        dependency({}, () => ({ scheme: 'Bearer', credentials: '' })),
      )
      const missing = await send('/bearer')
      expect(missing.status).toBe(401)
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/)
    })
  },
)
