import {
  createCurrentPrincipal,
  createJWTCodec,
  Gatehouse,
  type HTTPAuthorizationCredentials,
  HTTPBearer,
  OAuth2PasswordBearer,
} from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { expectAmbiguousCredentialsRefused, twoAuthorizations } from './helpers/credentials.js'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const bearer = new HTTPBearer({ autoError: false })

const app = new Gatehouse()
app.get(
  '/users/me',
  { inputs: { credentials: bearer } },
  function readCurrentUser({ credentials }) {
    expectTypeOf(credentials).toEqualTypeOf<HTTPAuthorizationCredentials | undefined>()
    return credentials ?? { msg: 'Create an account first' }
  },
)

describeEngines('HTTPBearer with autoError: false', app, (send) => {
  const call = (authorization?: string) =>
    send('/users/me', authorization === undefined ? {} : { headers: { authorization } })

  it('gives the credentials when there are some', async () => {
    expect(await (await call('Bearer abc')).json()).toEqual({
      scheme: 'Bearer',
      credentials: 'abc',
    })
  })

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['an empty token', 'Bearer'],
  ])('gives undefined for %s', async (_, authorization) => {
    const response = await call(authorization)
    expect(response.status).toBe(200)
    expect(response.headers.get('www-authenticate')).toBeNull()
    expect(await response.json()).toEqual({ msg: 'Create an account first' })
  })

  it('answers 400 to two Authorization headers, taking neither as the credentials', async () => {
    const response = await send(
      '/users/me',
      twoAuthorizations('Bearer first-token', 'Bearer second-token'),
    )
    await expectAmbiguousCredentialsRefused(response, 'first-token', 'second-token')
  })
})

describe('HTTPBearer with autoError: false', () => {
  it('documents the requirement and, as an alternative, no credentials', async () => {
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
            security: [{ HTTPBearer: [] }, {}],
          },
        },
      },
      components: { securitySchemes: { HTTPBearer: { type: 'http', scheme: 'bearer' } } },
    })
    await expectValidOpenAPI(document)
  })

  it('lists each alternative once when a required use of the same scheme covers the optional one', async () => {
    // The optional scheme read as is, and through createCurrentPrincipal (which requires it).
    const optional = new OAuth2PasswordBearer({ tokenUrl: 'token', autoError: false })
    const principal = createCurrentPrincipal({
      scheme: optional,
      jwt: createJWTCodec({ secret: 'x'.repeat(32), algorithm: 'HS256' }),
      loadPrincipal: (subject) => ({ subject }),
    })
    const mixed = new Gatehouse()
    mixed.get('/mixed', { inputs: { raw: optional, user: principal } }, () => 1)
    mixed.get('/alone', { inputs: { raw: optional } }, () => 1)
    const document = mixed.openapi()
    const paths = document.paths as Record<string, { get?: { security?: unknown } }>
    expect(paths['/mixed']?.get?.security).toEqual([{ OAuth2PasswordBearer: [] }])
    expect(paths['/alone']?.get?.security).toEqual([{ OAuth2PasswordBearer: [] }, {}])
    await expectValidOpenAPI(document)
  })
})
