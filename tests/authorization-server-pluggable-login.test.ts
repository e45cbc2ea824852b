import { Form, type Gatehouse } from 'gatehouse'
import type {
  AuthorizationServer,
  AuthorizationServerOptions,
} from 'gatehouse/authorization-server'
import { afterEach, describe, expect, test } from 'vitest'
import * as z from 'zod'
import {
  authorizeQuery,
  browser,
  hiddenFields,
  locationOf,
  pkce,
  SAME_ORIGIN,
} from './helpers/authorization-flow.js'
import {
  type Fixture,
  ISSUER,
  matrix,
  openFixture,
  postForm,
} from './helpers/authorization-server.js'

/** The app's own sessions: cookie value → username. */
const sessions = new Map<string, string>()
let current: Fixture | undefined

/** Reads the app's own `app-session` cookie, as an app with its own login would. */
const authenticate: NonNullable<AuthorizationServerOptions['login']>['authenticate'] = async (
  request,
) => {
  const username = sessions.get(request.cookie('app-session') ?? '')
  return username === undefined
    ? undefined
    : (await current?.store.findUserByUsername(username))?.id
}

/**
 * The app's login page: checks the password with the server's throttled check, then either
 * sets its own session (`mode: 'session'`) or hands the user to `server.completeLogin()`.
 */
function appLogin(mode: 'session' | 'complete') {
  return (app: Gatehouse, server: AuthorizationServer) => {
    app.post(
      '/login',
      {
        inputs: {
          form: Form(
            z.object({ username: z.string(), password: z.string(), return_to: z.string() }),
          ),
          request: Request,
        },
      },
      async ({ form, request }) => {
        const result = await server.authenticateUser({
          username: form.username,
          password: form.password,
          request,
        })
        if (!result.ok) return new Response('no', { status: 401 })
        if (mode === 'complete')
          return server.completeLogin({ userId: result.user.id, returnTo: form.return_to })
        const id = `s-${sessions.size + 1}`
        sessions.set(id, result.user.username)
        return new Response(null, {
          status: 303,
          headers: { location: form.return_to, 'set-cookie': `app-session=${id}; Path=/` },
        })
      },
    )
  }
}

