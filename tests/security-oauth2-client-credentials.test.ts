import { Gatehouse, OAuth2ClientCredentials, Security } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { expectAmbiguousCredentialsRefused, twoAuthorizations } from './helpers/credentials.js'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const required = new OAuth2ClientCredentials({
  tokenUrl: '/oauth/token',
  scopes: { 'reports:read': 'Read reports.', 'reports:write': 'Write reports.' },
})
const optional = new OAuth2ClientCredentials({
  tokenUrl: '/oauth/token',
  schemeName: 'MachineOptional',
  description: 'Optional machine credentials.',
  autoError: false,
})

const app = new Gatehouse()
app.get(
  '/reports',
  { inputs: { token: Security(required, { scopes: ['reports:read'] }) } },
  function listReports({ token }) {
    expectTypeOf(token).toEqualTypeOf<string>()
    return { token }
  },
)
app.get('/public', { inputs: { token: optional } }, function readPublic({ token }) {
  expectTypeOf(token).toEqualTypeOf<string | undefined>()
  return { token: token ?? null }
})

describeEngines('OAuth2ClientCredentials', app, (send) => {
  const call = (path: string, authorization?: string) =>
    send(path, authorization === undefined ? {} : { headers: { authorization } })

  it('gives the bearer token', async () => {
    expect(await (await call('/reports', 'Bearer m2m')).json()).toEqual({ token: 'm2m' })
    expect(await (await call('/reports', 'BeArEr  m2m ')).json()).toEqual({ token: 'm2m' })
  })

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic Y2xpZW50OnNlY3JldA=='],
    ['an empty token', 'Bearer   '],
  ])('answers 401 with a Bearer challenge for %s', async (_, authorization) => {
    const response = await call('/reports', authorization)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect(await response.json()).toEqual({ detail: 'Not authenticated' })
  })

  it('gives undefined instead with autoError: false', async () => {
    expect(await (await call('/public')).json()).toEqual({ token: null })
    expect(await (await call('/public', 'Bearer')).json()).toEqual({ token: null })
    expect(await (await call('/public', 'Bearer m2m')).json()).toEqual({ token: 'm2m' })
  })

  it('answers 400 to two Authorization headers, taking neither as the credentials', async () => {
    for (const path of ['/reports', '/public']) {
      const response = await send(
        path,
        twoAuthorizations('Bearer first-token', 'Bearer second-token'),
      )
      await expectAmbiguousCredentialsRefused(response, 'first-token', 'second-token')
    }
  })
})

describe('OAuth2ClientCredentials', () => {
  it('requires tokenUrl', () => {
    expect(() => new OAuth2ClientCredentials({} as { tokenUrl: string })).toThrow(
      new TypeError('OAuth2ClientCredentials: `tokenUrl` must be a non-empty string'),
    )
  })

  it('documents the client credentials flow', async () => {
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
        '/reports': {
          get: {
            summary: 'List Reports',
            operationId: 'list_reports_reports_get',
            responses: ok,
            security: [{ OAuth2ClientCredentials: ['reports:read'] }],
          },
        },
        '/public': {
          get: {
            summary: 'Read Public',
            operationId: 'read_public_public_get',
            responses: ok,
            security: [{ MachineOptional: [] }, {}],
          },
        },
      },
      components: {
        securitySchemes: {
          OAuth2ClientCredentials: {
            type: 'oauth2',
            flows: {
              clientCredentials: {
                tokenUrl: '/oauth/token',
                scopes: { 'reports:read': 'Read reports.', 'reports:write': 'Write reports.' },
              },
            },
          },
          MachineOptional: {
            type: 'oauth2',
            description: 'Optional machine credentials.',
            flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: {} } },
          },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})
