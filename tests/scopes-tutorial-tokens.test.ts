import { decodeJwt } from 'jose'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { describeEachEngine } from './helpers/http.js'
import { login, startScopesApp } from './helpers/scopes-app.js'

describeEachEngine('POST /token (the tutorial login)', (engine) => {
  let running: Awaited<ReturnType<typeof startScopesApp>>
  beforeAll(async () => {
    running = await startScopesApp(engine)
  })
  afterAll(() => running.close())

  test('issues an HS256 bearer token with sub, the allowed requested scopes and exp 30 minutes ahead', async () => {
    const before = Math.floor(Date.now() / 1000)
    const response = await login(running.send, 'johndoe', 'secret', 'me items')
    expect(response.status).toBe(200)
    const body = (await response.json()) as Record<string, string>
    expect(Object.keys(body).sort()).toEqual(['access_token', 'token_type'])
    expect(body.token_type).toBe('bearer')
    const header = JSON.parse(
      Buffer.from(String(body.access_token).split('.')[0] ?? '', 'base64url').toString(),
    )
    expect(header.alg).toBe('HS256')
    const claims = decodeJwt(String(body.access_token))
    expect(claims.sub).toBe('johndoe')
    expect(claims.scopes).toEqual(['me', 'items'])
    expect(claims.exp).toBeGreaterThanOrEqual(before + 30 * 60)
    expect(claims.exp).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 30 * 60)
  })

  test('grants only requested scopes the user may have, never unknown ones', async () => {
    const onlyMe = await (await login(running.send, 'johndoe', 'secret', 'me')).json()
    expect(decodeJwt(onlyMe.access_token).scopes).toEqual(['me'])
    const withUnknown = await (
      await login(running.send, 'johndoe', 'secret', 'admin items  me')
    ).json()
    expect(decodeJwt(withUnknown.access_token).scopes).toEqual(['items', 'me'])
    const none = await (await login(running.send, 'johndoe', 'secret')).json()
    expect(decodeJwt(none.access_token).scopes).toEqual([])
  })

  test.each([
    ['wrong password', 'johndoe', 'nope'],
    ['unknown user', 'bob', 'secret'],
    ["another user's password", 'alice', 'secret'],
  ])('%s → 400 Incorrect username or password', async (_case, username, password) => {
    const response = await login(running.send, username, password, 'me')
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ detail: 'Incorrect username or password' })
  })

  test('a disabled user still gets a token', async () => {
    const response = await login(running.send, 'alice', 'secretalice', 'me items')
    expect(response.status).toBe(200)
    const body = await response.json()
    expect(decodeJwt(body.access_token)).toMatchObject({ sub: 'alice', scopes: ['me', 'items'] })
  })

  test('a form without username and password → 422 naming both', async () => {
    const response = await running.send('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'johndoe', password: 'secret' }),
    })
    expect(response.status).toBe(422)
    const body = await response.json()
    expect(body.detail.map((e: { loc: string[]; type: string }) => [e.type, e.loc])).toEqual([
      ['missing', ['body', 'username']],
      ['missing', ['body', 'password']],
    ])
  })

  test('the password never appears in a response', async () => {
    const response = await login(running.send, 'johndoe', 'hunter2-very-secret', 'me')
    expect(await response.text()).not.toContain('hunter2-very-secret')
  })

  test('a bcrypt hash from the tutorial is upgraded to argon2id on login, and still logs in', async () => {
    const fresh = await startScopesApp(engine)
    try {
      const hash = () => fresh.users.find('alice')?.hashed_password
      expect(hash()).toMatch(/^\$2b\$12\$/)
      expect((await login(fresh.send, 'alice', 'wrong')).status).toBe(400)
      expect(hash()).toMatch(/^\$2b\$12\$/)
      expect((await login(fresh.send, 'alice', 'secretalice')).status).toBe(200)
      expect(hash()).toMatch(/^\$argon2id\$/)
      expect((await login(fresh.send, 'alice', 'secretalice')).status).toBe(200)
      expect((await login(fresh.send, 'alice', 'secret')).status).toBe(400)
    } finally {
      await fresh.close()
    }
  })
})
