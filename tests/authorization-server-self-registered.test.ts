import type { RegistrationOptions } from 'gatehouse/authorization-server'
import { afterEach, describe, expect, test } from 'vitest'
import { authorizeQuery, browser, locationOf, pkce, signIn } from './helpers/authorization-flow.js'
import {
  basic,
  type Fixture,
  ISSUER,
  matrix,
  openFixture,
  postForm,
} from './helpers/authorization-server.js'

// Open registration lets anyone make a client, redirect URIs included: such a client is not
// trusted like one an administrator made (RFC 9700 §4.11.2, RFC 7662 §2.1).
const CALLBACK = 'https://client.example.org/cb'

describe.each(matrix)('a self-registered client ($name)', ({ transport, store }) => {
  let f: Fixture
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })
  const open = async (registration: RegistrationOptions = {}) => {
    f = await openFixture(transport, store, {
      registration: { scopes: ['read'], limit: 50, ...registration },
    })
  }
  const register = async (body: Record<string, unknown>) => {
    const response = await f.send('/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    expect(response.status).toBe(201)
    return (await response.json()) as { client_id: string; client_secret?: string }
  }
  const query = (clientId: string, changes: Record<string, string> = {}) =>
    authorizeQuery(pkce().challenge, {
      client_id: clientId,
      redirect_uri: CALLBACK,
      scope: 'read',
      ...changes,
    })

  test.each([
    ['an unsupported response_type', { response_type: 'token' }],
    ['a scope it may not have', { scope: 'admin' }],
    ['no PKCE', { code_challenge_method: 'plain' }],
  ])('%s before anyone signed in: an error page, not a redirect to its URI', async (_name, bad) => {
    await open()
    const { client_id } = await register({ redirect_uris: [CALLBACK] })
    const response = await f.send(`/authorize?${query(client_id, bad)}`)
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
    expect(await response.text()).toContain('The request cannot be completed')
    expect((await f.store.findClient(client_id))?.selfRegistered).toBe(true)
  })

  test('once a user has signed in, its errors go back to its redirect URI as usual', async () => {
    await open()
    const { client_id } = await register({ redirect_uris: [CALLBACK] })
    const b = browser(f.send)
    const signedIn = await signIn(b, query(client_id))
    expect(signedIn.status).toBe(303)
    const response = await b.get(`/authorize?${query(client_id, { response_type: 'token' })}`)
    expect(response.status).toBe(302)
    const location = locationOf(response)
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK)
    expect(location.searchParams.get('error')).toBe('unsupported_response_type')
    expect(location.searchParams.get('iss')).toBe(ISSUER)
  })

  test('its consent page says its name is its own word (RFC 7591 §5)', async () => {
    await open()
    const { client_id } = await register({ redirect_uris: [CALLBACK], client_name: 'Web app' })
    const b = browser(f.send)
    const signedIn = await signIn(b, query(client_id))
    const back = locationOf(signedIn)
    const html = await (await b.get(`${back.pathname}${back.search}`)).text()
    expect(html).toContain('Authorize Web app')
    expect(html).toContain('This application registered itself: its name has not been checked')
  })

  test('prompt=none is the silent case the RFC allows: login_required is redirected', async () => {
    await open()
    const { client_id } = await register({ redirect_uris: [CALLBACK] })
    const response = await f.send(`/authorize?${query(client_id, { prompt: 'none' })}`)
    expect(response.status).toBe(302)
    expect(locationOf(response).searchParams.get('error')).toBe('login_required')
  })

  test("an administrator's client with the same bad request is redirected (RFC 6749 §4.1.2.1)", async () => {
    await open()
    const response = await f.send(
      `/authorize?${authorizeQuery(pkce().challenge, { response_type: 'token' })}`,
    )
    expect(response.status).toBe(302)
    expect(locationOf(response).searchParams.get('error')).toBe('unsupported_response_type')
  })

  test('it may introspect its own tokens, and no one else’s', async () => {
    await open({ grantTypes: ['client_credentials'] })
    const own = await register({ grant_types: ['client_credentials'], scope: 'read' })
    const ownAuth = { authorization: basic(own.client_id, own.client_secret as string) }
    const token = async (headers: Record<string, string>) =>
      (
        (await (
          await postForm(f.send, '/token', { grant_type: 'client_credentials' }, headers)
        ).json()) as { access_token: string }
      ).access_token
    const introspect = async (value: string, headers: Record<string, string>) =>
      (await postForm(f.send, '/introspect', { token: value }, headers)).json()

    const mine = await token(ownAuth)
    expect(await introspect(mine, ownAuth)).toMatchObject({
      active: true,
      client_id: own.client_id,
    })
    const serviceAuth = { authorization: basic('service', f.secrets.service) }
    const theirs = await token(serviceAuth)
    expect(await introspect(theirs, ownAuth)).toEqual({ active: false })
    // An administrator's confidential client still introspects any token.
    expect(await introspect(mine, serviceAuth)).toMatchObject({ active: true })
  })
})