describe.each(matrix)("an app's own login and consent ($name)", ({ transport, store }) => {
  let f: Fixture
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
    current = undefined
  })
  const open = async (
    options: Partial<AuthorizationServerOptions>,
    setup?: Parameters<typeof openFixture>[3],
  ) => {
    f = await openFixture(transport, store, options, setup)
    current = f
    return f
  }
  const follow = async (b: ReturnType<typeof browser>, response: Response) => {
    const location = locationOf(response)
    return b.get(`${location.pathname}${location.search}`)
  }

  test('login.authenticate: a user signed in to the app goes straight to consent', async () => {
    await open({ login: { authenticate } })
    sessions.set('ada-session', 'ada')
    const b = browser(f.send)
    b.jar.cookies.set('app-session', 'ada-session')
    const page = await b.get(`/authorize?${authorizeQuery(pkce().challenge)}`)
    const html = await page.text()
    expect(hiddenFields(html).step).toBe('consent')
    expect(html).toContain('(<strong>ada</strong>)')
    // The app's session is the app's to end: no "Sign out" that could not sign anyone out.
    expect(html).not.toContain('value="switch"')
    const allowed = await b.post(
      '/authorize',
      { ...hiddenFields(html), decision: 'allow' },
      SAME_ORIGIN,
    )
    expect(locationOf(allowed).searchParams.get('code')).toEqual(expect.any(String))
    // Nobody signed in to the app, and no login.url: the built-in page.
    const stranger = await f.send(`/authorize?${authorizeQuery(pkce().challenge)}`)
    expect(hiddenFields(await stranger.text()).step).toBe('login')
  })

  test('login.url: the user goes to the app login with return_to and comes back signed in', async () => {
    await open({ login: { authenticate, url: '/login' } }, appLogin('session'))
    const b = browser(f.send)
    const query = authorizeQuery(pkce().challenge, { prompt: 'login consent' })
    const sent = await b.get(`/authorize?${query}`)
    expect(sent.status).toBe(302)
    const login = locationOf(sent)
    expect(login.pathname).toBe('/login')
    expect(login.searchParams.get('prompt')).toBe('login')
    const returnTo = login.searchParams.get('return_to') as string
    expect(returnTo.startsWith(`${ISSUER}/authorize?`)).toBe(true)
    expect(new URL(returnTo).searchParams.get('prompt')).toBe('consent')
    const back = await b.post('/login', {
      username: 'ada',
      password: 'ada-password',
      return_to: returnTo,
    })
    expect(back.status).toBe(303)
    const page = await follow(b, back)
    const consent = await page.text()
    expect(hiddenFields(consent).step).toBe('consent')
    // Signed in by the app's own session: the app ends it, not this page.
    expect(consent).not.toContain('value="switch"')
  })

  test('login.url: prompt=none without an app session is login_required; no password form', async () => {
    await open({ login: { authenticate, url: '/login?tenant=1' } }, appLogin('session'))
    const silent = await f.send(
      `/authorize?${authorizeQuery(pkce().challenge, { prompt: 'none' })}`,
    )
    expect(locationOf(silent).searchParams.get('error')).toBe('login_required')
    const sent = await f.send(`/authorize?${authorizeQuery(pkce().challenge)}`)
    expect(locationOf(sent).searchParams.get('tenant')).toBe('1')
    // The built-in password login is closed when the app brings its own.
    const other = await openFixtureForm()
    const b = browser(f.send)
    b.jar.cookies.set('__Host-gatehouse-csrf', other.secret)
    const refused = await b.post(
      '/authorize',
      { ...other.fields, username: 'ada', password: 'ada-password' },
      SAME_ORIGIN,
    )
    expect(refused.status).toBe(400)
    expect(await refused.text()).toContain('Sign in through the application&#39;s own login page.')
  })

  /** A login form of a server without login.url on the same store, to post to one with it. */
  async function openFixtureForm() {
    const { createAuthorizationServer } = await import('gatehouse/authorization-server')
    const { Gatehouse } = await import('gatehouse')
    const plain = createAuthorizationServer({
      issuer: ISSUER,
      store: f.store,
      scopes: { read: 'r', write: 'w', admin: 'a' },
      now: f.clock.now,
    })
    const app = new Gatehouse()
    app.include(plain.router)
    const page = await app.request(`/authorize?${authorizeQuery(pkce().challenge)}`)
    const cookie = page.headers.getSetCookie()[0] as string
    return {
      fields: hiddenFields(await page.text()),
      secret: decodeURIComponent((cookie.split(';')[0] as string).split('=')[1] as string),
    }
  }

  test("another address's wrong guesses never lock the user out of the app's own page", async () => {
    await open({ login: { url: '/login' } }, appLogin('session'))
    const attempt = (password: string, address: string) =>
      postForm(
        f.send,
        '/login',
        { username: 'ada', password, return_to: '/authorize?x' },
        { 'x-test-address': address },
      )
    const statuses: number[] = []
    for (let n = 0; n < 7; n++) statuses.push((await attempt('guess', '10.0.0.66')).status)
    // Throttled per username and address, as the built-in page is: the guesser is delayed...
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(5)).toEqual([429, 429])
    // ...and the owner, from elsewhere, signs in.
    const owner = await attempt('ada-password', '10.0.0.1')
    expect(owner.status).toBe(303)
  })

  test('completeLogin: the app hands the user back through the built-in session', async () => {
    await open({ login: { url: '/login' } }, appLogin('complete'))
    const b = browser(f.send)
    const sent = await b.get(`/authorize?${authorizeQuery(pkce().challenge)}`)
    const returnTo = locationOf(sent).searchParams.get('return_to') as string
    const back = await b.post('/login', {
      username: 'ada',
      password: 'ada-password',
      return_to: returnTo,
    })
    expect(back.status).toBe(303)
    expect(back.headers.get('location')).toBe(returnTo)
    expect(back.headers.getSetCookie()[0]).toMatch(/^__Host-gatehouse-login=.+; SameSite=Lax$/)
    const page = await follow(b, back)
    const consent = await page.text()
    expect(hiddenFields(consent).step).toBe('consent')
    // Handed over to the built-in session, which the page can end.
    expect(consent).toContain('value="switch">Not ada? Sign out</button>')

    for (const bad of ['https://evil.example.com/authorize?x', `${ISSUER}/token?x`, '/elsewhere']) {
      const refused = await b.post('/login', {
        username: 'ada',
        password: 'ada-password',
        return_to: bad,
      })
      expect(refused.status).toBe(400)
      expect(refused.headers.get('location')).toBeNull()
    }
    await expect(f.server.completeLogin({ userId: f.users.eve, returnTo })).rejects.toMatchObject({
      status: 400,
    })
    const relative = await f.server.completeLogin({
      userId: f.users.ada,
      returnTo: '/authorize?client_id=web',
    })
    expect(relative.status).toBe(303)

    // What came from a form never breaks the header (a 500 that logged the query before): the
    // URL is parsed and written out again, as a browser would send it.
    const crlf = await b.post('/login', {
      username: 'ada',
      password: 'ada-password',
      return_to: `${returnTo}\r\nX-Injected: yes`,
    })
    expect(crlf.status).toBe(303)
    expect(crlf.headers.get('x-injected')).toBeNull()
    expect(crlf.headers.get('location')).toBe(`${returnTo}X-Injected:%20yes`)
    const unicode = await f.server.completeLogin({
      userId: f.users.ada,
      returnTo: '/authorize?client_id=web&state=\u00e9t\u00e9',
    })
    expect(unicode.headers.get('location')).toBe('/authorize?client_id=web&state=%C3%A9t%C3%A9')
  })

  test('authenticate naming a disabled user: access_denied at the client', async () => {
    await open({ login: { authenticate } })
    sessions.set('eve-session', 'eve')
    const b = browser(f.send)
    b.jar.cookies.set('app-session', 'eve-session')
    const response = await b.get(`/authorize?${authorizeQuery(pkce().challenge)}`)
    expect(locationOf(response).searchParams.get('error')).toBe('access_denied')
  })

  test('authenticate naming a user the store lacks is a server error, logged once', async () => {
    await open({ login: { authenticate: () => 'no-such-user' } })
    const response = await f.send(`/authorize?${authorizeQuery(pkce().challenge)}`)
    expect(response.status).toBe(500)
    expect(await response.text()).not.toContain('no-such-user')
    expect(f.logs).toHaveLength(1)
    f.logs.length = 0
  })

  test('consent.skip: a first-party client gets its code without the consent page', async () => {
    const asked: string[][] = []
    await open({
      login: { authenticate },
      consent: {
        skip: ({ client, scopes }) => {
          asked.push([client.id, ...scopes])
          return client.id === 'web'
        },
      },
    })
    sessions.set('ada-2', 'ada')
    const b = browser(f.send)
    b.jar.cookies.set('app-session', 'ada-2')
    const response = await b.get(`/authorize?${authorizeQuery(pkce().challenge)}`)
    expect(response.status).toBe(302)
    expect(locationOf(response).searchParams.get('code')).toEqual(expect.any(String))
    expect(asked).toEqual([['web', 'read', 'write']])
    const silent = await b.get(`/authorize?${authorizeQuery(pkce().challenge, { prompt: 'none' })}`)
    expect(locationOf(silent).searchParams.get('code')).toEqual(expect.any(String))
  })
})
