import { Gatehouse, OAuth2, type OAuth2Options, Security } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { expectAmbiguousCredentialsRefused, twoAuthorizations } from './helpers/credentials.js'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const everyFlow = new OAuth2({
  flows: {
    implicit: { authorizationUrl: 'https://id.example.com/authorize', scopes: { read: 'Read.' } },
    password: { tokenUrl: '/token' },
    clientCredentials: { tokenUrl: '/token', refreshUrl: '/refresh', scopes: { admin: 'Admin.' } },
    authorizationCode: {
      authorizationUrl: 'https://id.example.com/authorize',
      tokenUrl: 'https://id.example.com/token',
      scopes: { read: 'Read.', write: 'Write.' },
    },
  },
  description: 'Every flow at once.',
})
const optional = new OAuth2({
  flows: { implicit: { authorizationUrl: '/authorize' } },
  schemeName: 'ImplicitOptional',
  autoError: false,
})

const app = new Gatehouse()
app.get(
  '/items',
  { inputs: { authorization: Security(everyFlow, { scopes: ['read', 'write'] }) } },
  function readItems({ authorization }) {
    expectTypeOf(authorization).toEqualTypeOf<string>()
    return { authorization }
  },
)
app.get('/maybe', { inputs: { authorization: optional } }, function readMaybe({ authorization }) {
  expectTypeOf(authorization).toEqualTypeOf<string | undefined>()
  return { authorization: authorization ?? null }
})

describeEngines('OAuth2 with any flows', app, (send) => {
  const call = (path: string, authorization?: string) =>
    send(path, authorization === undefined ? {} : { headers: { authorization } })

  it('gives the raw Authorization header, whatever its scheme', async () => {
    expect(await (await call('/items', 'Bearer tok')).json()).toEqual({
      authorization: 'Bearer tok',
    })
    expect(await (await call('/items', 'Custom x y')).json()).toEqual({
      authorization: 'Custom x y',
    })
  })

  it('answers 401 with a Bearer challenge without the header', async () => {
    for (const authorization of [undefined, '']) {
      const response = await call('/items', authorization)
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('Bearer')
      expect(await response.json()).toEqual({ detail: 'Not authenticated' })
    }
  })

  it('gives undefined instead with autoError: false', async () => {
    expect(await (await call('/maybe')).json()).toEqual({ authorization: null })
    expect(await (await call('/maybe', 'Bearer t')).json()).toEqual({ authorization: 'Bearer t' })
  })

  it('answers 400 to two Authorization headers, taking neither as the credentials', async () => {
    for (const path of ['/items', '/maybe']) {
      const response = await send(
        path,
        twoAuthorizations('Bearer first-token', 'Bearer second-token'),
      )
      await expectAmbiguousCredentialsRefused(response, 'first-token', 'second-token')
    }
  })
})

describe('OAuth2 with any flows', () => {
  it('validates the flows at construction, naming the option', () => {
    const make = (flows: unknown) => () => new OAuth2({ flows } as OAuth2Options)
    expect(make({ password: {} })).toThrow(
      new TypeError('OAuth2: `flows.password.tokenUrl` must be a non-empty string'),
    )
    expect(make({ clientCredentials: { tokenUrl: '' } })).toThrow(
      /`flows\.clientCredentials\.tokenUrl`/,
    )
    expect(make({ implicit: { tokenUrl: 't' } })).toThrow(/`flows\.implicit\.authorizationUrl`/)
    expect(make({ authorizationCode: { authorizationUrl: 'a' } })).toThrow(
      /`flows\.authorizationCode\.tokenUrl`/,
    )
    expect(make({ authorizationCode: { tokenUrl: 't' } })).toThrow(
      /`flows\.authorizationCode\.authorizationUrl`/,
    )
    expect(make({ password: { tokenUrl: 't', scopes: ['read'] } })).toThrow(
      /`flows\.password\.scopes`/,
    )
    // RFC 6749 §3.1, §3.2: no fragment in an endpoint's URI, and a URL at all.
    expect(make({ password: { tokenUrl: 'token#x' } })).toThrow(
      new TypeError(
        'OAuth2: `flows.password.tokenUrl` must not have a fragment (RFC 6749 §3.1, §3.2)',
      ),
    )
    expect(
      make({
        authorizationCode: { authorizationUrl: 'https://a.example/authorize#', tokenUrl: 't' },
      }),
    ).toThrow(/`flows\.authorizationCode\.authorizationUrl` must not have a fragment/)
    expect(make({ password: { tokenUrl: 't', refreshUrl: '/refresh#r' } })).toThrow(
      /`flows\.password\.refreshUrl` must not have a fragment/,
    )
    expect(make({ password: { tokenUrl: 'http://[bad/token' } })).toThrow(
      /`flows\.password\.tokenUrl` must be a URL/,
    )
    expect(() => make({ password: { tokenUrl: '../auth/token?realm=a' } })()).not.toThrow()
    expect(make({ deviceCode: { tokenUrl: 't' } })).toThrow(/unknown flow `flows\.deviceCode`/)
    expect(make({ toString: { tokenUrl: 't' } })).toThrow(/unknown flow/)
    expect(make({})).toThrow(/at least one flow/)
    expect(make(undefined)).toThrow(/`flows` must be an object/)
    expect(make({ password: 'token' })).toThrow(/`flows\.password` must be an object/)
  })

  it('documents every flow it was given', async () => {
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
        '/items': {
          get: {
            summary: 'Read Items',
            operationId: 'read_items_items_get',
            responses: ok,
            security: [{ OAuth2: ['read', 'write'] }],
          },
        },
        '/maybe': {
          get: {
            summary: 'Read Maybe',
            operationId: 'read_maybe_maybe_get',
            responses: ok,
            security: [{ ImplicitOptional: [] }, {}],
          },
        },
      },
      components: {
        securitySchemes: {
          OAuth2: {
            type: 'oauth2',
            description: 'Every flow at once.',
            flows: {
              implicit: {
                authorizationUrl: 'https://id.example.com/authorize',
                scopes: { read: 'Read.' },
              },
              password: { tokenUrl: '/token', scopes: {} },
              clientCredentials: {
                tokenUrl: '/token',
                refreshUrl: '/refresh',
                scopes: { admin: 'Admin.' },
              },
              authorizationCode: {
                authorizationUrl: 'https://id.example.com/authorize',
                tokenUrl: 'https://id.example.com/token',
                scopes: { read: 'Read.', write: 'Write.' },
              },
            },
          },
          ImplicitOptional: {
            type: 'oauth2',
            flows: { implicit: { authorizationUrl: '/authorize', scopes: {} } },
          },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})
