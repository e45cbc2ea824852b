import {
  APIKeyHeader,
  Depends,
  dependency,
  Gatehouse,
  OAuth2PasswordBearer,
  type RequestView,
  type SchemeContext,
  Security,
  SecurityScheme,
  SecurityScopes,
} from 'gatehouse'
import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const oauth2 = new OAuth2PasswordBearer({
  tokenUrl: 'token',
  scopes: { me: 'Read me.', items: 'Read items.', a: 'A.', b: 'B.' },
})
const apiKey = new APIKeyHeader({ name: 'X-Key', autoError: false })

const calls = { db: 0, user: 0 }
// Scope-free: one session per request, whatever the scopes of its dependants.
const getDB = dependency({}, function getDB() {
  calls.db++
  return { session: calls.db }
})
const getCurrentUser = dependency(
  { securityScopes: SecurityScopes, token: oauth2, db: getDB },
  function getCurrentUser({ securityScopes, token, db }) {
    expectTypeOf(securityScopes).toEqualTypeOf<SecurityScopes>()
    calls.user++
    return {
      username: token,
      scopes: securityScopes.scopes,
      scopeStr: securityScopes.scopeStr,
      session: db.session,
    }
  },
)
const getCurrentActiveUser = dependency(
  { currentUser: Security(getCurrentUser, { scopes: ['me'] }) },
  ({ currentUser }) => currentUser,
)

const app = new Gatehouse()
app.get(
  '/users/me/items/',
  { inputs: { user: Security(getCurrentActiveUser, { scopes: ['items'] }) } },
  function readOwnItems({ user }) {
    expectTypeOf(user.username).toEqualTypeOf<string>()
    return user
  },
)
app.get('/users/me/', { inputs: { user: getCurrentActiveUser } }, function readUsersMe({ user }) {
  return user
})
app.get('/status/', { inputs: { user: getCurrentUser } }, function readStatus({ user }) {
  return user
})
app.get(
  '/repeat',
  { inputs: { user: Security(getCurrentActiveUser, { scopes: ['me', 'items'] }) } },
  function readRepeat({ user }) {
    return user
  },
)
app.get(
  '/siblings',
  {
    inputs: {
      a: Security(getCurrentUser, { scopes: ['a'] }),
      b: Security(getCurrentUser, { scopes: ['b'] }),
      plain: getCurrentUser,
      again: Security(getCurrentUser, { scopes: ['a'] }),
      fresh: Depends(getCurrentUser, { useCache: false }),
    },
  },
  function readSiblings(users) {
    return users
  },
)
app.get(
  '/mixed',
  { inputs: { user: getCurrentUser, key: apiKey } },
  function readMixed({ user, key }) {
    return { user: user.username, key: key ?? null }
  },
)

beforeEach(() => {
  calls.db = 0
  calls.user = 0
})

describeEngines('SecurityScopes', app, (send) => {
  const call = (path: string) => send(path, { headers: { authorization: 'Bearer alice' } })

  it('accumulates scopes outermost first', async () => {
    const user = await (await call('/users/me/items/')).json()
    expect(user).toMatchObject({ username: 'alice', scopes: ['items', 'me'], scopeStr: 'items me' })
    expect(await (await call('/users/me/')).json()).toMatchObject({
      scopes: ['me'],
      scopeStr: 'me',
    })
    expect(await (await call('/status/')).json()).toMatchObject({ scopes: [], scopeStr: '' })
  })

  it('does not repeat a scope already inherited', async () => {
    expect(await (await call('/repeat')).json()).toMatchObject({ scopes: ['me', 'items'] })
  })

  it('keeps siblings apart and runs a scope-using dependency once per scope set', async () => {
    const users = await (await call('/siblings')).json()
    expect(users.a.scopes).toEqual(['a'])
    expect(users.b.scopes).toEqual(['b'])
    expect(users.plain.scopes).toEqual([])
    expect(users.again).toEqual(users.a)
    expect(users.fresh.scopes).toEqual([])
    // a, b, plain and the uncached one; `again` reuses a's value.
    expect(calls.user).toBe(4)
    // The scope-free session is created once and shared by all of them.
    expect(calls.db).toBe(1)
    expect(
      new Set(Object.values(users).map((user) => (user as { session: number }).session)),
    ).toEqual(new Set([1]))
  })

  it('runs everything again on the next request', async () => {
    await call('/siblings')
    await call('/siblings')
    expect(calls).toEqual({ db: 2, user: 8 })
  })

  it('stops at the scheme before any dependency runs', async () => {
    const response = await send('/users/me/items/')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect(calls).toEqual({ db: 0, user: 0 })
  })
})

