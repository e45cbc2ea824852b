import { dependency, Gatehouse, OAuth2PasswordBearer, Security } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { expectAmbiguousCredentialsRefused, twoAuthorizations } from './helpers/credentials.js'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const scheme = new OAuth2PasswordBearer({
  tokenUrl: '/token',
  scopes: { me: 'Read information about the current user.', items: 'Read items.' },
  description: 'Sign in with your username and password.',
})

// A dependency asking for scopes through the same scheme: the route's requirement is the union.
const getOwner = dependency(
  { token: Security(scheme, { scopes: ['me', 'items'] }) },
  ({ token }) => ({
    owner: token,
  }),
)

const app = new Gatehouse()
app.get('/users/me', { inputs: { token: scheme } }, function readCurrentUser({ token }) {
  expectTypeOf(token).toEqualTypeOf<string>()
  return { token }
})
app.get(
  '/items/',
  { inputs: { token: Security(scheme, { scopes: ['items'] }), owner: getOwner } },
  function readItems({ token, owner }) {
    expectTypeOf(token).toEqualTypeOf<string>()
    return { token, ...owner }
  },
)

async function expectNotAuthenticated(response: Response) {
  expect(response.status).toBe(401)
  expect(response.headers.get('www-authenticate')).toBe('Bearer')
  expect(await response.json()).toEqual({ detail: 'Not authenticated' })
}

describeEngines('OAuth2PasswordBearer', app, (send) => {
  const call = (path: string, authorization?: string) =>
    send(path, authorization === undefined ? {} : { headers: { authorization } })

  it('gives the bearer token', async () => {
    const response = await call('/users/me', 'Bearer abc.def.ghi')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ token: 'abc.def.ghi' })
  })

  it('compares the scheme case-insensitively', async () => {
    expect(await (await call('/users/me', 'bearer tok')).json()).toEqual({ token: 'tok' })
    expect(await (await call('/users/me', 'BEARER tok')).json()).toEqual({ token: 'tok' })
  })

  it('splits at the first space and trims the token', async () => {
    expect(await (await call('/users/me', 'Bearer    tok   ')).json()).toEqual({ token: 'tok' })
    expect(await (await call('/users/me', 'Bearer a b')).json()).toEqual({ token: 'a b' })
  })

  it('answers 401 with a Bearer challenge when the header is missing', async () => {
    await expectNotAuthenticated(await call('/users/me'))
  })

  it.each([
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['no scheme', 'abc.def.ghi'],
    ['no space', 'Bearerabc'],
    ['an empty token', 'Bearer'],
    ['a blank token', 'Bearer      '],
    ['an empty header', ''],
  ])('answers 401 for %s', async (_, authorization) => {
    await expectNotAuthenticated(await call('/users/me', authorization))
  })

  it('never echoes the credentials', async () => {
    const response = await call('/users/me', 'Token s3cr3t-value')
    expect(await response.text()).not.toContain('s3cr3t')
  })

  it('reads the scheme once for inputs and dependencies alike', async () => {
    const response = await call('/items/', 'Bearer tok')
    expect(await response.json()).toEqual({ token: 'tok', owner: 'tok' })
    await expectNotAuthenticated(await call('/items/'))
  })

  it('answers 400 to two Authorization headers, taking neither as the credentials', async () => {
    for (const path of ['/users/me', '/items/']) {
      const response = await send(
        path,
        twoAuthorizations('Bearer first-token', 'Bearer second-token'),
      )
      await expectAmbiguousCredentialsRefused(response, 'first-token', 'second-token')
    }
  })
})

describe('OAuth2PasswordBearer', () => {
  it('is named after its class unless told otherwise', () => {
    class MyBearer extends OAuth2PasswordBearer {}
    expect(scheme.schemeName).toBe('OAuth2PasswordBearer')
    expect(new MyBearer({ tokenUrl: 'token' }).schemeName).toBe('MyBearer')
    expect(new OAuth2PasswordBearer({ tokenUrl: 'token', schemeName: 'login' }).schemeName).toBe(
      'login',
    )
    expect(scheme.autoError).toBe(true)
    expect(Object.isFrozen(scheme.model)).toBe(true)
  })

  it('refuses misuse at construction, naming the option', () => {
    const make = (options: unknown) =>
      new OAuth2PasswordBearer(options as ConstructorParameters<typeof OAuth2PasswordBearer>[0])
    // @ts-expect-error tokenUrl is required
    expect(() => new OAuth2PasswordBearer({})).toThrow(TypeError)
    expect(() => make({})).toThrow(
      new TypeError('OAuth2PasswordBearer: `tokenUrl` must be a non-empty string'),
    )
    expect(() => make({ tokenUrl: 'token', refreshUrl: '' })).toThrow(/`refreshUrl`/)
    expect(() => make({ tokenUrl: 'token', scopes: { 'a b': 'x' } })).toThrow(/`scopes`/)
    expect(() => make({ tokenUrl: 'token', scopes: { a: 1 } })).toThrow(/`scopes`/)
    expect(() => make({ tokenUrl: 'token', schemeName: 'a b' })).toThrow(/`schemeName`/)
    expect(() => make({ tokenUrl: 'token', autoError: 'no' })).toThrow(/`autoError`/)
    expect(() => make({ tokenUrl: 'token', description: 1 })).toThrow(/`description`/)
    expect(() => make(null)).toThrow(/`options`/)
  })

  it('documents the password flow and the union of scopes, in order of first appearance', async () => {
    const document = app.openapi()
    expect(document).toEqual({
      openapi: '3.1.0',
      info: { title: 'Gatehouse', version: '0.1.0' },
      paths: {
        '/users/me': {
          get: {
            summary: 'Read Current User',
            operationId: 'read_current_user_users_me_get',
            responses: {
              '200': {
                description: 'Successful Response',
                content: { 'application/json': { schema: {} } },
              },
            },
            security: [{ OAuth2PasswordBearer: [] }],
          },
        },
        '/items/': {
          get: {
            summary: 'Read Items',
            operationId: 'read_items_items__get',
            responses: {
              '200': {
                description: 'Successful Response',
                content: { 'application/json': { schema: {} } },
              },
            },
            security: [{ OAuth2PasswordBearer: ['items', 'me'] }],
          },
        },
      },
      components: {
        securitySchemes: {
          OAuth2PasswordBearer: {
            type: 'oauth2',
            description: 'Sign in with your username and password.',
            flows: {
              password: {
                tokenUrl: '/token',
                scopes: { me: 'Read information about the current user.', items: 'Read items.' },
              },
            },
          },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})
