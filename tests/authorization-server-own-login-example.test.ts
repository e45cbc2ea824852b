import { createMemoryStore } from 'gatehouse/authorization-server'
import { beforeAll, expect, test } from 'vitest'
import { createOwnLoginApp } from '../examples/authorization-server/own-login.js'
import {
  authorizeQuery,
  browser,
  hiddenFields,
  locationOf,
  pkce,
} from './helpers/authorization-flow.js'
import { testPasswords } from './helpers/authorization-server.js'
import { describeEngines } from './helpers/http.js'

const ISSUER = 'https://auth.example.com'
const { app, server } = createOwnLoginApp({ issuer: ISSUER, store: createMemoryStore() })

beforeAll(async () => {
  await server.store.createUser({
    id: 'u-ada',
    username: 'ada',
    passwordHash: await testPasswords.hash('ada-password'),
    scopes: ['read', 'write'],
    disabled: false,
    createdAt: 0,
  })
  for (const id of ['first-party', 'third-party'])
    await server.admin.createClient({
      id,
      public: true,
      grantTypes: ['authorization_code'],
      redirectUris: ['https://app.example.com/callback'],
      scopes: ['read'],
    })
})

describeEngines('the own-login example', app, (send) => {
  const signIn = async (clientId: string) => {
    const b = browser(send)
    const sent = await b.get(
      `/authorize?${authorizeQuery(pkce().challenge, { client_id: clientId, scope: 'read' })}`,
    )
    expect(sent.status).toBe(302)
    const login = locationOf(sent)
    expect(login.pathname).toBe('/login')
    const page = await b.get(`${login.pathname}${login.search}`)
    const returnTo = hiddenFields(await page.text()).return_to as string
    expect(returnTo).toBe(login.searchParams.get('return_to'))
    const wrong = await b.post('/login', { username: 'ada', password: 'nope', return_to: returnTo })
    expect(wrong.status).toBe(400)
    // The form again, with the message and the same return_to, not a JSON error.
    expect(wrong.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const again = await wrong.text()
    expect(again).toContain('Wrong username or password.')
    expect(hiddenFields(again).return_to).toBe(returnTo)
    const back = await b.post('/login', {
      username: 'ada',
      password: 'ada-password',
      return_to: returnTo,
    })
    expect(back.status).toBe(303)
    return { b, back }
  }

  test('a first-party client: the app login, then the code without a consent page', async () => {
    const { b, back } = await signIn('first-party')
    const location = locationOf(back)
    const answer = await b.get(`${location.pathname}${location.search}`)
    expect(answer.status).toBe(302)
    expect(locationOf(answer).searchParams.get('code')).toEqual(expect.any(String))
  })

  test('a third-party client: the app login, then the consent page', async () => {
    const { b, back } = await signIn('third-party')
    const location = locationOf(back)
    const page = await b.get(`${location.pathname}${location.search}`)
    expect(hiddenFields(await page.text()).step).toBe('consent')
  })

  test('a sign-in form posted from another site is refused: no session, no redirect', async () => {
    const returnTo = `${ISSUER}/authorize?${authorizeQuery(pkce().challenge, { client_id: 'first-party', scope: 'read' })}`
    const fields = { username: 'ada', password: 'ada-password', return_to: returnTo }
    for (const headers of [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: ISSUER, 'sec-fetch-site': 'same-site' },
    ]) {
      const response = await browser(send).post('/login', fields, headers)
      expect(response.status).toBe(403)
      expect(response.headers.get('location')).toBeNull()
      expect(response.headers.getSetCookie()).toEqual([])
    }
    const own = await browser(send).post('/login', fields, {
      origin: ISSUER,
      'sec-fetch-site': 'same-origin',
    })
    expect(own.status).toBe(303)
  })

  test('the login page may not be framed, and its redirects may leave the origin', async () => {
    const page = await send('/login?return_to=x')
    const csp = page.headers.get('content-security-policy')
    expect(csp).toContain("frame-ancestors 'none'")
    // Browsers apply form-action to the redirects after the post too: /authorize, then the
    // client's redirect URI on another origin, which 'self' would block.
    expect(csp).not.toContain('form-action')
    expect(page.headers.get('x-frame-options')).toBe('DENY')
    expect(await page.text()).toMatch(/<input name="username" autocomplete="username" required>/)
  })

  test('return_to elsewhere is refused', async () => {
    const response = await browser(send).post('/login', {
      username: 'ada',
      password: 'ada-password',
      return_to: 'https://evil.example.com/',
    })
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
  })
})
