import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import {
  authorizeQuery,
  browser,
  CookieJar,
  hiddenFields,
  locationOf,
  pkce,
  SAME_ORIGIN,
} from './helpers/authorization-flow.js'
import { type Fixture, ISSUER, matrix, openFixture } from './helpers/authorization-server.js'

/** The login form's hidden fields for a fresh browser. */
async function loginForm(f: Fixture, b = browser(f.send), scope = 'read write') {
  const page = await b.get(`/authorize?${authorizeQuery(pkce().challenge, { scope })}`)
  return { b, fields: hiddenFields(await page.text()) }
}

describe.each(matrix)(
  'bad posts to the login and consent forms ($name)',
  ({ transport, store }) => {
    let f: Fixture
    beforeEach(async () => {
      f = await openFixture(transport, store)
    })
    afterEach(async () => {
      expect(f.logs).toEqual([])
      await f.close()
    })

    const expectErrorPage = async (response: Response, status: number, message: string) => {
      expect(response.status).toBe(status)
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(response.headers.get('location')).toBeNull()
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(response.headers.getSetCookie().join()).not.toContain('gatehouse-login')
      expect(await response.text()).toContain(message)
    }
    const credentials = { username: 'ada', password: 'ada-password' }

    test('without the CSRF cookie: 403', async () => {
      const { fields } = await loginForm(f)
      const stranger = browser(f.send)
      const response = await stranger.post('/authorize', { ...fields, ...credentials }, SAME_ORIGIN)
      await expectErrorPage(response, 403, 'expired or was not sent from this site')
    })

    test('with a token that is not the cookie’s, or none: 403', async () => {
      const { b, fields } = await loginForm(f)
      const other = await loginForm(f)
      for (const csrf_token of [other.fields.csrf_token, undefined, 'x'.repeat(43)]) {
        const response = await b.post(
          '/authorize',
          { ...fields, ...credentials, csrf_token },
          SAME_ORIGIN,
        )
        await expectErrorPage(response, 403, 'expired or was not sent from this site')
      }
    })

    test('with a malformed CSRF cookie: 403', async () => {
      const { fields } = await loginForm(f)
      const jar = new CookieJar()
      jar.cookies.set('__Host-gatehouse-csrf', 'short')
      const response = await browser(f.send, jar).post('/authorize', { ...fields, ...credentials })
      await expectErrorPage(response, 403, 'expired or was not sent from this site')
    })

    test.each([
      ['another Origin', { origin: 'https://evil.example.com' }],
      ['Origin: null', { origin: 'null' }],
      ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
    ])('posted from %s: 403', async (_name, headers) => {
      const { b, fields } = await loginForm(f)
      const response = await b.post('/authorize', { ...fields, ...credentials }, headers)
      await expectErrorPage(response, 403, 'The form was not sent from this site.')
    })

    test('a changed or missing sealed request: 400', async () => {
      const { b, fields } = await loginForm(f)
      const [payload = '', mac = ''] = (fields.request as string).split('.')
      const altered = JSON.parse(Buffer.from(payload, 'base64url').toString())
      altered.request.scope = ['read', 'write', 'admin']
      const forged = `${Buffer.from(JSON.stringify(altered)).toString('base64url')}.${mac}`
      for (const request of [forged, `${payload}.`, 'garbage', undefined, 'x'.repeat(9000)]) {
        const response = await b.post(
          '/authorize',
          { ...fields, ...credentials, request },
          SAME_ORIGIN,
        )
        await expectErrorPage(response, 400, 'The form is not valid or has expired.')
      }
    })

    test('a form left open too long starts its request again, without signing in', async () => {
      const { b, fields } = await loginForm(f, browser(f.send), 'read')
      f.clock.advance(901)
      const response = await b.post('/authorize', { ...fields, ...credentials }, SAME_ORIGIN)
      expect(response.status).toBe(303)
      expect(response.headers.getSetCookie().join()).not.toContain('gatehouse-login')
      const restart = locationOf(response)
      expect(`${restart.origin}${restart.pathname}`).toBe(`${ISSUER}/authorize`)
      expect(restart.searchParams.get('scope')).toBe('read')
      // A fresh login page for the same request, valid for another 15 minutes.
      const page = await b.get(`${restart.pathname}${restart.search}`)
      expect(page.status).toBe(200)
      const fresh = hiddenFields(await page.text())
      expect(fresh.step).toBe('login')
      expect((await b.post('/authorize', { ...fresh, ...credentials }, SAME_ORIGIN)).status).toBe(
        303,
      )
      // Altered, it is no form of this server's: an error page.
      const altered = await b.post(
        '/authorize',
        { ...fields, request: `${fields.request}x`, ...credentials },
        SAME_ORIGIN,
      )
      await expectErrorPage(altered, 400, 'The form is not valid or has expired.')
    })

    test('JSON or multipart instead of a form: 400 pages', async () => {
      const { b, fields } = await loginForm(f)
      const json = await f.send('/authorize', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: b.jar.header() },
        body: JSON.stringify({ ...fields, ...credentials }),
      })
      await expectErrorPage(json, 400, 'The form was not sent as a form.')
      const multipart = new FormData()
      for (const [name, value] of Object.entries({ ...fields, ...credentials }))
        multipart.append(name, value)
      const sent = await f.send('/authorize', {
        method: 'POST',
        headers: { cookie: b.jar.header() },
        body: multipart,
      })
      await expectErrorPage(sent, 400, 'The form was not sent as a form.')
      const none = await f.send('/authorize', {
        method: 'POST',
        headers: { cookie: b.jar.header() },
      })
      await expectErrorPage(none, 400, 'The form was not sent as a form.')
    })

    test('a repeated field: 400', async () => {
      const { b, fields } = await loginForm(f)
      const body = `${new URLSearchParams({ ...fields, ...credentials })}&username=bob`
      const response = await f.send('/authorize', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: b.jar.header() },
        body,
      })
      await expectErrorPage(response, 400, 'The form was sent with a field twice.')
    })

    test('an oversized body: a 413 page before it is read', async () => {
      const { b, fields } = await loginForm(f)
      const response = await b.post('/authorize', { ...fields, username: 'x'.repeat(20_000) })
      await expectErrorPage(response, 413, 'The form is too large.')
    })

    test('an oversized body without Content-Length (chunked): the same 413 page', async () => {
      const { b, fields } = await loginForm(f)
      const form = new URLSearchParams({ ...fields, username: 'x'.repeat(40_000) }).toString()
      const response = await f.send('/authorize', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: b.jar.header() },
        body: new Blob([form]).stream(),
        duplex: 'half',
      } as RequestInit)
      await expectErrorPage(response, 413, 'The form is too large.')
    })

    test('what the framework would refuse in JSON is a page here too', async () => {
      const { b, fields } = await loginForm(f)
      const body = new URLSearchParams({ ...fields, ...credentials }).toString()
      const post = (headers: Headers | Record<string, string>, sent: string = body) =>
        f.send('/authorize', { method: 'POST', headers, body: sent })
      const broken = await post(
        {
          'content-type': 'multipart/form-data; boundary=x',
          cookie: b.jar.header(),
        },
        '--x\r\nnot a part',
      )
      await expectErrorPage(broken, 400, 'The form was not sent as a form.')
      const twice = new Headers({ cookie: b.jar.header() })
      twice.append('content-type', 'application/x-www-form-urlencoded')
      twice.append('content-type', 'application/x-www-form-urlencoded')
      await expectErrorPage(await post(twice), 400, 'The form was not sent as a form.')
      const compressed = await post({
        'content-type': 'application/x-www-form-urlencoded',
        'content-encoding': 'gzip',
        cookie: b.jar.header(),
      })
      await expectErrorPage(compressed, 415, 'The form was sent compressed.')
    })

    test('an unknown step, or a login form posted as consent: 400', async () => {
      const { b, fields } = await loginForm(f)
      const unknown = await b.post('/authorize', { ...fields, step: 'other' }, SAME_ORIGIN)
      await expectErrorPage(unknown, 400, 'The form is not one of this server.')
      const asConsent = await b.post(
        '/authorize',
        { ...fields, step: 'consent', decision: 'allow' },
        SAME_ORIGIN,
      )
      await expectErrorPage(asConsent, 400, 'The form is not a consent form.')
    })

    describe('consent', () => {
      const consentForm = async (username = 'ada', password = `${username}-password`) => {
        const { b, fields } = await loginForm(f, browser(f.send), 'read')
        const afterLogin = await b.post(
          '/authorize',
          { ...fields, username, password },
          SAME_ORIGIN,
        )
        const back = locationOf(afterLogin)
        const page = await b.get(`${back.pathname}${back.search}`)
        return { b, fields: hiddenFields(await page.text()) }
      }

      test('without a decision, or an unknown one: 400', async () => {
        const { b, fields } = await consentForm()
        for (const decision of [undefined, 'maybe']) {
          const response = await b.post('/authorize', { ...fields, decision }, SAME_ORIGIN)
          await expectErrorPage(response, 400, 'Choose to allow or deny.')
        }
      })

      test('from a browser signed in as someone else: 403; signed out since: back to sign-in', async () => {
        const ada = await consentForm()
        const bob = await consentForm('bob')
        expect(bob.fields.step).toBe('consent')
        // Bob's browser (his session and CSRF cookie) posting Ada's consent form.
        const swapped = await bob.b.post(
          '/authorize',
          { ...ada.fields, csrf_token: bob.fields.csrf_token, decision: 'allow' },
          SAME_ORIGIN,
        )
        await expectErrorPage(swapped, 403, 'signed in as another user than the one asked')
        // Signed out since the page was shown (the session ended): to sign in again, same request.
        ada.b.jar.cookies.delete('__Host-gatehouse-login')
        const signedOut = await ada.b.post(
          '/authorize',
          { ...ada.fields, decision: 'allow' },
          SAME_ORIGIN,
        )
        expect(signedOut.status).toBe(303)
        expect(locationOf(signedOut).searchParams.get('code')).toBeNull()
        const page = await ada.b.get(
          `${locationOf(signedOut).pathname}${locationOf(signedOut).search}`,
        )
        expect(hiddenFields(await page.text()).step).toBe('login')
      })

      test('a user disabled after the page was shown gets no code: signed out, back to sign-in', async () => {
        const { b, fields } = await consentForm()
        await f.store.updateUser(f.users.ada, { disabled: true })
        const response = await b.post('/authorize', { ...fields, decision: 'allow' }, SAME_ORIGIN)
        expect(response.status).toBe(303)
        const restart = locationOf(response)
        expect(restart.pathname).toBe('/authorize')
        expect(restart.searchParams.get('code')).toBeNull()
        const page = await b.get(`${restart.pathname}${restart.search}`)
        expect(hiddenFields(await page.text()).step).toBe('login')
      })
    })
  },
)
