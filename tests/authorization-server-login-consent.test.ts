import { afterEach, describe, expect, test } from 'vitest'
import {
  authorizeQuery,
  browser,
  hiddenFields,
  locationOf,
  pkce,
  REDIRECT,
  SAME_ORIGIN,
  signIn,
} from './helpers/authorization-flow.js'
import {
  basic,
  bearer,
  claimsOf,
  type Fixture,
  ISSUER,
  matrix,
  openFixture,
  postForm,
} from './helpers/authorization-server.js'

describe.each(matrix)('login and consent pages ($name)', ({ transport, store }) => {
  let f: Fixture
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })
  const open = async (options: Parameters<typeof openFixture>[2] = {}) => {
    f = await openFixture(transport, store, options)
    return f
  }

  /** Follows the 303 after login to the consent page and returns its form fields and HTML. */
  const consentPage = async (b: ReturnType<typeof browser>, afterLogin: Response) => {
    expect(afterLogin.status).toBe(303)
    const back = locationOf(afterLogin)
    expect(`${back.origin}${back.pathname}`).toBe(`${ISSUER}/authorize`)
    const page = await b.get(`${back.pathname}${back.search}`)
    expect(page.status).toBe(200)
    const html = await page.text()
    return { html, fields: hiddenFields(html), page }
  }

  const redeem = (code: string, verifier: string) =>
    postForm(
      f.send,
      '/token',
      { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT },
      { authorization: basic('web', f.secrets.web) },
    )

  test('"Not ada? Sign out" ends the session: the same request asks for a sign-in, and the old form is dead', async () => {
    await open()
    const b = browser(f.send)
    const { fields, html } = await consentPage(b, await signIn(b, authorizeQuery(pkce().challenge)))
    expect(html).toContain(
      '<button type="submit" name="decision" value="switch">Not ada? Sign out</button>',
    )
    const out = await b.post('/authorize', { ...fields, decision: 'switch' }, SAME_ORIGIN)
    expect(out.status).toBe(303)
    expect(out.headers.getSetCookie().join()).toMatch(/__Host-gatehouse-login=; Path=\/; Max-Age=0/)
    expect([...b.jar.cookies.keys()]).not.toContain('__Host-gatehouse-login')
    const back = locationOf(out)
    const page = await b.get(`${back.pathname}${back.search}`)
    expect(hiddenFields(await page.text()).step).toBe('login')
    // The consent form of before, posted again, finds nobody signed in: sign in first.
    const replayed = await b.post('/authorize', { ...fields, decision: 'allow' }, SAME_ORIGIN)
    expect(replayed.status).toBe(303)
    expect(locationOf(replayed).searchParams.get('code')).toBeNull()
    expect(locationOf(replayed).pathname).toBe('/authorize')
  })

  test('log in, consent, and the code in the redirect gives tokens for the scopes shown', async () => {
    await open()
    const b = browser(f.send)
    const { verifier, challenge } = pkce()
    const afterLogin = await signIn(b, authorizeQuery(challenge))
    const session = afterLogin.headers.getSetCookie().find((c) => c.includes('gatehouse-login'))
    expect(session).toMatch(
      /^__Host-gatehouse-login=[^;]+; Path=\/; Max-Age=900; HttpOnly; Secure; SameSite=Lax$/,
    )
    expect(afterLogin.headers.get('cache-control')).toBe('no-store')
    const { html, fields } = await consentPage(b, afterLogin)
    expect(html).toContain('Authorize Web app')
    expect(html).toContain('(<strong>ada</strong>)')
    expect(html).toContain('<li><code>read</code>Read your data</li>')
    expect(html).toContain('<li><code>write</code>Change your data</li>')
    expect(html).not.toContain('Administer')
    expect(html).toContain('you go back to app.example.com')
    expect(html).not.toContain('registered itself')
    expect(fields.step).toBe('consent')

    const allowed = await b.post('/authorize', { ...fields, decision: 'allow' }, SAME_ORIGIN)
    expect(allowed.status).toBe(303)
    const location = locationOf(allowed)
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT)
    expect(location.searchParams.get('state')).toBe('state-123')
    expect(location.searchParams.get('iss')).toBe(ISSUER)
    const code = location.searchParams.get('code') as string
    const tokens = await redeem(code, verifier)
    expect(tokens.status).toBe(200)
    const body = await tokens.json()
    expect(body.scope).toBe('read write')
    expect(claimsOf(body.access_token)).toMatchObject({ sub: f.users.ada, client_id: 'web' })
    expect((await f.send('/api/write', bearer(body.access_token))).status).toBe(200)
    // Single use: the same code again is refused.
    expect((await redeem(code, verifier)).status).toBe(400)
  })

  test('the longest state accepted survives the login and consent forms, exactly', async () => {
    await open()
    const b = browser(f.send)
    // Quotes and backslashes double in the sealed request's JSON: the worst case.
    const state = '"\\'.repeat(1024)
    const afterLogin = await signIn(b, authorizeQuery(pkce().challenge, { state }))
    const { fields } = await consentPage(b, afterLogin)
    const allowed = await b.post('/authorize', { ...fields, decision: 'allow' }, SAME_ORIGIN)
    expect(allowed.status).toBe(303)
    const location = locationOf(allowed)
    expect(location.searchParams.get('state')).toBe(state)
    expect(location.searchParams.get('code')).toEqual(expect.any(String))
  })

  test('a consent form is accepted once: posted again, it issues no code but starts the request again', async () => {
    await open()
    const b = browser(f.send)
    const query = authorizeQuery(pkce().challenge)
    const afterLogin = await signIn(b, query)
    const { fields } = await consentPage(b, afterLogin)
    // A choice the page does not offer does not use the form up.
    expect((await b.post('/authorize', { ...fields, decision: 'maybe' }, SAME_ORIGIN)).status).toBe(
      400,
    )
    const allowed = await b.post('/authorize', { ...fields, decision: 'allow' }, SAME_ORIGIN)
    expect(allowed.status).toBe(303)
    expect(locationOf(allowed).searchParams.get('code')).toEqual(expect.any(String))
    for (const decision of ['allow', 'deny']) {
      // A double click whose first answer the browser dropped: back to the same request, where
      // the user chooses again on a new consent page; no code, no error for the client.
      const replayed = await b.post('/authorize', { ...fields, decision }, SAME_ORIGIN)
      expect(replayed.status).toBe(303)
      const restart = locationOf(replayed)
      expect(`${restart.origin}${restart.pathname}`).toBe(`${ISSUER}/authorize`)
      expect(Object.fromEntries(restart.searchParams)).toEqual(
        Object.fromEntries(new URLSearchParams(query)),
      )
      const page = await b.get(`${restart.pathname}${restart.search}`)
      const shown = hiddenFields(await page.text())
      expect(shown.step).toBe('consent')
      expect(shown.request).not.toBe(fields.request)
    }
    // Two posts of one fresh form at once (signed in already: straight to consent): one code.
    const page = await b.get(`/authorize?${authorizeQuery(pkce().challenge)}`)
    const again = hiddenFields(await page.text())
    expect(again.step).toBe('consent')
    const racing = await Promise.all(
      [1, 2].map(() => b.post('/authorize', { ...again, decision: 'allow' }, SAME_ORIGIN)),
    )
    const codes = racing.map((response) => locationOf(response).searchParams.get('code'))
    expect(codes.filter((code) => code !== null)).toHaveLength(1)
  })

  test('denying sends access_denied back, with state and iss', async () => {
    await open()
    const b = browser(f.send)
    const { fields } = await consentPage(b, await signIn(b, authorizeQuery(pkce().challenge)))
    const denied = await b.post('/authorize', { ...fields, decision: 'deny' }, SAME_ORIGIN)
    expect(denied.status).toBe(303)
    const location = locationOf(denied)
    expect(location.searchParams.get('error')).toBe('access_denied')
    expect(location.searchParams.get('state')).toBe('state-123')
    expect(location.searchParams.get('iss')).toBe(ISSUER)
    expect(location.searchParams.get('code')).toBeNull()
  })

  test('signed in once, the next request goes straight to consent, until the session ends', async () => {
    await open()
    const b = browser(f.send)
    await consentPage(b, await signIn(b, authorizeQuery(pkce().challenge)))
    const again = await b.get(`/authorize?${authorizeQuery(pkce().challenge, { scope: 'read' })}`)
    expect(hiddenFields(await again.text()).step).toBe('consent')
    // prompt=login asks for the password again despite the session.
    const forced = await b.get(
      `/authorize?${authorizeQuery(pkce().challenge, { prompt: 'login' })}`,
    )
    expect(hiddenFields(await forced.text()).step).toBe('login')
    f.clock.advance(901)
    const expired = await b.get(`/authorize?${authorizeQuery(pkce().challenge)}`)
    expect(hiddenFields(await expired.text()).step).toBe('login')
  })

  test('after prompt=login the login leads on to consent, not back to the login', async () => {
    await open()
    const b = browser(f.send)
    const afterLogin = await signIn(
      b,
      authorizeQuery(pkce().challenge, { prompt: 'login consent' }),
    )
    expect(locationOf(afterLogin).searchParams.get('prompt')).toBe('consent')
    expect((await consentPage(b, afterLogin)).fields.step).toBe('consent')
  })

  test('wrong and unknown credentials show the login page again, alike, without a session', async () => {
    await open()
    for (const credentials of [
      { username: 'ada', password: 'wrong' },
      { username: 'nobody', password: 'wrong' },
    ]) {
      const b = browser(f.send)
      const response = await signIn(b, authorizeQuery(pkce().challenge), credentials)
      expect(response.status).toBe(400)
      expect(response.headers.getSetCookie().join()).not.toContain('gatehouse-login')
      const html = await response.text()
      expect(html).toContain('The username or password is not right.')
      expect(html).toContain(`value="${credentials.username}"`)
      expect(html).not.toContain('wrong')
      expect(hiddenFields(html).step).toBe('login')
    }
    const b = browser(f.send)
    const missing = await signIn(b, authorizeQuery(pkce().challenge), {
      username: 'ada',
      password: '',
    })
    expect(missing.status).toBe(400)
    expect(await missing.text()).toContain('Enter your username and password.')
  })

  test('a disabled user cannot sign in, and its right password gets the wrong-password page', async () => {
    await open()
    const pageFor = async (password: string) => {
      const response = await signIn(browser(f.send), authorizeQuery(pkce().challenge), {
        username: 'eve',
        password,
      })
      expect(response.status).toBe(400)
      // The page's hidden fields differ per request; the message must not.
      const text = await response.text()
      return text.match(/<p class="error"[^>]*>([^<]*)</)?.[1] ?? text
    }
    const right = await pageFor('eve-password')
    expect(right).toBe(await pageFor('wrong'))
    expect(right).toContain('The username or password is not right.')
    expect(right).not.toContain('cannot sign in')
  })

  test('failed sign-ins are throttled: a 429 page with Retry-After', async () => {
    await open()
    const b = browser(f.send)
    const page = await b.get(`/authorize?${authorizeQuery(pkce().challenge)}`)
    const fields = hiddenFields(await page.text())
    for (let i = 0; i < 5; i++) {
      const failed = await b.post(
        '/authorize',
        { ...fields, username: 'ada', password: 'x' },
        SAME_ORIGIN,
      )
      expect(failed.status).toBe(400)
    }
    const throttled = await b.post(
      '/authorize',
      { ...fields, username: 'ada', password: 'ada-password' },
      SAME_ORIGIN,
    )
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get('retry-after')).toBe('1')
    expect(throttled.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await throttled.text()).toContain('Too many failed sign-ins. Try again in 1 second.')
    f.clock.advance(1)
    const later = await b.post(
      '/authorize',
      { ...fields, username: 'ada', password: 'ada-password' },
      SAME_ORIGIN,
    )
    expect(later.status).toBe(303)
  })

  test('a user who may not have a requested scope gets invalid_scope after signing in', async () => {
    await open()
    const b = browser(f.send)
    const afterLogin = await signIn(b, authorizeQuery(pkce().challenge), {
      username: 'bob',
      password: 'bob-password',
    })
    const back = locationOf(afterLogin)
    const response = await b.get(`${back.pathname}${back.search}`)
    expect(response.status).toBe(302)
    const location = locationOf(response)
    expect(location.searchParams.get('error')).toBe('invalid_scope')
    expect(location.searchParams.get('state')).toBe('state-123')
  })

  test('no scope asked: the consent page offers the default', async () => {
    await open()
    const b = browser(f.send)
    const { html } = await consentPage(
      b,
      await signIn(b, authorizeQuery(pkce().challenge, { scope: null })),
    )
    expect(html).toContain('<li><code>read</code>Read your data</li>')
    expect(html).not.toContain('<code>write</code>')
  })

  // The slashed form is what a client sends after parsing RFC 9728 metadata's origin-only `resource`.
  test.each(['https://api.example.com', 'https://api.example.com/'])(
    'resource %s binds the audience of the tokens, as configured',
    async (resource) => {
      await open()
      const b = browser(f.send)
      const { verifier, challenge } = pkce()
      const query = authorizeQuery(challenge, { resource })
      const { fields } = await consentPage(b, await signIn(b, query))
      const allowed = await b.post('/authorize', { ...fields, decision: 'allow' }, SAME_ORIGIN)
      const code = locationOf(allowed).searchParams.get('code') as string
      const body = await (await redeem(code, verifier)).json()
      expect(claimsOf(body.access_token).aud).toBe('https://api.example.com')
    },
  )

  test('prompt=none: consent_required when signed in without consent', async () => {
    await open()
    const b = browser(f.send)
    await consentPage(b, await signIn(b, authorizeQuery(pkce().challenge)))
    const response = await b.get(
      `/authorize?${authorizeQuery(pkce().challenge, { prompt: 'none' })}`,
    )
    expect(response.status).toBe(302)
    expect(locationOf(response).searchParams.get('error')).toBe('consent_required')
  })

  test('a remembered consent skips the page for no more scopes; prompt=consent still asks', async () => {
    await open({ consent: { remember: 3600 } })
    const b = browser(f.send)
    const { fields } = await consentPage(
      b,
      await signIn(b, authorizeQuery(pkce().challenge, { scope: 'read' })),
    )
    await b.post('/authorize', { ...fields, decision: 'allow' }, SAME_ORIGIN)
    expect((await f.store.findConsent(f.users.ada, 'web', f.clock.now()))?.scopes).toEqual(['read'])

    const { verifier, challenge } = pkce()
    const skipped = await b.get(`/authorize?${authorizeQuery(challenge, { scope: 'read' })}`)
    expect(skipped.status).toBe(302)
    const code = locationOf(skipped).searchParams.get('code') as string
    expect((await redeem(code, verifier)).status).toBe(200)
    const silent = await b.get(
      `/authorize?${authorizeQuery(challenge, { scope: 'read', prompt: 'none' })}`,
    )
    expect(locationOf(silent).searchParams.get('code')).toEqual(expect.any(String))

    const forced = await b.get(
      `/authorize?${authorizeQuery(challenge, { scope: 'read', prompt: 'consent' })}`,
    )
    expect(hiddenFields(await forced.text()).step).toBe('consent')
    const more = await b.get(`/authorize?${authorizeQuery(challenge, { scope: 'read write' })}`)
    const page = await more.text()
    expect(hiddenFields(page).step).toBe('consent')
    await b.post('/authorize', { ...hiddenFields(page), decision: 'allow' }, SAME_ORIGIN)
    expect((await f.store.findConsent(f.users.ada, 'web', f.clock.now()))?.scopes).toEqual([
      'read',
      'write',
    ])
    f.clock.advance(3600)
    const forgotten = await b.get(`/authorize?${authorizeQuery(challenge, { scope: 'read' })}`)
    expect(forgotten.status).toBe(200)
  })

  test("a public client's consent is remembered only for an https redirect (RFC 8252 §8.6)", async () => {
    await open({ consent: { remember: 3600 } })
    await f.server.admin.createClient({
      id: 'spa-https',
      public: true,
      grantTypes: ['authorization_code'],
      redirectUris: ['https://spa.example.com/cb'],
      scopes: ['read'],
    })
    const b = browser(f.send)
    const ask = (client_id: string, redirect_uri: string) =>
      b.get(
        `/authorize?${authorizeQuery(pkce().challenge, { client_id, redirect_uri, scope: 'read' })}`,
      )
    // A loopback client: the user allowed it once, on port 5173 ...
    const { fields } = await consentPage(
      b,
      await signIn(
        b,
        authorizeQuery(pkce().challenge, {
          client_id: 'spa',
          redirect_uri: 'http://127.0.0.1:5173/cb',
          scope: 'read',
        }),
      ),
    )
    const allowed = await b.post('/authorize', { ...fields, decision: 'allow' }, SAME_ORIGIN)
    expect(locationOf(allowed).searchParams.get('code')).toEqual(expect.any(String))
    // ... but another program on another port passes for it as well: the page is shown again,
    // and prompt=none cannot get a code without it.
    const other = await ask('spa', 'http://127.0.0.1:6666/cb')
    expect(other.status).toBe(200)
    expect(hiddenFields(await other.text()).step).toBe('consent')
    const silent = await b.get(
      `/authorize?${authorizeQuery(pkce().challenge, { client_id: 'spa', redirect_uri: 'http://127.0.0.1:6666/cb', scope: 'read', prompt: 'none' })}`,
    )
    expect(locationOf(silent).searchParams.get('error')).toBe('consent_required')
    expect(locationOf(silent).port).toBe('6666')
    // A public client whose redirect is https: only that origin gets the code, so it is remembered.
    const first = await ask('spa-https', 'https://spa.example.com/cb')
    const page = await first.text()
    expect(hiddenFields(page).step).toBe('consent')
    await b.post('/authorize', { ...hiddenFields(page), decision: 'allow' }, SAME_ORIGIN)
    const skipped = await ask('spa-https', 'https://spa.example.com/cb')
    expect(skipped.status).toBe(302)
    expect(locationOf(skipped).searchParams.get('code')).toEqual(expect.any(String))
  })

  test('without consent.remember nothing is remembered', async () => {
    await open()
    const b = browser(f.send)
    const { fields } = await consentPage(b, await signIn(b, authorizeQuery(pkce().challenge)))
    await b.post('/authorize', { ...fields, decision: 'allow' }, SAME_ORIGIN)
    expect(await f.store.findConsent(f.users.ada, 'web', f.clock.now())).toBeUndefined()
    const again = await b.get(`/authorize?${authorizeQuery(pkce().challenge)}`)
    expect(hiddenFields(await again.text()).step).toBe('consent')
  })

  test("a client's name is escaped on the pages", async () => {
    await open()
    await f.server.admin.createClient({
      id: 'odd',
      name: '<img src=x onerror=alert(1)> & "co"',
      public: true,
      grantTypes: ['authorization_code'],
      redirectUris: [REDIRECT],
      scopes: ['read'],
    })
    const page = await f.send(
      `/authorize?${authorizeQuery(pkce().challenge, { client_id: 'odd', scope: 'read' })}`,
    )
    const html = await page.text()
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;co&quot;')
  })
})