describe('SecurityScopes', () => {
  it('documents one requirement per route with the union of scopes', async () => {
    const document = app.openapi()
    const operation = (summary: string, operationId: string, security: unknown) => ({
      get: {
        summary,
        operationId,
        responses: {
          '200': {
            description: 'Successful Response',
            content: { 'application/json': { schema: {} } },
          },
        },
        security,
      },
    })
    expect(document).toEqual({
      openapi: '3.1.0',
      info: { title: 'Gatehouse', version: '0.1.0' },
      paths: {
        '/users/me/items/': operation('Read Own Items', 'read_own_items_users_me_items__get', [
          { OAuth2PasswordBearer: ['items', 'me'] },
        ]),
        '/users/me/': operation('Read Users Me', 'read_users_me_users_me__get', [
          { OAuth2PasswordBearer: ['me'] },
        ]),
        '/status/': operation('Read Status', 'read_status_status__get', [
          { OAuth2PasswordBearer: [] },
        ]),
        '/repeat': operation('Read Repeat', 'read_repeat_repeat_get', [
          { OAuth2PasswordBearer: ['me', 'items'] },
        ]),
        '/siblings': operation('Read Siblings', 'read_siblings_siblings_get', [
          { OAuth2PasswordBearer: ['a', 'b'] },
        ]),
        '/mixed': operation('Read Mixed', 'read_mixed_mixed_get', [
          { OAuth2PasswordBearer: [], APIKeyHeader: [] },
          { OAuth2PasswordBearer: [] },
        ]),
      },
      components: {
        securitySchemes: {
          OAuth2PasswordBearer: {
            type: 'oauth2',
            flows: {
              password: {
                tokenUrl: 'token',
                scopes: { me: 'Read me.', items: 'Read items.', a: 'A.', b: 'B.' },
              },
            },
          },
          APIKeyHeader: { type: 'apiKey', in: 'header', name: 'X-Key' },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})

/** A scheme that answers with what it was told about the route: the scopes required through it. */
class ScopesSeen extends SecurityScheme<readonly string[]> {
  readonly schemeName = 'ScopesSeen'
  readonly autoError = true
  readonly model = { type: 'http', scheme: 'bearer' } as const
  extract(_request: RequestView, context?: SchemeContext): readonly string[] {
    return context?.scopes ?? []
  }
}
const seen = new ScopesSeen()
const first = dependency({ scopes: seen }, ({ scopes }) => scopes)
const second = dependency({ inner: Security(first, { scopes: ['b'] }) }, ({ inner }) => inner)
const contextApp = new Gatehouse()
contextApp.get(
  '/seen',
  { inputs: { a: Security(first, { scopes: ['a'] }), b: Security(second, { scopes: ['c'] }) } },
  ({ a }) => ({ scopes: a }),
)
contextApp.get('/none', { inputs: { a: first } }, ({ a }) => ({ scopes: a }))

describeEngines('a scheme’s context', contextApp, (send) => {
  it('holds every scope the route requires through the scheme, as OpenAPI lists them', async () => {
    expect(await (await send('/seen')).json()).toEqual({ scopes: ['a', 'c', 'b'] })
    expect(await (await send('/none')).json()).toEqual({ scopes: [] })
    const document = await (await send('/openapi.json')).json()
    expect(document.paths['/seen'].get.security).toEqual([{ ScopesSeen: ['a', 'c', 'b'] }])
  })
})
