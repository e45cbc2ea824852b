import { APIKeyCookie, Gatehouse } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const apiKey = new APIKeyCookie({ name: 'session', description: 'The session cookie.' })
const optional = new APIKeyCookie({ name: 'session', schemeName: 'MaybeSession', autoError: false })

const app = new Gatehouse()
app.get('/users/me', { inputs: { session: apiKey } }, function readCurrentUser({ session }) {
  expectTypeOf(session).toEqualTypeOf<string>()
  return { session }
})
app.get('/maybe', { inputs: { session: optional } }, function readMaybe({ session }) {
  expectTypeOf(session).toEqualTypeOf<string | undefined>()
  return { session: session ?? null }
})

describeEngines('APIKeyCookie', app, (send) => {
  const call = (path: string, cookie?: string) =>
    send(path, cookie === undefined ? {} : { headers: { cookie } })

  it('gives the key from the cookie', async () => {
    expect(await (await call('/users/me', 'session=abc')).json()).toEqual({ session: 'abc' })
    expect(await (await call('/users/me', 'theme=dark; session=a%3Db')).json()).toEqual({
      session: 'a=b',
    })
  })

  it.each([
    ['no cookie', undefined],
    ['an empty cookie', 'session='],
    ['another cookie', 'sessions=abc'],
  ])('answers 401 with an APIKey challenge for %s', async (_, cookie) => {
    const response = await call('/users/me', cookie)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('APIKey')
    expect(await response.json()).toEqual({ detail: 'Not authenticated' })
  })

  it('gives undefined instead with autoError: false', async () => {
    expect(await (await call('/maybe')).json()).toEqual({ session: null })
    expect(await (await call('/maybe', 'session=')).json()).toEqual({ session: null })
    expect(await (await call('/maybe', 'session=s')).json()).toEqual({ session: 's' })
  })

  it('reads the key from any of several Cookie header lines', async () => {
    const response = await send('/users/me', {
      headers: [
        ['cookie', 'theme=dark'],
        ['cookie', 'session=abc'],
      ],
    })
    expect(await response.json()).toEqual({ session: 'abc' })
  })
})

describe('APIKeyCookie', () => {
  it('documents the cookie key', async () => {
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
            security: [{ APIKeyCookie: [] }],
          },
        },
        '/maybe': {
          get: {
            summary: 'Read Maybe',
            operationId: 'read_maybe_maybe_get',
            responses: ok,
            security: [{ MaybeSession: [] }, {}],
          },
        },
      },
      components: {
        securitySchemes: {
          APIKeyCookie: {
            type: 'apiKey',
            description: 'The session cookie.',
            in: 'cookie',
            name: 'session',
          },
          MaybeSession: { type: 'apiKey', in: 'cookie', name: 'session' },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})
