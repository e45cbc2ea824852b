import { Gatehouse, OpenIdConnect, Security } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { expectAmbiguousCredentialsRefused, twoAuthorizations } from './helpers/credentials.js'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const DISCOVERY = 'https://id.example.com/.well-known/openid-configuration'
const required = new OpenIdConnect({
  openIdConnectUrl: DISCOVERY,
  description: 'Sign in with Example ID.',
})
const optional = new OpenIdConnect({
  openIdConnectUrl: DISCOVERY,
  schemeName: 'OpenIdConnectOptional',
  autoError: false,
})

const app = new Gatehouse()
app.get(
  '/users/me',
  { inputs: { authorization: Security(required, { scopes: ['openid', 'profile'] }) } },
  function readMe({ authorization }) {
    expectTypeOf(authorization).toEqualTypeOf<string>()
    return { authorization }
  },
)
app.get('/maybe', { inputs: { authorization: optional } }, function readMaybe({ authorization }) {
  expectTypeOf(authorization).toEqualTypeOf<string | undefined>()
  return { authorization: authorization ?? null }
})

describeEngines('OpenIdConnect', app, (send) => {
  const call = (path: string, authorization?: string) =>
    send(path, authorization === undefined ? {} : { headers: { authorization } })

  it('gives the raw Authorization header', async () => {
    const response = await call('/users/me', 'Bearer id-token')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ authorization: 'Bearer id-token' })
  })

  it('answers 401 with a Bearer challenge without the header', async () => {
    const response = await call('/users/me')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect(await response.json()).toEqual({ detail: 'Not authenticated' })
  })

  it('gives undefined instead with autoError: false', async () => {
    expect(await (await call('/maybe')).json()).toEqual({ authorization: null })
    expect(await (await call('/maybe', 'Bearer t')).json()).toEqual({ authorization: 'Bearer t' })
  })

  it('answers 400 to two Authorization headers, taking neither as the credentials', async () => {
    for (const path of ['/users/me', '/maybe']) {
      const response = await send(
        path,
        twoAuthorizations('Bearer first-token', 'Bearer second-token'),
      )
      await expectAmbiguousCredentialsRefused(response, 'first-token', 'second-token')
    }
  })
})

describe('OpenIdConnect', () => {
  it('requires openIdConnectUrl', () => {
    expect(() => new OpenIdConnect({} as { openIdConnectUrl: string })).toThrow(
      new TypeError('OpenIdConnect: `openIdConnectUrl` must be a non-empty string'),
    )
  })

  it('documents the discovery URL', async () => {
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
            summary: 'Read Me',
            operationId: 'read_me_users_me_get',
            responses: ok,
            security: [{ OpenIdConnect: ['openid', 'profile'] }],
          },
        },
        '/maybe': {
          get: {
            summary: 'Read Maybe',
            operationId: 'read_maybe_maybe_get',
            responses: ok,
            security: [{ OpenIdConnectOptional: [] }, {}],
          },
        },
      },
      components: {
        securitySchemes: {
          OpenIdConnect: {
            type: 'openIdConnect',
            description: 'Sign in with Example ID.',
            openIdConnectUrl: DISCOVERY,
          },
          OpenIdConnectOptional: { type: 'openIdConnect', openIdConnectUrl: DISCOVERY },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})
