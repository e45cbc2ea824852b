import {
  type AuthorizationServerOptions,
  createAdministration,
  createAuthorizationServer,
  createMemoryStore,
} from 'gatehouse/authorization-server'
import { describe, expect, test } from 'vitest'

const valid = (): AuthorizationServerOptions => ({
  issuer: 'https://auth.example.com',
  store: createMemoryStore(),
  scopes: { read: 'Read' },
})

describe('createAuthorizationServer options', () => {
  test('a minimal server has the authorization, token, revocation and introspection endpoints and discovery', () => {
    const server = createAuthorizationServer(valid())
    const visible = server.router.routes.filter((r) => r.options.includeInSchema !== false)
    expect(visible.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /authorize',
      'POST /authorize',
      'POST /token',
      'POST /revoke',
      'POST /introspect',
      'GET /.well-known/oauth-authorization-server',
      'GET /.well-known/jwks.json',
    ])
    // The POST-only endpoints answer other methods with an RFC 6749 405, from hidden routes.
    const hidden = server.router.routes.filter((r) => r.options.includeInSchema === false)
    expect(new Set(hidden.map((r) => r.path))).toEqual(
      new Set(['/token', '/revoke', '/introspect']),
    )
    expect(server.issuer).toBe('https://auth.example.com')
  })

  test('the issuer is kept exactly as given, a trailing slash too (compared as a string)', () => {
    for (const issuer of [
      'https://auth.example.com/',
      'https://auth.example.com',
      'https://a.example/t/',
    ])
      expect(createAuthorizationServer({ ...valid(), issuer }).issuer).toBe(issuer)
  })

  test.each([
    ['issuer', { issuer: 'ftp://x' }, /`issuer` must use https/],
    ['issuer', { issuer: 'http://auth.example.com' }, /`issuer` must use https/],
    ['issuer', { issuer: 'https://auth.example.com?tenant=a' }, /query or fragment/],
    ['issuer', { issuer: 'not a url' }, /`issuer` must be a URL/],
    ['store', { store: {} }, /`store`/],
    ['scopes', { scopes: { 'has space': 'x' } }, /invalid scope name/],
    ['scopes', { scopes: { read: 1 } }, /`scopes.read`/],
    ['defaultScopes', { defaultScopes: ['write'] }, /`defaultScopes` names an unknown scope/],
    ['keys.algorithm', { keys: { algorithm: 'none' } }, /`keys.algorithm`/],
    ['keys.secret', { keys: { secret: 'short' } }, /`keys.secret` applies to HS256/],
    ['keys.secret', { keys: { algorithm: 'HS256', secret: 'short' } }, /at least 32 bytes/],
    ['keys.rotateAfter', { keys: { rotateAfter: 0 } }, /`keys.rotateAfter`/],
    // A new key signs two minutes after it is made: sooner, no key would ever sign.
    [
      'keys.rotateAfter',
      { keys: { rotateAfter: 119 } },
      /`keys.rotateAfter` must be an integer ≥ 120/,
    ],
    ['audience', { audience: 'api' }, /`audience`/],
    ['resources', { resources: ['https://a#b'] }, /`resources`/],
    // An IRI is no URI: written percent-encoded, it is matched as clients send it.
    ['a resource with a non-ASCII letter', { resources: ['https://api.example/ü'] }, /`resources`/],
    ['a resource with a space', { resources: ['https://api.example/a b'] }, /`resources`/],
    ['an audience with a backslash', { audience: 'https://api.example\\x' }, /`audience`/],
    ['grantTypes', { grantTypes: ['implicit'] }, /unknown grant "implicit"/],
    ['accessTokenTTL', { accessTokenTTL: 0 }, /`accessTokenTTL`/],
    ['refreshGraceSeconds', { refreshGraceSeconds: -1 }, /`refreshGraceSeconds`/],
    ['grantTTL', { grantTTL: 60, accessTokenTTL: 900 }, /`grantTTL` must be at least/],
    [
      'refreshTokenTTL',
      { refreshTokenTTL: 60 * 86400 },
      /`refreshTokenTTL` \(5184000 s\) must be at most `grantTTL` \(2592000 s, the default\)/,
    ],
    [
      'refreshTokenTTL',
      { refreshTokenTTL: 7200, grantTTL: 3600 },
      /`refreshTokenTTL` \(7200 s\) must be at most `grantTTL` \(3600 s\)/,
    ],
    ['codeTTL', { codeTTL: 86400 }, /`codeTTL` must be at most 600 seconds \(RFC 6749 §4.1.2\)/],
    ['throttle', { throttle: { maxDelay: 1000, window: 100 } }, /`throttle.window`/],
    ['throttle', { throttle: { baseDelay: 0.5 } }, /`throttle.baseDelay`/],
    ['throttle', { throttle: { accountAttempts: 0 } }, /`throttle.accountAttempts`/],
    ['now', { now: 5 }, /`now`/],
    ['passwords', { passwords: {} }, /`passwords`/],
    ['login.authenticate', { login: { authenticate: 'me' } }, /`login.authenticate`/],
    ['login.url', { login: { url: 'login' } }, /`login.url`/],
    ['login.url', { login: { url: '//evil.example.com' } }, /`login.url`/],
    ['login.url', { login: { url: 'javascript:alert(1)' } }, /`login.url`/],
    ['login.sessionTTL', { login: { sessionTTL: 0 } }, /`login.sessionTTL`/],
    ['consent.remember', { consent: { remember: -1 } }, /`consent.remember`/],
    ['consent.skip', { consent: { skip: true } }, /`consent.skip`/],
    ['registration', { registration: 'yes' }, /`registration` must be/],
    ['registration.scopes', { registration: { scopes: ['write'] } }, /unknown scope "write"/],
    // No scope for registered clients (none given, no defaultScopes): they could get no token.
    ['registration.scopes', { registration: true }, /must name at least one scope/],
    ['registration.grantTypes', { registration: { grantTypes: ['password'] } }, /may name/],
    ['registration.grantTypes', { registration: { grantTypes: [] } }, /non-empty/],
    [
      'registration.grantTypes',
      { grantTypes: ['authorization_code'], registration: { grantTypes: ['client_credentials'] } },
      /turns off/,
    ],
    [
      'registration.limit',
      { registration: { limit: 0, scopes: ['read'] } },
      /`registration.limit`/,
    ],
    [
      'registration.window',
      { registration: { window: 1.5, scopes: ['read'] } },
      /`registration.window`/,
    ],
    ['introspection', { introspection: 'yes' }, /`introspection` must be/],
    ['introspection.allowed', { introspection: { allowed: true } }, /`introspection.allowed`/],
    [
      'registration.appSchemes',
      { registration: { appSchemes: 'yes' } },
      /`registration.appSchemes`/,
    ],
  ])('a bad `%s` is a TypeError naming it', (_, change, message) => {
    expect(() =>
      createAuthorizationServer({ ...valid(), ...(change as Partial<AuthorizationServerOptions>) }),
    ).toThrow(message)
    expect(() =>
      createAuthorizationServer({ ...valid(), ...(change as Partial<AuthorizationServerOptions>) }),
    ).toThrow(TypeError)
  })

  test('a grantTTL shorter than the default refreshTokenTTL shortens that default; codeTTL 600 is taken', () => {
    expect(() => createAuthorizationServer({ ...valid(), grantTTL: 7 * 86400 })).not.toThrow()
    expect(() =>
      createAuthorizationServer({
        ...valid(),
        grantTTL: 3600,
        refreshTokenTTL: 3600,
        codeTTL: 600,
      }),
    ).not.toThrow()
  })

  test('server.principal() checks its options', () => {
    const server = createAuthorizationServer(valid())
    expect(() => server.principal({ audience: [] })).toThrow(TypeError)
  })

  // A misspelt option was ignored: `grant_types` left the password grant on, `login: { uri }` the
  // built-in login page, `introspection: { allow }` introspection open to every client.
  test.each([
    [{ grant_types: ['client_credentials'] }, 'grant_types'],
    [{ accessTokenTtl: 60 }, 'accessTokenTtl'],
    [{ keys: { algo: 'RS256' } }, 'keys.algo'],
    [{ throttle: { usernameAttemps: 3 } }, 'throttle.usernameAttemps'],
    [{ login: { uri: '/login' } }, 'login.uri'],
    [{ consent: { remeber: 60 } }, 'consent.remeber'],
    [{ registration: { limt: 5 } }, 'registration.limt'],
    [{ introspection: { allow: () => false } }, 'introspection.allow'],
  ])('an unknown option %j is a TypeError naming %s', (change, name) => {
    const options = { ...valid(), ...change } as unknown as AuthorizationServerOptions
    expect(() => createAuthorizationServer(options)).toThrow(TypeError)
    expect(() => createAuthorizationServer(options)).toThrow(
      `createAuthorizationServer: unknown option \`${name}\``,
    )
  })

  test('server.principal(): an unknown option, or an audience the server never issues', () => {
    const server = createAuthorizationServer({
      ...valid(),
      audience: 'https://api.example.com',
      resources: ['https://other.example.com'],
    })
    expect(() => server.principal({ audiance: 'x' } as never)).toThrow(
      'server.principal(): unknown option `audiance`',
    )
    expect(() => server.principal({ audience: 'https://not-configured.example' })).toThrow(
      /"https:\/\/not-configured.example" is none this server issues tokens for \(https:\/\/api.example.com, https:\/\/other.example.com\)/,
    )
    expect(() => server.principal({ audience: ['https://other.example.com'] })).not.toThrow()
    expect(() => server.principal()).not.toThrow()
  })

  test.each([
    [{ issuer: 'https://u:p@auth.example.com' }, /must not carry credentials/],
    [{ issuer: 'https://AUTH.example.com' }, /normalise it: "https:\/\/auth.example.com"/],
    [{ issuer: 'https://auth.example.com:443' }, /normalise it: "https:\/\/auth.example.com"/],
    [
      { issuer: 'https://auth.example.com/a/../b' },
      /normalise it: "https:\/\/auth.example.com\/b"/,
    ],
    [{ issuer: 'https://auth.example.com//a' }, /empty path segment/],
    [{ grantTypes: [] }, /`grantTypes` must name at least one grant/],
    [{ grantTypes: ['password', 'password'] }, /names a grant twice/],
    [{ grantTypes: ['refresh_token'] }, /no grant that issues refresh tokens/],
    [{ grantTypes: ['client_credentials', 'refresh_token'] }, /no grant that issues refresh/],
    [{ scopes: {} }, /`scopes` must name at least one scope/],
    [{ scopesClaim: 'yes' }, /`scopesClaim` must be a boolean/],
    [{ schemeName: '' }, /`schemeName`/],
    [{ schemeName: 'OAuth 2' }, /`schemeName`/],
    [{ throttle: { baseDelay: 10, maxDelay: 5 } }, /`throttle.maxDelay` must be at least/],
    [{ keys: 'EdDSA' }, /`keys` must be an object/],
  ])('a server that could never work is refused: %j', (change, message) => {
    const options = { ...valid(), ...change } as unknown as AuthorizationServerOptions
    expect(() => createAuthorizationServer(options)).toThrow(message)
    expect(() => createAuthorizationServer(options)).toThrow(TypeError)
  })

  test('issuers already in normal form, with or without a trailing slash, are taken', () => {
    for (const issuer of [
      'https://auth.example.com',
      'https://auth.example.com/',
      'https://auth.example.com:8443/tenants/a',
      'http://127.0.0.1:8000',
      'http://[::1]:8000/',
      'https://auth.example.com/@acme',
    ])
      expect(createAuthorizationServer({ ...valid(), issuer }).issuer).toBe(issuer)
  })
})

