import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import {
  authorizeQuery,
  hiddenFields,
  locationOf,
  pkce,
  REDIRECT,
} from './helpers/authorization-flow.js'
import { type Fixture, ISSUER, matrix, openFixture } from './helpers/authorization-server.js'
import { client } from './helpers/store-suite.js'

/** What every answer of /authorize carries: never cached, never framed. */
// A registered query with what `URLSearchParams` would rewrite: `%20`, a bare name, `~`.
const TENANT_REDIRECT = 'https://app.example.com/cb?tenant=7&x=a%20b&flag&t=~'

function expectPageHeaders(response: Response): void {
  expect(response.headers.get('cache-control')).toBe('no-store')
  expect(response.headers.get('x-frame-options')).toBe('DENY')
  expect(response.headers.get('x-content-type-options')).toBe('nosniff')
  expect(response.headers.get('referrer-policy')).toBe('same-origin')
}

describe.each(matrix)('GET /authorize checks the request ($name)', ({ transport, store }) => {
  let f: Fixture
  const { challenge } = pkce()
  beforeEach(async () => {
    f = await openFixture(transport, store)
    await f.server.admin.createClient({
      id: 'no-code',
      grantTypes: ['password'],
      redirectUris: [REDIRECT],
      scopes: ['read'],
    })
    await f.server.admin.createClient({
      id: 'tenant',
      public: true,
      grantTypes: ['authorization_code'],
      redirectUris: [TENANT_REDIRECT],
      scopes: ['read'],
    })
  })
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })

  const authorize = (changes: Record<string, string | string[] | null> = {}) =>
    f.send(`/authorize?${authorizeQuery(challenge, changes)}`)

  /** An error about the client or redirect URI: a page for the user, never a redirect. */
  const expectErrorPage = async (response: Response, message: string) => {
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expectPageHeaders(response)
    const csp = response.headers.get('content-security-policy') as string
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    const html = await response.text()
    expect(html).toContain('Authorization failed')
    expect(html).toContain(message)
    expect(html).not.toContain('<script')
  }

  test.each([
    ['no client_id', { client_id: null }, 'The request names no client.'],
    ['two client_ids', { client_id: ['web', 'spa'] }, 'The request names more than one client.'],
    ['an unknown client', { client_id: 'nobody' }, 'The application is not registered here.'],
    ['an overlong client_id', { client_id: 'x'.repeat(300) }, 'not registered here'],
    [
      'an unregistered redirect URI',
      { redirect_uri: 'https://evil.example.com/callback' },
      'The redirect URI is not registered for this application.',
    ],
    ['a trailing slash', { redirect_uri: `${REDIRECT}/` }, 'is not registered'],
    ['another case', { redirect_uri: REDIRECT.toUpperCase() }, 'is not registered'],
    ['an added query', { redirect_uri: `${REDIRECT}?x=1` }, 'is not registered'],
    ['two redirect URIs', { redirect_uri: [REDIRECT, REDIRECT] }, 'more than one redirect URI'],
    ['no redirect URI for a client with two', { redirect_uri: null }, 'names no redirect URI'],
  ])('%s: an error page, not a redirect', async (_name, changes, message) => {
    await expectErrorPage(await authorize(changes), message)
  })

  test('an unknown client with a bad everything else is still a page', async () => {
    const response = await authorize({
      client_id: 'nobody',
      response_type: 'token',
      code_challenge: null,
    })
    await expectErrorPage(response, 'not registered')
  })

  const expectErrorRedirect = async (
    response: Response,
    error: string,
    state: string | null = 'state-123',
    target = REDIRECT,
  ) => {
    expect(response.status).toBe(302)
    expectPageHeaders(response)
    const location = locationOf(response)
    expect(`${location.origin}${location.pathname}`).toBe(
      new URL(target).origin + new URL(target).pathname,
    )
    expect(location.searchParams.get('error')).toBe(error)
    // RFC 6749 §4.1.2.1: printable ASCII without `"` and `\`.
    expect(location.searchParams.get('error_description')).toMatch(
      /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/,
    )
    expect(location.searchParams.get('state')).toBe(state)
    expect(location.searchParams.get('iss')).toBe(ISSUER)
    expect(location.searchParams.get('code')).toBeNull()
    return location
  }

  test.each([
    ['no response_type', { response_type: null }, 'invalid_request'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['response_type=code token', { response_type: 'code token' }, 'unsupported_response_type'],
    ['two response_types', { response_type: ['code', 'code'] }, 'invalid_request'],
    ['no code_challenge', { code_challenge: null }, 'invalid_request'],
    ['no code_challenge_method', { code_challenge_method: null }, 'invalid_request'],
    ['code_challenge_method=plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['a challenge that is no S256 digest', { code_challenge: 'short' }, 'invalid_request'],
    ['two challenges', { code_challenge: [challenge, challenge] }, 'invalid_request'],
    ['two scopes parameters', { scope: ['read', 'write'] }, 'invalid_request'],
    ['an unknown scope', { scope: 'read delete' }, 'invalid_scope'],
    ['a scope the client may not have', { scope: 'read admin' }, 'invalid_scope'],
    ['a malformed scope', { scope: 'read "write"' }, 'invalid_scope'],
    ['a resource that is no URI', { resource: 'not a uri' }, 'invalid_target'],
    [
      'a resource this server does not serve',
      { resource: 'https://x.example.com' },
      'invalid_target',
    ],
    ['prompt=none with another value', { prompt: 'none consent' }, 'invalid_request'],
    ['response_mode=fragment', { response_mode: 'fragment' }, 'invalid_request'],
    ['prompt=none and nobody signed in', { prompt: 'none' }, 'login_required'],
    [
      'a request object (RFC 9101)',
      { request: 'eyJhbGciOiJub25lIn0.eyJzY29wZSI6ImFkbWluIn0.' },
      'request_not_supported',
    ],
    [
      'a request_uri (RFC 9101)',
      { request_uri: 'urn:ietf:params:oauth:request_uri:abc' },
      'request_uri_not_supported',
    ],
    [
      'request and request_uri, prompt=none',
      { request: 'x.y.z', request_uri: 'https://app.example.com/r', prompt: 'none' },
      'request_not_supported',
    ],
  ])('%s: an error sent to the redirect URI with state and iss', async (_name, changes, error) => {
    await expectErrorRedirect(await authorize(changes), error)
  })

  test('a request object from an unknown redirect URI is still an error page, not a redirect', async () => {
    const response = await authorize({ request: 'x.y.z', redirect_uri: 'https://evil.example/cb' })
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
  })

  test('an empty request parameter counts as omitted (RFC 6749 §3.1)', async () => {
    expect((await authorize({ request: '', request_uri: '' })).status).toBe(200)
  })

  test('a repeated state is an error whose response carries no state', async () => {
    await expectErrorRedirect(await authorize({ state: ['a', 'b'] }), 'invalid_request', null)
  })

  test.each([
    ['an overlong state', 'x'.repeat(2049)],
    ['a state with a control character', 'a\u0001b'],
    ['a state with a character outside ASCII', 'caf\u00e9'],
  ])('%s is refused (RFC 6749 A.5: 1*VSCHAR), and not echoed', async (_name, state) => {
    await expectErrorRedirect(await authorize({ state }), 'invalid_request', null)
  })

  test('empty parameters count as omitted (RFC 6749 §3.1)', async () => {
    await expectErrorRedirect(await authorize({ response_type: '' }), 'invalid_request')
    const response = await authorize({ scope: '', state: '' })
    expect(response.status).toBe(200)
  })

  test('a client not registered for the code grant gets unauthorized_client', async () => {
    await expectErrorRedirect(await authorize({ client_id: 'no-code' }), 'unauthorized_client')
  })

  test("the redirect URI's own query is kept as written in the response (RFC 6749 §3.1.2)", async () => {
    const response = await authorize({
      client_id: 'tenant',
      redirect_uri: TENANT_REDIRECT,
      response_type: 'token',
    })
    const location = await expectErrorRedirect(
      response,
      'unsupported_response_type',
      'state-123',
      'https://app.example.com/cb',
    )
    expect(location.searchParams.get('tenant')).toBe('7')
    expect(response.headers.get('location')).toMatch(
      /^https:\/\/app\.example\.com\/cb\?tenant=7&x=a%20b&flag&t=~&error=unsupported_response_type&/,
    )
  })

  test('a redirect URI stored before hosts were checked never puts policy syntax in the CSP', async () => {
    // The URL parser takes `a;sandbox` as a host; registration refuses it now, a store may not.
    await f.store.createClient(
      client('legacy', {
        secretHash: null,
        redirectUris: ['https://a;sandbox/cb'],
        grantTypes: ['authorization_code'],
      }),
    )
    const response = await authorize({
      client_id: 'legacy',
      redirect_uri: 'https://a;sandbox/cb',
      scope: 'read',
    })
    expect(response.status).toBe(200)
    const csp = response.headers.get('content-security-policy') as string
    expect(csp).toContain("form-action 'self'; frame-ancestors 'none'")
    expect(csp).not.toContain('sandbox')
  })

  test('a client with one redirect URI may leave redirect_uri out', async () => {
    const response = await authorize({ client_id: 'tenant', redirect_uri: null, scope: 'read' })
    expect(response.status).toBe(200)
  })

  test('a valid request shows the login page, under a strict policy, with a CSRF cookie', async () => {
    const response = await authorize({ resource: 'https://api.example.com' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expectPageHeaders(response)
    const csp = response.headers.get('content-security-policy') as string
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; /)
    // The form's redirect to the client is allowed, and nothing else is.
    expect(csp).toContain("form-action 'self' https://app.example.com;")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("base-uri 'none'")
    const [cookie] = response.headers.getSetCookie()
    expect(cookie).toMatch(
      /^__Host-gatehouse-csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    )
    const html = await response.text()
    expect(html).toContain('to continue to <strong>Web app</strong>')
    expect(html).toContain(`<form method="post" action="${ISSUER}/authorize">`)
    expect(html).not.toMatch(/<script|<link|<img|https?:\/\/(?!auth\.example\.com)/)
    const fields = hiddenFields(html)
    expect(Object.keys(fields)).toEqual(['step', 'request', 'csrf_token'])
    expect(fields.step).toBe('login')
  })

  test('RFC 8414 metadata names the authorization endpoint and its features', async () => {
    const metadata = await (await f.send('/.well-known/oauth-authorization-server')).json()
    expect(metadata).toMatchObject({
      authorization_endpoint: `${ISSUER}/authorize`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
    })
    expect(metadata.registration_endpoint).toBeUndefined()
    expect(f.server.metadata.authorization_endpoint).toBe(`${ISSUER}/authorize`)
  })
})

describe.each(matrix)('without the code grant ($name)', ({ transport, store }) => {
  test('there is no authorization endpoint', async () => {
    const f = await openFixture(transport, store, { grantTypes: ['client_credentials'] })
    try {
      expect((await f.send(`/authorize?${authorizeQuery(pkce().challenge)}`)).status).toBe(404)
      const metadata = await (await f.send('/.well-known/oauth-authorization-server')).json()
      expect(metadata.authorization_endpoint).toBeUndefined()
      // RFC 8414 §3.2: no claim with zero elements.
      expect(metadata.response_types_supported).toBeUndefined()
      expect(metadata.response_modes_supported).toBeUndefined()
      for (const value of Object.values(metadata))
        if (Array.isArray(value)) expect(value.length).toBeGreaterThan(0)
      expect(metadata.authorization_response_iss_parameter_supported).toBeUndefined()
      expect(metadata.request_uri_parameter_supported).toBeUndefined()
      await expect(
        f.server.completeLogin({ userId: f.users.ada, returnTo: `${ISSUER}/authorize?x` }),
      ).rejects.toThrow(TypeError)
    } finally {
      await f.close()
    }
  })
})
