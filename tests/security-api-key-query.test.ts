import { APIKeyQuery, Gatehouse } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const apiKey = new APIKeyQuery({ name: 'api_key' })
const optional = new APIKeyQuery({
  name: 'key',
  schemeName: 'MaybeKey',
  description: 'Optional key.',
  autoError: false,
})

const app = new Gatehouse()
app.get('/users/me', { inputs: { key: apiKey } }, function readCurrentUser({ key }) {
  expectTypeOf(key).toEqualTypeOf<string>()
  return { key }
})
app.get('/maybe', { inputs: { key: optional } }, function readMaybe({ key }) {
  expectTypeOf(key).toEqualTypeOf<string | undefined>()
  return { key: key ?? null }
})

describeEngines('APIKeyQuery', app, (send) => {
  it('gives the key from the query; the last of repeated ones wins', async () => {
    expect(await (await send('/users/me?api_key=k1')).json()).toEqual({ key: 'k1' })
    expect(await (await send('/users/me?api_key=a&api_key=b')).json()).toEqual({ key: 'b' })
    expect(await (await send('/users/me?api_key=a%20b')).json()).toEqual({ key: 'a b' })
  })

  it.each([
    ['no parameter', '/users/me'],
    ['an empty parameter', '/users/me?api_key='],
    ['another parameter', '/users/me?API_KEY=k1'],
  ])('answers 401 with an APIKey challenge for %s', async (_, path) => {
    const response = await send(path)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('APIKey')
    expect(await response.json()).toEqual({ detail: 'Not authenticated' })
  })

  it('gives undefined instead with autoError: false', async () => {
    expect(await (await send('/maybe')).json()).toEqual({ key: null })
    expect(await (await send('/maybe?key=')).json()).toEqual({ key: null })
    expect(await (await send('/maybe?key=k')).json()).toEqual({ key: 'k' })
  })
})

describe('APIKeyQuery', () => {
  it('documents the query key', async () => {
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
            security: [{ APIKeyQuery: [] }],
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
          APIKeyQuery: { type: 'apiKey', in: 'query', name: 'api_key' },
          MaybeKey: { type: 'apiKey', description: 'Optional key.', in: 'query', name: 'key' },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})
