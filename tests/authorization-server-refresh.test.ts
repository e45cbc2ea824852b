import { afterEach, describe, expect, test } from 'vitest'
import {
  basic,
  bearer,
  claimsOf,
  type Fixture,
  matrix,
  openFixture,
  postForm,
} from './helpers/authorization-server.js'

describe.each(matrix)('the refresh token grant ($name)', ({ transport, store }) => {
  let f: Fixture
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })

  const auth = () => ({ authorization: basic('web', f.secrets.web) })
  const loginAda = async (scope = 'read write') => {
    const response = await postForm(
      f.send,
      '/token',
      { grant_type: 'password', username: 'ada', password: 'ada-password', scope },
      auth(),
    )
    return (await response.json()) as { access_token: string; refresh_token: string }
  }
  const refresh = (token: string, fields: Record<string, string> = {}, headers = auth()) =>
    postForm(
      f.send,
      '/token',
      { grant_type: 'refresh_token', refresh_token: token, ...fields },
      headers,
    )

  test('each use rotates: a new refresh token and access token, same grant', async () => {
    f = await openFixture(transport, store)
    const first = await loginAda()
    f.clock.advance(100)
    const response = await refresh(first.refresh_token)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const second = await response.json()
    expect(second).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read write' })
    expect(second.refresh_token).not.toBe(first.refresh_token)
    expect(claimsOf(second.access_token).grant_id).toBe(claimsOf(first.access_token).grant_id)
    expect(claimsOf(second.access_token).iat).toBe(
      (claimsOf(first.access_token).iat as number) + 100,
    )
    const third = await refresh(second.refresh_token)
    expect(third.status).toBe(200)
  })

  test('reusing a rotated token revokes the family: its refresh and access tokens die', async () => {
    f = await openFixture(transport, store)
    const first = await loginAda()
    const second = await (await refresh(first.refresh_token)).json()
    expect((await f.send('/api/read', bearer(second.access_token))).status).toBe(200)

    const replay = await refresh(first.refresh_token)
    expect(replay.status).toBe(400)
    expect(await replay.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'The refresh token was already used; the grant is revoked',
    })
    expect((await refresh(second.refresh_token)).status).toBe(400)
    for (const token of [first.access_token, second.access_token])
      expect((await f.send('/api/read', bearer(token))).status).toBe(401)
    // Other grants of the same user are untouched.
    const other = await loginAda()
    expect((await f.send('/api/read', bearer(other.access_token))).status).toBe(200)
  })

  test('with a grace window, a quick retry gets the same new token; later, it is reuse', async () => {
    f = await openFixture(transport, store, { refreshGraceSeconds: 10 })
    const first = await loginAda()
    const a = await (await refresh(first.refresh_token)).json()
    f.clock.advance(10)
    const retry = await refresh(first.refresh_token)
    expect(retry.status).toBe(200)
    const b = await retry.json()
    expect(b.refresh_token).toBe(a.refresh_token)
    expect(b.access_token).not.toBe(a.access_token)
    f.clock.advance(1)
    expect((await refresh(first.refresh_token)).status).toBe(400)
    expect((await refresh(a.refresh_token)).status).toBe(400)
  })

  test('without a grace window, concurrent refreshes: one wins and the family is revoked', async () => {
    f = await openFixture(transport, store)
    const first = await loginAda()
    const responses = await Promise.all([
      refresh(first.refresh_token),
      refresh(first.refresh_token),
    ])
    const statuses = responses.map((r) => r.status).sort()
    expect(statuses).toEqual([200, 400])
    const winner = await (responses.find((r) => r.status === 200) as Response).json()
    await responses.find((r) => r.status === 400)?.body?.cancel()
    expect((await refresh(winner.refresh_token)).status).toBe(400)
  })

  test('fewer scopes may be asked for; more than the grant is invalid_scope', async () => {
    f = await openFixture(transport, store)
    const first = await loginAda()
    const narrow = await (await refresh(first.refresh_token, { scope: 'read' })).json()
    expect(narrow.scope).toBe('read')
    // The grant keeps its scopes: the next refresh without scope gets them all back.
    const again = await (await refresh(narrow.refresh_token)).json()
    expect(again.scope).toBe('read write')
    const wider = await refresh(again.refresh_token, { scope: 'read admin' })
    expect(wider.status).toBe(400)
    expect((await wider.json()).error).toBe('invalid_scope')
    // A refused request does not use the token up.
    expect((await refresh(again.refresh_token)).status).toBe(200)
  })

  test('scopes the user lost are left out of refreshed tokens', async () => {
    f = await openFixture(transport, store)
    const first = await loginAda()
    await f.store.updateUser(f.users.ada, { scopes: ['read'] })
    expect((await (await refresh(first.refresh_token)).json()).scope).toBe('read')
  })

  test('a grant whose scopes the user lost entirely is invalid_grant, never an empty scope', async () => {
    f = await openFixture(transport, store)
    const first = await loginAda()
    await f.store.updateUser(f.users.ada, { scopes: [] })
    const response = await refresh(first.refresh_token)
    expect(response.status).toBe(400)
    expect((await response.json()).error).toBe('invalid_grant')
  })

  test('a disabled user cannot refresh, and the family is revoked', async () => {
    f = await openFixture(transport, store)
    const first = await loginAda()
    await f.store.updateUser(f.users.ada, { disabled: true })
    const response = await refresh(first.refresh_token)
    expect(response.status).toBe(400)
    expect((await response.json()).error).toBe('invalid_grant')
    expect((await f.send('/api/read', bearer(first.access_token))).status).toBe(401)
  })

  test('another client cannot use the token, and that does not use it up', async () => {
    f = await openFixture(transport, store)
    const { clientSecret } = await f.server.admin.createClient({
      id: 'other',
      grantTypes: ['password', 'refresh_token'],
      scopes: ['read', 'write'],
    })
    const first = await loginAda()
    const stolen = await refresh(
      first.refresh_token,
      {},
      {
        authorization: basic('other', clientSecret as string),
      },
    )
    expect(stolen.status).toBe(400)
    expect((await stolen.json()).error).toBe('invalid_grant')
    expect((await refresh(first.refresh_token)).status).toBe(200)
  })

  test('an unused token expires after refreshTokenTTL, and the grant after grantTTL', async () => {
    f = await openFixture(transport, store, { refreshTokenTTL: 1000, grantTTL: 2500 })
    const first = await loginAda()
    f.clock.advance(1000)
    expect((await refresh(first.refresh_token)).status).toBe(400)

    const second = await loginAda()
    let token = second.refresh_token
    for (let i = 0; i < 2; i++) {
      f.clock.advance(900)
      const body = await (await refresh(token)).json()
      token = body.refresh_token
      // Never beyond the grant's end.
      expect(claimsOf(body.access_token).exp).toBeLessThanOrEqual(
        (claimsOf(second.access_token).iat as number) + 2500,
      )
    }
    f.clock.advance(700)
    expect((await refresh(token)).status).toBe(400)
  })

  test.each([
    ['no refresh_token', { refresh_token: '' }, 'invalid_request'],
    ['an unknown refresh token', { refresh_token: 'x'.repeat(43) }, 'invalid_grant'],
    ['an access token instead', { refresh_token: 'eyJ.eyJ.sig' }, 'invalid_grant'],
  ])('%s → %s', async (_, fields, error) => {
    f = await openFixture(transport, store)
    const response = await postForm(
      f.send,
      '/token',
      { grant_type: 'refresh_token', ...fields },
      auth(),
    )
    expect(response.status).toBe(400)
    expect((await response.json()).error).toBe(error)
  })

  test('a client not registered for refresh_token is unauthorized_client', async () => {
    f = await openFixture(transport, store)
    const first = await loginAda()
    const response = await refresh(
      first.refresh_token,
      {},
      {
        authorization: basic('narrow', f.secrets.narrow),
      },
    )
    expect(response.status).toBe(400)
    expect((await response.json()).error).toBe('unauthorized_client')
  })
})
