import type { RegistrationOptions } from 'gatehouse/authorization-server'
import { afterEach, describe, expect, test } from 'vitest'
import { authorizeQuery, hiddenFields, pkce } from './helpers/authorization-flow.js'
import {
  basic,
  type Fixture,
  ISSUER,
  matrix,
  openFixture,
  postForm,
  START,
} from './helpers/authorization-server.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const APP = { redirect_uris: ['https://client.example.org/cb'], client_name: 'Client' }

describe.each(matrix)('dynamic client registration, RFC 7591 ($name)', ({ transport, store }) => {
  let f: Fixture
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })
  const open = async (registration: RegistrationOptions | true = {}) => {
    f = await openFixture(transport, store, {
      registration: registration === true ? true : { scopes: ['read'], limit: 50, ...registration },
    })
    return f
  }
  let address = 0
  const register = (body: unknown, headers: Record<string, string> = {}) =>
    f.send('/register', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-test-address': `10.0.0.${++address}`,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  /** The `/authorize` page a registered client's request to its `https://client.example.org/cb` gets. */
  const authorizePage = (clientId: string, scope: string) =>
    f.send(
      `/authorize?${authorizeQuery(pkce().challenge, {
        client_id: clientId,
        redirect_uri: 'https://client.example.org/cb',
        scope,
      })}`,
    )

  test('a confidential client gets its id and secret once, and the metadata it registered', async () => {
    await open()
    const response = await register(APP)
    expect(response.status).toBe(201)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const body = await response.json()
    expect(body).toEqual({
      client_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_secret_expires_at: 0,
      client_id_issued_at: START,
      client_name: 'Client',
      redirect_uris: ['https://client.example.org/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: 'read',
    })
    const stored = await f.store.findClient(body.client_id)
    expect(stored).toMatchObject({
      name: 'Client',
      scopes: ['read'],
      grantTypes: ['authorization_code'],
    })
    expect(stored?.secretHash).not.toBe(body.client_secret)
    // The client can start an authorization right away.
    const page = await authorizePage(body.client_id, 'read')
    expect(hiddenFields(await page.text()).step).toBe('login')
  })

  test('names in every script are kept: emoji with joiners, Persian with ZWNJ, flags, soft hyphens', async () => {
    await open()
    for (const name of [
      'Family \u{1F468}\u200d\u{1F469}\u200d\u{1F467}',
      '\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645',
      'Flags \u{1F1EB}\u{1F1F7} \u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}',
      'Hyphen\u00adated',
    ]) {
      const response = await register({ ...APP, client_name: name })
      expect(response.status, name).toBe(201)
      expect((await response.json()).client_name).toBe(name)
    }
  })

  test('an empty scope counts as none: the client gets the scopes registration gives', async () => {
    await open()
    const response = await register({ ...APP, scope: '' })
    expect(response.status).toBe(201)
    const body = await response.json()
    expect(body.scope).toBe('read')
    expect((await f.store.findClient(body.client_id))?.scopes).toEqual(['read'])
  })

  test('a client may use every scope registration offers, so it can step up (MCP)', async () => {
    await open({ scopes: ['read', 'write'] })
    // An MCP client registers with the scope of its first challenge ...
    const response = await register({ ...APP, token_endpoint_auth_method: 'none', scope: 'read' })
    expect(response.status).toBe(201)
    const body = await response.json()
    // ... and is told what it got (RFC 7591 §3.2.1): what registration offers.
    expect(body.scope).toBe('read write')
    expect((await f.store.findClient(body.client_id))?.scopes).toEqual(['read', 'write'])
    // A later 403 names write as well: the authorization request for both gets the sign-in page.
    const page = await authorizePage(body.client_id, 'read write')
    expect(page.status).toBe(200)
    expect(hiddenFields(await page.text()).step).toBe('login')
  })

  test('grants registration does not offer are left out when one it offers remains (RFC 7591 §2)', async () => {
    await open()
    for (const extra of ['urn:ietf:params:oauth:grant-type:device_code', 'password', 'implicit']) {
      const response = await register({
        ...APP,
        grant_types: ['authorization_code', 'refresh_token', extra],
      })
      expect(response.status, extra).toBe(201)
      const body = await response.json()
      expect(body.grant_types).toEqual(['authorization_code', 'refresh_token'])
      expect((await f.store.findClient(body.client_id))?.grantTypes).toEqual([
        'authorization_code',
        'refresh_token',
      ])
    }
  })

  test('response types other than code go with the grants left out', async () => {
    await open()
    const response = await register({
      ...APP,
      grant_types: ['authorization_code', 'implicit'],
      response_types: ['code', 'token', 'id_token'],
    })
    expect(response.status).toBe(201)
    const body = await response.json()
    expect(body.grant_types).toEqual(['authorization_code'])
    expect(body.response_types).toEqual(['code'])
  })

  test('a scope naming what registration does not offer is replaced, not refused (RFC 7591 §2)', async () => {
    await open({ scopes: ['read'] })
    // An MCP client registers with its challenge's scopes, which may name more than is offered
    // (or `offline_access`): it still gets a client_id, with what registration offers.
    for (const scope of ['read write', 'admin', 'read offline_access', 'delete']) {
      const response = await register({ ...APP, token_endpoint_auth_method: 'none', scope })
      expect(response.status, scope).toBe(201)
      const body = await response.json()
      expect(body.scope).toBe('read')
      expect((await f.store.findClient(body.client_id))?.scopes).toEqual(['read'])
    }
  })

  test('token_endpoint_auth_method none registers a public client, without a secret', async () => {
    await open()
    const response = await register({
      ...APP,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: ['http://127.0.0.1:8080/cb', 'http://localhost/cb', 'http://[::1]:9/cb'],
      scope: 'read',
    })
    expect(response.status).toBe(201)
    const body = await response.json()
    expect(body.client_secret).toBeUndefined()
    expect(body.client_secret_expires_at).toBeUndefined()
    expect(body.token_endpoint_auth_method).toBe('none')
    expect((await f.store.findClient(body.client_id))?.secretHash).toBeNull()
  })

  test('the token_endpoint_auth_method registered is the only one accepted (RFC 7591 §2)', async () => {
    await open({ grantTypes: ['client_credentials'] })
    const token = (clientId: string, secret: string, how: 'basic' | 'post') =>
      postForm(
        f.send,
        '/token',
        how === 'post'
          ? { grant_type: 'client_credentials', client_id: clientId, client_secret: secret }
          : { grant_type: 'client_credentials' },
        how === 'basic' ? { authorization: basic(clientId, secret) } : {},
      )
    for (const [method, allowed, refused] of [
      ['client_secret_post', 'post', 'basic'],
      [undefined, 'basic', 'post'], // the default is client_secret_basic
    ] as const) {
      const response = await register({
        grant_types: ['client_credentials'],
        scope: 'read',
        ...(method === undefined ? {} : { token_endpoint_auth_method: method }),
      })
      const { client_id, client_secret, token_endpoint_auth_method } = await response.json()
      expect(token_endpoint_auth_method).toBe(method ?? 'client_secret_basic')
      expect((await token(client_id, client_secret, allowed)).status).toBe(200)
      const other = await token(client_id, client_secret, refused)
      expect(other.status).toBe(401)
      expect((await other.json()).error).toBe('invalid_client')
    }
  })

  test('client_credentials, when registration allows it, works at the token endpoint', async () => {
    await open({ grantTypes: ['client_credentials'] })
    const response = await register({ grant_types: ['client_credentials'], scope: 'read' })
    expect(response.status).toBe(201)
    const { client_id, client_secret, response_types } = await response.json()
    expect(response_types).toEqual([])
    const token = await postForm(
      f.send,
      '/token',
      { grant_type: 'client_credentials' },
      { authorization: basic(client_id, client_secret) },
    )
    expect(token.status).toBe(200)
    expect((await token.json()).scope).toBe('read')
  })

  test.each([
    ['plain http elsewhere', ['http://client.example.org/cb']],
    ['a relative URI', ['/cb']],
    ['a fragment', ['https://client.example.org/cb#x']],
    ['javascript:', ['javascript:alert(1)']],
    ['an app scheme', ['com.example.app:/cb']],
    ['credentials', ['https://user:pw@client.example.org/cb']],
    ['not an array', 'https://client.example.org/cb'],
    ['a number in it', [42]],
    ['none, for the code grant', []],
    ['too many', Array.from({ length: 21 }, (_, i) => `https://client.example.org/${i}`)],
    ['an overlong one', [`https://client.example.org/${'x'.repeat(2000)}`]],
    ['a newline', ['https://client.example.org/c\nb']],
    ['CR LF and a header', ['https://client.example.org/cb\r\nX-Injected: 1']],
    ['a NUL', ['https://client.example.org/cb\u0000']],
    ['DEL', ['https://client.example.org/cb\u007f']],
    ['a tab', ['https://client.example.org/cb\t']],
    ['a leading space', [' https://client.example.org/cb']],
    ['a space', ['https://client.example.org/c b']],
    ['U+2028', ['https://client.example.org/cb\u2028']],
    ['a no-break space', ['https://client.example.org/cb\u00a0']],
    ['an upper-case host', ['https://Client.example.org/cb']],
    ['the default port', ['https://client.example.org:443/cb']],
    ['a dot segment', ['https://client.example.org/a/../cb']],
    ['non-ASCII', ['https://client.example.org/caf\u00e9']],
    ['a character RFC 3986 does not allow', ['https://client.example.org/cb?a=|']],
    ['a broken percent-encoding', ['https://client.example.org/cb?a=%zz']],
    ['port 0', ['https://client.example.org:0/cb']],
    ['a semicolon in the host (CSP syntax)', ['https://a;sandbox/cb']],
    ['a comma in the host', ['https://a,b/cb']],
    ['a quote in the host', ["https://a'b/cb"]],
    ['the out-of-band value', ['urn:ietf:wg:oauth:2.0:oob']],
    ['empty user info', ['https://@client.example.org/cb']],
    ['an empty fragment', ['https://client.example.org/cb#']],
    // Loopback, but not a loopback host RFC 8252 names (nor one createClient allows).
    ['plain http on another 127/8 address', ['http://127.0.0.2:5000/cb']],
    ['plain http on a 127/8 address written short', ['http://127.1/cb']],
  ])('a redirect URI with %s: invalid_redirect_uri', async (_name, redirect_uris) => {
    await open()
    const response = await register({ ...APP, redirect_uris })
    expect(response.status).toBe(400)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({
      error: 'invalid_redirect_uri',
      error_description: expect.any(String),
    })
  })

  test('appSchemes: native apps may register their own scheme, never a script or local one', async () => {
    await open({ appSchemes: true })
    const native = await register({
      ...APP,
      token_endpoint_auth_method: 'none',
      redirect_uris: ['com.example.app:/oauth/cb', 'cursor://anysphere.cursor-retrieval/oauth/cb'],
    })
    expect(native.status).toBe(201)
    const { client_id } = await native.json()
    // The code goes there: the login page's form may be followed to the app's scheme.
    const page = await f.send(
      `/authorize?${authorizeQuery(pkce().challenge, {
        client_id,
        redirect_uri: 'com.example.app:/oauth/cb',
        scope: 'read',
      })}`,
    )
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain(
      "form-action 'self' com.example.app:",
    )
    for (const uri of [
      'javascript:alert(1)',
      'data:text/html,x',
      'file:///etc/passwd',
      'http://x.example/cb',
      // The browser's own, or another program's: never an app's redirect.
      'view-source:https://a.example/',
      'filesystem:https://a.example/x',
      'jar:https://a.example/x!/',
      'chrome://settings/',
      'intent://scan/cb',
      'mailto:a@b.example',
      'ftp://a.example/cb',
      'urn:ietf:wg:oauth:2.0:oob',
    ]) {
      const refused = await register({ ...APP, redirect_uris: [uri] })
      expect(refused.status).toBe(400)
      expect((await refused.json()).error).toBe('invalid_redirect_uri')
    }
  })

  test('a redirect URI is stored as sent: exact forms, and host-only ones without the "/"', async () => {
    await open()
    const uris = [
      'https://client.example.org',
      'https://client.example.org?tenant=7',
      'http://127.0.0.1:8080',
      'https://client.example.org/caf%C3%A9',
    ]
    const response = await register({ ...APP, redirect_uris: uris })
    expect(response.status).toBe(201)
    const { client_id, redirect_uris } = await response.json()
    expect(redirect_uris).toEqual(uris)
    expect((await f.store.findClient(client_id))?.redirectUris).toEqual(uris)
  })

  test('refresh_token without the code grant can never be used: invalid_client_metadata', async () => {
    await open({ grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] })
    for (const grant_types of [['refresh_token'], ['client_credentials', 'refresh_token']]) {
      const response = await register({ grant_types, scope: 'read' })
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({
        error: 'invalid_client_metadata',
        error_description: 'The refresh_token grant needs the authorization_code grant',
      })
    }
  })

  test('no redirect_uris at all, for the default code grant: invalid_redirect_uri', async () => {
    await open()
    expect((await (await register({ client_name: 'x' })).json()).error).toBe('invalid_redirect_uri')
  })

  test.each([
    ['an array body', [APP]],
    ['a string body', 'hello'],
    ['null', null],
    ['an unknown auth method', { ...APP, token_endpoint_auth_method: 'private_key_jwt' }],
    ['an auth method that is no string', { ...APP, token_endpoint_auth_method: 1 }],
    ['only the password grant', { ...APP, grant_types: ['password'] }],
    ['the implicit grant', { ...APP, grant_types: ['implicit'] }],
    ['a grant registration does not allow', { ...APP, grant_types: ['client_credentials'] }],
    ['grant_types that is no array', { ...APP, grant_types: 'authorization_code' }],
    ['no grant types', { ...APP, grant_types: [] }],
    ['response type token', { ...APP, response_types: ['token'] }],
    ['the code grant without the code response type', { ...APP, response_types: [] }],
    ['a malformed scope', { ...APP, scope: 'read "x"' }],
    ['a scope that is no string', { ...APP, scope: ['read'] }],
    ['a name that is no string', { ...APP, client_name: 7 }],
    ['an empty name', { ...APP, client_name: '  ' }],
    ['an overlong name', { ...APP, client_name: 'x'.repeat(201) }],
    ['a name with a control character', { ...APP, client_name: 'a\u0007b' }],
    ['a name with a right-to-left override', { ...APP, client_name: 'Acme \u202e' }],
    ['a name with a zero-width space', { ...APP, client_name: 'Ac\u200bme' }],
    ['a name with U+FFFD', { ...APP, client_name: 'Acme \ufffd' }],
  ])('%s: invalid_client_metadata', async (_name, body) => {
    await open()
    const response = await register(body)
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: 'invalid_client_metadata',
      error_description: expect.any(String),
    })
  })

  test('no credentials with client_credentials: invalid_client_metadata', async () => {
    await open({ grantTypes: ['client_credentials'] })
    const response = await register({
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'none',
    })
    expect((await response.json()).error).toBe('invalid_client_metadata')
  })

  test('a code response type without the code grant: invalid_client_metadata', async () => {
    await open({ grantTypes: ['client_credentials'] })
    const response = await register({
      grant_types: ['client_credentials'],
      response_types: ['code'],
    })
    expect((await response.json()).error).toBe('invalid_client_metadata')
  })

  test('bodies that are not JSON: invalid_client_metadata; oversized ones: 413', async () => {
    await open()
    for (const [body, contentType] of [
      ['{"redirect_uris": [', 'application/json'],
      ['', 'application/json'],
      ['\xff\xfe', 'application/json'],
      ['redirect_uris=https://client.example.org/cb', 'application/x-www-form-urlencoded'],
      [JSON.stringify(APP), 'text/plain'],
    ] as const) {
      const response = await register(body, { 'content-type': contentType })
      expect(response.status).toBe(400)
      expect((await response.json()).error).toBe('invalid_client_metadata')
    }
    const missing = await f.send('/register', {
      method: 'POST',
      headers: { 'x-test-address': '10.1.1.1' },
    })
    expect((await missing.json()).error).toBe('invalid_client_metadata')
    const huge = await register({ ...APP, client_uri: 'x'.repeat(20_000) })
    expect(huge.status).toBe(413)
    expect(await huge.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The request body is too large',
    })
    expect(await f.store.listClients()).toHaveLength(4)
  })

  test('registrations from IPv6 addresses are limited per /64, one subscriber', async () => {
    await open({ limit: 3, window: 60 })
    const from = (ip: string) => register(APP, { 'x-test-address': ip })
    for (const ip of ['2001:db8:5:6::1', '2001:db8:5:6::2', '2001:db8:5:6:a:b:c:d'])
      expect((await from(ip)).status).toBe(201)
    expect((await from('2001:db8:5:6::ffff')).status).toBe(429)
    expect((await from('2001:db8:5:7::1')).status).toBe(201)
  })

  test('registrations are limited per address: 429 with Retry-After, other addresses unaffected', async () => {
    await open({ limit: 3, window: 60 })
    const from = (ip: string, body: unknown = APP) => register(body, { 'x-test-address': ip })
    expect((await from('192.0.2.1')).status).toBe(201)
    expect((await from('192.0.2.1', { bad: true })).status).toBe(400)
    expect((await from('192.0.2.1')).status).toBe(201)
    expect((await from('192.0.2.1')).status).toBe(201)
    const limited = await from('192.0.2.1')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('60')
    expect(limited.headers.get('cache-control')).toBe('no-store')
    expect(await limited.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.any(String),
    })
    expect((await from('192.0.2.2')).status).toBe(201)
    f.clock.advance(30)
    // Refused attempts do not extend the wait.
    expect((await from('192.0.2.1')).headers.get('retry-after')).toBe('30')
    f.clock.advance(30)
    expect((await from('192.0.2.1')).status).toBe(201)
  })

  test('refused registrations do not use up the quota: only created clients count', async () => {
    await open({ limit: 2, window: 60 })
    const from = (body: unknown) => register(body, { 'x-test-address': '192.0.2.9' })
    for (let i = 0; i < 12; i++) {
      const refused = await from(
        [
          { redirect_uris: ['http://evil.example/cb'] },
          { ...APP, scope: 'read "x"' },
          { redirect_uris: ['http://127.0.0.2:5000/cb'] },
        ][i % 3],
      )
      expect(refused.status).toBe(400)
    }
    expect((await from(APP)).status).toBe(201)
    expect((await from(APP)).status).toBe(201)
    expect((await from(APP)).status).toBe(429)
    expect(await f.store.listClients()).toHaveLength(6)
  })

  test('concurrent registrations mixed with refused ones: exactly the limit is created', async () => {
    await open({ limit: 3 })
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        register(i % 2 === 0 ? APP : { redirect_uris: ['javascript:alert(1)'] }, {
          'x-test-address': '198.51.100.8',
        }),
      ),
    )
    expect(answers.filter((r) => r.status === 201)).toHaveLength(3)
    // A refused one is 400, or 429 when it came after the quota was full.
    expect(answers.every((r) => [201, 400, 429].includes(r.status))).toBe(true)
    expect(await f.store.listClients()).toHaveLength(7)
  })

  test('concurrent registrations from one address never pass the limit', async () => {
    await open({ limit: 3 })
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => register(APP, { 'x-test-address': '198.51.100.7' })),
    )
    expect(answers.filter((r) => r.status === 201)).toHaveLength(3)
    expect(answers.filter((r) => r.status === 429)).toHaveLength(5)
  })

  test('GET /register is 405 with Allow: POST, no-store and an RFC 6749 §5.2 body', async () => {
    await open()
    const response = await f.send('/register')
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('POST')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({
      error: 'invalid_request',
      error_description: 'This endpoint accepts POST requests only',
    })
    const propfind = await f.send('/register', { method: 'PROPFIND' })
    expect([propfind.status, propfind.headers.get('allow')]).toEqual([405, 'POST'])
  })

  test('metadata and OpenAPI name the registration endpoint', async () => {
    await open(true)
    const metadata = await (await f.send('/.well-known/oauth-authorization-server')).json()
    expect(metadata.registration_endpoint).toBe(`${ISSUER}/register`)
    const document = f.app.openapi() as unknown as {
      paths: Record<string, Record<string, { security?: unknown; responses: object }>>
    }
    await expectValidOpenAPI(document)
    const operation = document.paths['/register']?.post
    expect(operation?.security).toEqual([])
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(['201', '400', '413', '429'])
  })
})

describe.each(matrix)('without registration ($name)', ({ transport, store }) => {
  test('there is no registration endpoint', async () => {
    const f = await openFixture(transport, store)
    try {
      const response = await f.send('/register', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(APP),
      })
      expect(response.status).toBe(404)
    } finally {
      await f.close()
    }
  })
})
