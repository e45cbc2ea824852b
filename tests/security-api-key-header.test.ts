import { APIKeyHeader, dependency, Gatehouse } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { expectAmbiguousCredentialsRefused, twoAuthorizations } from './helpers/credentials.js'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const apiKey = new APIKeyHeader({ name: 'X-API-Key', description: 'Your API key.' })
const optional = new APIKeyHeader({ name: 'X-Maybe-Key', schemeName: 'MaybeKey', autoError: false })
const getUser = dependency({ key: apiKey }, ({ key }) => ({ username: `owner of ${key}` }))

const app = new Gatehouse()
app.get('/users/me', { inputs: { user: getUser } }, function readCurrentUser({ user }) {
  return user
})
app.get('/maybe', { inputs: { key: optional } }, function readMaybe({ key }) {
  expectTypeOf(key).toEqualTypeOf<string | undefined>()
  return { key: key ?? null }
})

describeEngines('APIKeyHeader', app, (send) => {
  const call = (path: string, headers: Record<string, string> = {}) => send(path, { headers })

  it('gives the key from the header, whatever its case', async () => {
    const response = await call('/users/me', { 'x-api-key': 'k1' })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ username: 'owner of k1' })
    expect(await (await call('/users/me', { 'X-API-KEY': 'k2' })).json()).toEqual({
      username: 'owner of k2',
    })
  })

  it.each([
    ['no header', {}],
    ['an empty header', { 'x-api-key': '' }],
    ['another header', { authorization: 'Bearer k1' }],
  ])('answers 401 with an APIKey challenge for %s', async (_, headers) => {
    const response = await call('/users/me', headers)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('APIKey')
    expect(await response.json()).toEqual({ detail: 'Not authenticated' })
  })

  it('gives undefined instead with autoError: false', async () => {
    expect(await (await call('/maybe')).json()).toEqual({ key: null })
    expect(await (await call('/maybe', { 'x-maybe-key': '' })).json()).toEqual({ key: null })
    expect(await (await call('/maybe', { 'x-maybe-key': 'k' })).json()).toEqual({ key: 'k' })
  })
})

// A key in the Authorization header is credentials like any other scheme's.
const inAuthorization = new Gatehouse()
inAuthorization.get(
  '/users/me',
  { inputs: { key: new APIKeyHeader({ name: 'Authorization' }) } },
  ({ key }) => ({ key }),
)

describeEngines('APIKeyHeader named Authorization', inAuthorization, (send) => {
  it('gives the whole header value as the key', async () => {
    const response = await send('/users/me', { headers: { authorization: 'key-one' } })
    expect(await response.json()).toEqual({ key: 'key-one' })
  })

  it('answers 400 to two Authorization headers, taking neither as the key', async () => {
    const response = await send('/users/me', twoAuthorizations('key-one', 'key-two'))
    await expectAmbiguousCredentialsRefused(response, 'key-one', 'key-two')
  })
})

describe('APIKeyHeader', () => {
  it('requires a valid header name', () => {
    expect(() => new APIKeyHeader({} as { name: string })).toThrow(
      new TypeError('APIKeyHeader: `name` must be a non-empty string'),
    )
    expect(() => new APIKeyHeader({ name: 'X Key' })).toThrow(
      new TypeError('APIKeyHeader: `name` must be a valid header name'),
    )
  })

  it('documents the header key', async () => {
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
            security: [{ APIKeyHeader: [] }],
          },
        },
        '/maybe': {
          get: {
            summary: 'Read Maybe',
            operationId: 'read_maybe_maybe_get',
            responses: ok,
            security: [{ MaybeKey: [] }, {}],
          },
        },
      },
      components: {
        securitySchemes: {
          APIKeyHeader: {
            type: 'apiKey',
            description: 'Your API key.',
            in: 'header',
            name: 'X-API-Key',
          },
          MaybeKey: { type: 'apiKey', in: 'header', name: 'X-Maybe-Key' },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})
