import { Gatehouse, type HTTPAuthorizationCredentials, HTTPDigest } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { expectAmbiguousCredentialsRefused, twoAuthorizations } from './helpers/credentials.js'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const digest = new HTTPDigest({ description: 'HTTP Digest.' })
const optional = new HTTPDigest({ schemeName: 'DigestOptional', autoError: false })

const app = new Gatehouse()
app.get(
  '/users/me',
  { inputs: { credentials: digest } },
  function readCurrentUser({ credentials }) {
    expectTypeOf(credentials).toEqualTypeOf<HTTPAuthorizationCredentials>()
    return credentials
  },
)
app.get('/maybe', { inputs: { credentials: optional } }, function readMaybe({ credentials }) {
  expectTypeOf(credentials).toEqualTypeOf<HTTPAuthorizationCredentials | undefined>()
  return credentials ?? null
})

describeEngines('HTTPDigest', app, (send) => {
  const call = (path: string, authorization?: string) =>
    send(path, authorization === undefined ? {} : { headers: { authorization } })

  it('gives the raw digest credentials', async () => {
    const response = await call('/users/me', 'Digest username="alice", nonce="n"')
    expect(await response.json()).toEqual({
      scheme: 'Digest',
      credentials: 'username="alice", nonce="n"',
    })
    expect(await (await call('/users/me', 'digest x')).json()).toEqual({
      scheme: 'digest',
      credentials: 'x',
    })
  })

  it.each([
    ['no header', undefined],
    ['another scheme', 'Bearer abc'],
    ['empty credentials', 'Digest'],
  ])('answers 401 with a Digest challenge for %s', async (_, authorization) => {
    const response = await call('/users/me', authorization)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Digest')
    expect(await response.json()).toEqual({ detail: 'Not authenticated' })
  })

  it('gives undefined instead with autoError: false', async () => {
    expect(await (await call('/maybe')).json()).toBeNull()
    expect(await (await call('/maybe', 'Bearer abc')).json()).toBeNull()
    expect(await (await call('/maybe', 'Digest x')).json()).toEqual({
      scheme: 'Digest',
      credentials: 'x',
    })
  })

  it('answers 400 to two Authorization headers, taking neither as the credentials', async () => {
    for (const path of ['/users/me', '/maybe']) {
      const response = await send(
        path,
        twoAuthorizations(
          'Digest username="alice", nonce="n1"',
          'Digest username="bob", nonce="n2"',
        ),
      )
      await expectAmbiguousCredentialsRefused(response, 'alice', 'bob')
    }
  })
})

describe('HTTPDigest', () => {
  it('documents the http digest scheme', async () => {
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
            security: [{ HTTPDigest: [] }],
          },
        },
        '/maybe': {
          get: {
            summary: 'Read Maybe',
            operationId: 'read_maybe_maybe_get',
            responses: ok,
            security: [{ DigestOptional: [] }, {}],
          },
        },
      },
      components: {
        securitySchemes: {
          HTTPDigest: { type: 'http', description: 'HTTP Digest.', scheme: 'digest' },
          DigestOptional: { type: 'http', scheme: 'digest' },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})
