import { Gatehouse, HTTPBasic, type HTTPBasicCredentials } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { expectAmbiguousCredentialsRefused, twoAuthorizations } from './helpers/credentials.js'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const basic = new HTTPBasic({ realm: 'shop', autoError: false })

const app = new Gatehouse()
app.get('/users/me', { inputs: { credentials: basic } }, function readCurrentUser({ credentials }) {
  expectTypeOf(credentials).toEqualTypeOf<HTTPBasicCredentials | undefined>()
  return credentials ?? { msg: 'Create an account first' }
})

describeEngines('HTTPBasic with autoError: false', app, (send) => {
  const call = (authorization?: string) =>
    send('/users/me', authorization === undefined ? {} : { headers: { authorization } })

  it('gives the credentials when there are some', async () => {
    expect(await (await call('Basic am9objpzZWNyZXQ=')).json()).toEqual({
      username: 'john',
      password: 'secret',
    })
  })

  it.each([
    ['no header', undefined],
    ['another scheme', 'Bearer abc'],
    ['empty credentials', 'Basic'],
  ])('gives undefined for %s', async (_, authorization) => {
    const response = await call(authorization)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ msg: 'Create an account first' })
  })

  it('still refuses credentials that are present but malformed', async () => {
    const response = await call('Basic bm9jb2xvbg==')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="shop"')
    expect(await response.json()).toEqual({ detail: 'Invalid authentication credentials' })
  })

  it('answers 400 to two Authorization headers, taking neither as the credentials', async () => {
    const response = await send(
      '/users/me',
      twoAuthorizations('Basic am9objpzZWNyZXQ=', 'Basic YWxpY2U6b3RoZXI='),
    )
    await expectAmbiguousCredentialsRefused(response, 'am9objpzZWNyZXQ=', 'YWxpY2U6b3RoZXI=')
  })
})

describe('HTTPBasic with autoError: false', () => {
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
            security: [{ HTTPBasic: [] }, {}],
          },
        },
      },
      components: { securitySchemes: { HTTPBasic: { type: 'http', scheme: 'basic' } } },
    })
    await expectValidOpenAPI(document)
  })
})
