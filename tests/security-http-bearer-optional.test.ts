import { Gatehouse, type HTTPAuthorizationCredentials, HTTPBearer } from 'gatehouse'
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
})
