import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import {
  authorizeQuery,
  browser,
  hiddenFields,
  locationOf,
  pkce,
  SAME_ORIGIN,
  signIn,
} from './helpers/authorization-flow.js'
import {
  type Fixture,
  ISSUER,
  matrix,
  openFixture,
  postForm,
} from './helpers/authorization-server.js'

// OAuth 2.1 §2.3.1 and RFC 8252 §7.3: a native app's loopback redirect URI matches whatever port
// the app listens on at the time of the request; everything else about it must match exactly.
/** The fixture's public `spa` client registered this one. */
const REGISTERED = 'http://127.0.0.1:5173/cb'
const EPHEMERAL = 'http://127.0.0.1:51004/cb'

describe.each(matrix)('loopback redirect URIs ($name)', ({ transport, store }) => {
  let f: Fixture
  beforeEach(async () => {
    f = await openFixture(transport, store)
    await f.server.admin.createClient({
      id: 'cli',
      public: true,
      grantTypes: ['authorization_code'],
      redirectUris: ['http://[::1]/callback', 'http://localhost:8080/done'],
      scopes: ['read'],
    })
  })
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })

  const authorize = (challenge: string, changes: Record<string, string>) =>
    f.send(
      `/authorize?${authorizeQuery(challenge, { client_id: 'spa', scope: 'read', ...changes })}`,
    )

  test.each([
    ['another port', 'spa', EPHEMERAL],
    ['no port for a URI registered with one', 'spa', 'http://127.0.0.1/cb'],
    ['IPv6, a port for a URI registered without', 'cli', 'http://[::1]:61023/callback'],
    ['localhost, another port', 'cli', 'http://localhost:3000/done'],
  ])('%s: the request goes on to the login page', async (_name, client, redirect) => {
    const { challenge } = pkce()
    const response = await authorize(challenge, { client_id: client, redirect_uri: redirect })
    expect(response.status).toBe(200)
    expect(hiddenFields(await response.text()).step).toBe('login')
    // The page's form may be followed by the redirect to that port, and to no other.
    const csp = response.headers.get('content-security-policy') as string
    expect(csp).toContain(`form-action 'self' ${new URL(redirect).origin};`)
  })

  test.each([
    ['another path', 'spa', 'http://127.0.0.1:51004/cb/'],
    ['an added query', 'spa', 'http://127.0.0.1:51004/cb?x=1'],
    ['localhost for 127.0.0.1', 'spa', 'http://localhost:51004/cb'],
    ['another loopback address', 'spa', 'http://127.0.0.2:51004/cb'],
    ['https', 'spa', 'https://127.0.0.1:51004/cb'],
    ['an upper-case scheme', 'spa', 'HTTP://127.0.0.1:51004/cb'],
    ['user info', 'spa', 'http://me@127.0.0.1:51004/cb'],
    ['a port out of range', 'spa', 'http://127.0.0.1:65536/cb'],
    ['an empty port', 'spa', 'http://127.0.0.1:/cb'],
    ['port 0', 'spa', 'http://127.0.0.1:0/cb'],
    ['a port with a leading zero', 'spa', 'http://127.0.0.1:08765/cb'],
    ['another port of a host that is not loopback', 'web', 'https://app.example.com:8443/callback'],
  ])('%s: an error page, not a redirect', async (_name, client, redirect) => {
    const { challenge } = pkce()
    const response = await authorize(challenge, { client_id: client, redirect_uri: redirect })
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
    expect(await response.text()).toContain(
      'The redirect URI is not registered for this application.',
    )
  })

  test('the code goes to the port of the request, and is redeemed with that URI only', async () => {
    const b = browser(f.send)
    const { verifier, challenge } = pkce()
    const afterLogin = await signIn(
      b,
      authorizeQuery(challenge, { client_id: 'spa', scope: 'read', redirect_uri: EPHEMERAL }),
    )
    expect(afterLogin.status).toBe(303)
    const back = locationOf(afterLogin)
    const consent = hiddenFields(await (await b.get(`${back.pathname}${back.search}`)).text())
    expect(consent.step).toBe('consent')
    const allowed = await b.post('/authorize', { ...consent, decision: 'allow' }, SAME_ORIGIN)
    expect(allowed.status).toBe(303)
    const location = locationOf(allowed)
    expect(`${location.origin}${location.pathname}`).toBe(EPHEMERAL)
    expect(location.searchParams.get('iss')).toBe(ISSUER)
    const code = location.searchParams.get('code') as string

    const redeem = (redirect: string) =>
      postForm(f.send, '/token', {
        grant_type: 'authorization_code',
        client_id: 'spa',
        code,
        code_verifier: verifier,
        redirect_uri: redirect,
      })
    // The token request must repeat the URI of the authorization request, not the registered one.
    const registered = await redeem(REGISTERED)
    expect(registered.status).toBe(400)
    expect((await registered.json()).error).toBe('invalid_grant')
    const exact = await redeem(EPHEMERAL)
    expect(exact.status).toBe(200)
    expect((await exact.json()).scope).toBe('read')
  })

  test('a host-only loopback URI matches on any port, exactly as registered otherwise', async () => {
    await f.server.admin.createClient({
      id: 'bare',
      public: true,
      grantTypes: ['authorization_code'],
      redirectUris: ['http://127.0.0.1:8080'],
      scopes: ['read'],
    })
    const { challenge } = pkce()
    const silent = (redirect: string) =>
      authorize(challenge, { client_id: 'bare', redirect_uri: redirect, prompt: 'none' })
    for (const redirect of ['http://127.0.0.1:8080', 'http://127.0.0.1:43111']) {
      const response = await silent(redirect)
      expect(response.status).toBe(302)
      const location = locationOf(response)
      // The parser writes the empty path as "/": the same URI (RFC 3986 §6.2.3).
      expect(`${location.origin}${location.pathname}`).toBe(`${redirect}/`)
      expect(location.searchParams.get('error')).toBe('login_required')
    }
    for (const redirect of ['http://127.0.0.1:43111/', 'http://127.0.0.1:43111/cb']) {
      const response = await silent(redirect)
      expect(response.status).toBe(400)
      expect(response.headers.get('location')).toBeNull()
    }
  })

  test('issueAuthorizationCode applies the same rule', async () => {
    const request = {
      clientId: 'spa',
      userId: f.users.ada,
      scopes: ['read'],
      codeChallenge: pkce().challenge,
      codeChallengeMethod: 'S256',
    }
    const code = await f.server.issueAuthorizationCode({ ...request, redirectUri: EPHEMERAL })
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/)
    await expect(
      f.server.issueAuthorizationCode({ ...request, redirectUri: 'http://127.0.0.1:51004/other' }),
    ).rejects.toMatchObject({ code: 'invalid_request' })
  })
})
