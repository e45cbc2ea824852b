import { Gatehouse, OAuth2AuthorizationCodeBearer, Security } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { expectAmbiguousCredentialsRefused, twoAuthorizations } from './helpers/credentials.js'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const required = new OAuth2AuthorizationCodeBearer({
  authorizationUrl: 'https://auth.example.com/authorize',
  tokenUrl: 'https://auth.example.com/token',
  refreshUrl: 'https://auth.example.com/refresh',
  scopes: { 'items:read': 'Read items.' },
  description: 'OAuth2 code flow.',
})
const optional = new OAuth2AuthorizationCodeBearer({
  authorizationUrl: 'authorize',
  tokenUrl: 'token',
  schemeName: 'CodeOptional',
  autoError: false,
})

const app = new Gatehouse()
app.get(
  '/items/',
  { inputs: { token: Security(required, { scopes: ['items:read'] }) } },
  function readItems({ token }) {
    expectTypeOf(token).toEqualTypeOf<string>()
    return { token }
  },
)
app.get('/maybe', { inputs: { token: optional } }, function readMaybe({ token }) {
  expectTypeOf(token).toEqualTypeOf<string | undefined>()
  return { token: token ?? null }
})

describeEngines('OAuth2AuthorizationCodeBearer', app, (send) => {
  const call = (path: string, authorization?: string) =>
    send(path, authorization === undefined ? {} : { headers: { authorization } })

  it('gives the bearer token', async () => {
    expect(await (await call('/items/', 'Bearer code-token')).json()).toEqual({
      token: 'code-token',
    })
    expect(await (await call('/items/', 'bearer   t  ')).json()).toEqual({ token: 't' })
  })

  it.each([
    ['no header', undefined],
    ['another scheme', 'Digest abc'],
    ['an empty token', 'Bearer'],
  ])('answers 401 with a Bearer challenge for %s', async (_, authorization) => {
    const response = await call('/items/', authorization)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect(await response.json()).toEqual({ detail: 'Not authenticated' })
  })

  it('gives undefined instead with autoError: false', async () => {
    expect(await (await call('/maybe')).json()).toEqual({ token: null })
    expect(await (await call('/maybe', 'Basic abc')).json()).toEqual({ token: null })
    expect(await (await call('/maybe', 'Bearer t')).json()).toEqual({ token: 't' })
  })

  it('answers 400 to two Authorization headers, taking neither as the credentials', async () => {
    for (const path of ['/items/', '/maybe']) {
      const response = await send(
        path,
        twoAuthorizations('Bearer first-token', 'Bearer second-token'),
      )
      await expectAmbiguousCredentialsRefused(response, 'first-token', 'second-token')
    }
  })
})

describe('OAuth2AuthorizationCodeBearer', () => {
  it('requires both URLs, naming the option', () => {
    const make = (options: object) =>
      new OAuth2AuthorizationCodeBearer(
        options as ConstructorParameters<typeof OAuth2AuthorizationCodeBearer>[0],
      )
    expect(() => make({ tokenUrl: 'token' })).toThrow(
      new TypeError('OAuth2AuthorizationCodeBearer: `authorizationUrl` must be a non-empty string'),
    )
    expect(() => make({ authorizationUrl: 'authorize' })).toThrow(
      new TypeError('OAuth2AuthorizationCodeBearer: `tokenUrl` must be a non-empty string'),
    )
  })

  it('documents the authorization code flow', async () => {
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
        '/items/': {
          get: {
            summary: 'Read Items',
            operationId: 'read_items_items__get',
            responses: ok,
            security: [{ OAuth2AuthorizationCodeBearer: ['items:read'] }],
          },
        },
        '/maybe': {
          get: {
            summary: 'Read Maybe',
            operationId: 'read_maybe_maybe_get',
            responses: ok,
            security: [{ CodeOptional: [] }, {}],
          },
        },
      },
      components: {
        securitySchemes: {
          OAuth2AuthorizationCodeBearer: {
            type: 'oauth2',
            description: 'OAuth2 code flow.',
            flows: {
              authorizationCode: {
                authorizationUrl: 'https://auth.example.com/authorize',
                tokenUrl: 'https://auth.example.com/token',
                refreshUrl: 'https://auth.example.com/refresh',
                scopes: { 'items:read': 'Read items.' },
              },
            },
          },
          CodeOptional: {
            type: 'oauth2',
            flows: {
              authorizationCode: { authorizationUrl: 'authorize', tokenUrl: 'token', scopes: {} },
            },
          },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})
