import { Gatehouse, HTTPBasic, type HTTPBasicCredentials } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { expectAmbiguousCredentialsRefused, twoAuthorizations } from './helpers/credentials.js'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const basic = new HTTPBasic({ description: 'Your account.' })
const withRealm = new HTTPBasic({ realm: 'simple "admin" \\ area', schemeName: 'AdminBasic' })

const app = new Gatehouse()
app.get('/users/me', { inputs: { credentials: basic } }, function readCurrentUser({ credentials }) {
  expectTypeOf(credentials).toEqualTypeOf<HTTPBasicCredentials>()
  return credentials
})
app.get('/admin', { inputs: { credentials: withRealm } }, function readAdmin({ credentials }) {
  return credentials
})

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

async function expect401(response: Response, detail: string, challenge = 'Basic') {
  expect(response.status).toBe(401)
  expect(response.headers.get('www-authenticate')).toBe(challenge)
  expect(await response.json()).toEqual({ detail })
}

describeEngines('HTTPBasic', app, (send) => {
  const call = (path: string, authorization?: string) =>
    send(path, authorization === undefined ? {} : { headers: { authorization } })

  it('decodes user and password, splitting at the first colon', async () => {
    expect(await (await call('/users/me', `Basic ${b64('john:secret')}`)).json()).toEqual({
      username: 'john',
      password: 'secret',
    })
    expect(await (await call('/users/me', `basic ${b64('john:pa:ss')}`)).json()).toEqual({
      username: 'john',
      password: 'pa:ss',
    })
    expect(await (await call('/users/me', `Basic   ${b64(':')}  `)).json()).toEqual({
      username: '',
      password: '',
    })
  })

  it('decodes UTF-8', async () => {
    expect(await (await call('/users/me', `Basic ${b64('zoë:pässwörd🔑')}`)).json()).toEqual({
      username: 'zoë',
      password: 'pässwörd🔑',
    })
  })

  it.each([
    ['no header', undefined],
    ['another scheme', 'Bearer abc'],
    ['empty credentials', 'Basic'],
  ])('answers 401 Not authenticated for %s', async (_, authorization) => {
    await expect401(await call('/users/me', authorization), 'Not authenticated')
  })

  it.each([
    ['not base64', 'Basic not-base64!'],
    ['base64 with bad padding', 'Basic am9objpzZWNyZXQ'],
    ['no colon', `Basic ${b64('johnsecret')}`],
    ['not UTF-8', `Basic ${Buffer.from([0x6a, 0x3a, 0xff, 0xfe]).toString('base64')}`],
  ])(
    'answers 401 Invalid authentication credentials for %s, as FastAPI',
    async (_, authorization) => {
      const response = await call('/users/me', authorization)
      expect(response.headers.get('www-authenticate')).toBe('Basic')
      await expect401(response, 'Invalid authentication credentials')
    },
  )

  it('never echoes the credentials', async () => {
    const text = await (await call('/users/me', `Basic ${b64('johnsecret')}`)).text()
    expect(text).not.toContain('johnsecret')
    expect(text).not.toContain(b64('johnsecret'))
  })

  it('sends the realm, quoted, in every challenge', async () => {
    const challenge = 'Basic realm="simple \\"admin\\" \\\\ area"'
    await expect401(await call('/admin'), 'Not authenticated', challenge)
    await expect401(
      await call('/admin', 'Basic x'),
      'Invalid authentication credentials',
      challenge,
    )
    expect(withRealm.realm).toBe('simple "admin" \\ area')
  })

  it('answers 400 to two Authorization headers, taking neither as the credentials', async () => {
    const response = await send(
      '/users/me',
      twoAuthorizations(`Basic ${b64('john:secret')}`, `Basic ${b64('alice:other')}`),
    )
    await expectAmbiguousCredentialsRefused(response, b64('john:secret'), 'secret', 'other')
  })
})

describe('HTTPBasic', () => {
  it('refuses a realm that cannot be sent in a header', () => {
    expect(() => new HTTPBasic({ realm: 'a\r\nSet-Cookie: x' })).toThrow(
      new TypeError(
        'HTTPBasic: `realm` must be printable ASCII (0x20–0x7E: no control characters, no non-ASCII)',
      ),
    )
  })

  it('documents the http basic scheme', async () => {
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
            security: [{ HTTPBasic: [] }],
          },
        },
        '/admin': {
          get: {
            summary: 'Read Admin',
            operationId: 'read_admin_admin_get',
            responses: ok,
            security: [{ AdminBasic: [] }],
          },
        },
      },
      components: {
        securitySchemes: {
          HTTPBasic: { type: 'http', description: 'Your account.', scheme: 'basic' },
          AdminBasic: { type: 'http', scheme: 'basic' },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})
