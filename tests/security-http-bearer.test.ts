import { Gatehouse, type HTTPAuthorizationCredentials, HTTPBearer, Security } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { expectAmbiguousCredentialsRefused, twoAuthorizations } from './helpers/credentials.js'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const bearer = new HTTPBearer({ bearerFormat: 'JWT', description: 'A JWT access token.' })
const plain = new HTTPBearer({ schemeName: 'PlainBearer' })

const app = new Gatehouse()
app.get(
  '/users/me',
  { inputs: { credentials: bearer } },
  function readCurrentUser({ credentials }) {
    expectTypeOf(credentials).toEqualTypeOf<HTTPAuthorizationCredentials>()
    return credentials
  },
)
app.get(
  '/admin',
  { inputs: { credentials: Security(plain, { scopes: ['admin'] }) } },
  function readAdmin({ credentials }) {
    return credentials
  },
)

describeEngines('HTTPBearer', app, (send) => {
  const call = (path: string, authorization?: string) =>
    send(path, authorization === undefined ? {} : { headers: { authorization } })

  it('gives the scheme as sent and the credentials', async () => {
    const response = await call('/users/me', 'Bearer abc.def')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ scheme: 'Bearer', credentials: 'abc.def' })
    expect(await (await call('/users/me', 'bearer abc')).json()).toEqual({
      scheme: 'bearer',
      credentials: 'abc',
    })
  })

  it('splits at the first space and trims the credentials', async () => {
    expect(await (await call('/users/me', 'Bearer   abc  ')).json()).toEqual({
      scheme: 'Bearer',
      credentials: 'abc',
    })
  })

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['no scheme', 'abc.def'],
    ['an empty token', 'Bearer'],
    ['a blank token', 'Bearer    '],
  ])('answers 401 with a Bearer challenge for %s', async (_, authorization) => {
    const response = await call('/users/me', authorization)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect(await response.json()).toEqual({ detail: 'Not authenticated' })
  })

  it('answers 400 to two Authorization headers, taking neither as the credentials', async () => {
    const response = await send(
      '/users/me',
      twoAuthorizations('Bearer first-token', 'Bearer second-token'),
    )
    await expectAmbiguousCredentialsRefused(response, 'first-token', 'second-token')
  })
})

describe('HTTPBearer', () => {
  it('refuses an empty bearerFormat', () => {
    expect(() => new HTTPBearer({ bearerFormat: '' })).toThrow(
      new TypeError('HTTPBearer: `bearerFormat` must be a non-empty string'),
    )
  })

  it('documents the http bearer scheme', async () => {
    const document = app.openapi()
    const ok = {
      '200': {
        description: 'Successful Response',
        content: { 'application/json': { schema: {} } },
      },
    }
    expect(document).toEqual({
      openapi: '3.1.0',
      info: { title: 'Gatehouse', version: '0.1.0' },
      paths: {
        '/users/me': {
          get: {
            summary: 'Read Current User',
            operationId: 'read_current_user_users_me_get',
            responses: ok,
            security: [{ HTTPBearer: [] }],
          },
        },
        '/admin': {
          get: {
            summary: 'Read Admin',
            operationId: 'read_admin_admin_get',
            responses: ok,
            security: [{ PlainBearer: ['admin'] }],
          },
        },
      },
      components: {
        securitySchemes: {
          HTTPBearer: {
            type: 'http',
            description: 'A JWT access token.',
            scheme: 'bearer',
            bearerFormat: 'JWT',
          },
          PlainBearer: { type: 'http', scheme: 'bearer' },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})