describe('createAdministration', () => {
  const admin = () => createAdministration({ store: createMemoryStore(), scopes: ['read'] })

  test.each([
    [{ grantTypes: [] }, /grantTypes/],
    [{ grantTypes: ['implicit'] }, /grantTypes/],
    [{ grantTypes: ['client_credentials'], public: true }, /public client cannot/],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['http://app.example.com/cb'] },
      /localhost only/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['https://app.example.com/cb#x'] },
      /fragment/,
    ],
    [{ grantTypes: ['authorization_code'], redirectUris: ['javascript:alert(1)'] }, /script/],
    [{ grantTypes: ['authorization_code'], redirectUris: ['/relative'] }, /absolute/],
    [{ grantTypes: ['client_credentials'], scopes: ['write'] }, /unknown or invalid scope/],
    [{ id: 'tab\there', grantTypes: ['client_credentials'] }, /`id`/],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['https://a.example/c\nb'] },
      /`redirectUris`: a redirect URI must not contain control characters/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['https://a.example/cb\u0000'] },
      /`redirectUris`: a redirect URI must not contain control characters/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['https://a.example/cb\t'] },
      /control characters or whitespace/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: [' https://a.example/cb'] },
      /control characters or whitespace/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['https://a.example/c b'] },
      /control characters or whitespace/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['https://a.example/cb\u2028'] },
      /control characters or whitespace/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['https://a.example/cb\u00a0'] },
      /control characters or whitespace/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['https://u:p@a.example/cb'] },
      /`redirectUris`: a redirect URI must not carry credentials/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['https://A.example/cb'] },
      /exact form it is used in: https:\/\/a\.example\/cb$/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['https://a.example:443/cb'] },
      /exact form/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['https://a.example/caf\u00e9'] },
      /exact form it is used in: https:\/\/a\.example\/caf%C3%A9$/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['https://a.example/cb?a=|'] },
      /RFC 3986/,
    ],
    [{ grantTypes: ['authorization_code'], redirectUris: ['https://a.example/%zz'] }, /RFC 3986/],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['http://127.0.0.1:0/cb'] },
      /must not use port 0 \(a loopback redirect URI may use any port\)/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['https://a;sandbox/cb'] },
      /must have a host name or IP address as its host/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: ['urn:ietf:wg:oauth:2.0:oob'] },
      /must not be the out-of-band urn:ietf:wg:oauth:2\.0:oob/,
    ],
    [
      { grantTypes: ['authorization_code'], redirectUris: [42] },
      /`redirectUris` must be an array of strings/,
    ],
    [{ grantTypes: ['authorization_code'], redirectUris: 'https://a.example/cb' }, /redirectUris/],
    [
      { grantTypes: ['authorization_code'] },
      /`redirectUris` is required with the authorization_code/,
    ],
    [{ grantTypes: ['refresh_token'] }, /refresh_token needs authorization_code or password/],
    [
      { grantTypes: ['client_credentials', 'refresh_token'] },
      /refresh_token needs authorization_code or password/,
    ],
    [{ grantTypes: ['client_credentials'], name: '' }, /`name` must be 1 to 200 printable/],
    [{ grantTypes: ['client_credentials'], name: 'a\u001b[31mred' }, /`name`/],
    [{ grantTypes: ['client_credentials'], name: 'x'.repeat(201) }, /`name`/],
  ])('createClient refuses %j', async (client, message) => {
    const refused = admin().createClient(client as never)
    await expect(refused).rejects.toThrow(TypeError)
    await expect(refused).rejects.toThrow(message)
  })

  test('createClient: a 256-bit secret once, only its hash stored; public clients get none', async () => {
    const store = createMemoryStore()
    const a = createAdministration({ store })
    const { client, clientSecret } = await a.createClient({
      id: 'c',
      grantTypes: ['client_credentials'],
      redirectUris: ['com.example.app:/callback', 'http://localhost:8080/cb'],
      scopes: ['read'],
    })
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(client.secretHash).not.toContain(clientSecret as string)
    expect(JSON.stringify(await store.findClient('c'))).not.toContain(clientSecret as string)
    const spa = await a.createClient({
      id: 'spa',
      public: true,
      grantTypes: ['authorization_code'],
      redirectUris: ['http://127.0.0.1:8080', 'https://spa.example.com/cb?x=1'],
      scopes: ['read'],
    })
    expect(spa.clientSecret).toBeUndefined()
    expect(spa.client.secretHash).toBeNull()
    await expect(
      a.createClient({ id: 'c', grantTypes: ['password'], scopes: ['read'] }),
    ).rejects.toThrow(/taken/)
    // No scope at all: every token request would be invalid_scope.
    await expect(a.createClient({ id: 'none', grantTypes: ['password'] })).rejects.toThrow(
      /`scopes` must name at least one scope/,
    )
  })

  test('createUser refuses bad usernames, unknown scopes and taken names', async () => {
    const a = admin()
    await expect(a.createUser({ username: '' })).rejects.toThrow(TypeError)
    await expect(a.createUser({ username: 'has space' })).rejects.toThrow(TypeError)
    await expect(a.createUser({ username: 'x'.repeat(257) })).rejects.toThrow(TypeError)
    await expect(a.createUser({ username: 'ada', scopes: ['admin'] })).rejects.toThrow(/scope/)
    await expect(a.createUser({ username: 'ada', password: '' })).rejects.toThrow(/password/)
    // RFC 8265 §4.2: no control characters, which no login form could send back.
    for (const password of ['pass\u0000word', 'pass\tword', 'line\r\nbreak', 'c1\u009b'])
      await expect(a.createUser({ username: 'ada', password })).rejects.toThrow(
        'createUser: `password` must not hold control characters',
      )
    const ada = await a.createUser({ username: 'ada', scopes: ['read'] })
    expect(ada).toMatchObject({
      username: 'ada',
      passwordHash: null,
      scopes: ['read'],
      disabled: false,
    })
    await expect(a.createUser({ username: 'ada' })).rejects.toThrow(/taken/)
  })
})
