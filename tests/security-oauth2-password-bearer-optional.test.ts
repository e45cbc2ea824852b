import { dependency, Gatehouse, OAuth2PasswordBearer, Security } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { expectAmbiguousCredentialsRefused, twoAuthorizations } from './helpers/credentials.js'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const scheme = new OAuth2PasswordBearer({
  tokenUrl: '/token',
  refreshUrl: '/token/refresh',
  scopes: { read: 'Read.' },
  autoError: false,
})

const maybeUser = dependency({ token: Security(scheme, { scopes: ['read'] }) }, ({ token }) => {
  expectTypeOf(token).toEqualTypeOf<string | undefined>()
  return token === undefined ? undefined : { username: token }
})

const app = new Gatehouse()
app.get('/users/me', { inputs: { user: maybeUser } }, function readUsersMe({ user }) {
  return user ?? { msg: 'Create an account first' }
})
app.get('/token', { inputs: { token: scheme } }, function readToken({ token }) {
  expectTypeOf(token).toEqualTypeOf<string | undefined>()
  return { token: token ?? null }
})

describeEngines('OAuth2PasswordBearer with autoError: false', app, (send) => {
  const call = (path: string, authorization?: string) =>
    send(path, authorization === undefined ? {} : { headers: { authorization } })

  it('gives the token when there is one', async () => {
    const response = await call('/users/me', 'Bearer alice')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ username: 'alice' })
    expect(await (await call('/token', 'bearer  tok ')).json()).toEqual({ token: 'tok' })
  })

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['an empty token', 'Bearer'],
    ['no scheme', 'alice'],
  ])('gives undefined for %s', async (_, authorization) => {
    const response = await call('/users/me', authorization)
    expect(response.status).toBe(200)
    expect(response.headers.get('www-authenticate')).toBeNull()
    expect(await response.json()).toEqual({ msg: 'Create an account first' })
    expect(await (await call('/token', authorization)).json()).toEqual({ token: null })
  })

  it('answers 400 to two Authorization headers, taking neither as the credentials', async () => {
    for (const path of ['/users/me', '/token']) {
      const response = await send(
        path,
        twoAuthorizations('Bearer first-token', 'Bearer second-token'),
      )
      await expectAmbiguousCredentialsRefused(response, 'first-token', 'second-token')
    }
  })
})

describe('OAuth2PasswordBearer with autoError: false', () => {
  it('is typed as optional', () => {
    expect(scheme.autoError).toBe(false)
    expectTypeOf(scheme.autoError).toEqualTypeOf<false>()
    const sometimes = new OAuth2PasswordBearer({ tokenUrl: 't', autoError: Math.random() > 2 })
    expectTypeOf(sometimes.extract).returns.toEqualTypeOf<string | undefined>()
  })

  it('documents the requirement and, as an alternative, no credentials', async () => {
    const document = app.openapi()
    expect(document).toEqual({
      openapi: '3.1.0',
      info: { title: 'Gatehouse', version: '0.1.0' },
      paths: {
        '/users/me': {
          get: {
            summary: 'Read Users Me',
            operationId: 'read_users_me_users_me_get',
            responses: {
              '200': {
                description: 'Successful Response',
                content: { 'application/json': { schema: {} } },
              },
            },
            security: [{ OAuth2PasswordBearer: ['read'] }, {}],
          },
        },
        '/token': {
          get: {
            summary: 'Read Token',
            operationId: 'read_token_token_get',
            responses: {
              '200': {
                description: 'Successful Response',
                content: { 'application/json': { schema: {} } },
              },
            },
            security: [{ OAuth2PasswordBearer: [] }, {}],
          },
        },
      },
      components: {
        securitySchemes: {
          OAuth2PasswordBearer: {
            type: 'oauth2',
            flows: {
              password: {
                tokenUrl: '/token',
                refreshUrl: '/token/refresh',
                scopes: { read: 'Read.' },
              },
            },
          },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})
