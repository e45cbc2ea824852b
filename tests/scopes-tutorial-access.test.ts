import { SignJWT } from 'jose'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { DEVELOPMENT_SECRET_KEY } from '../examples/scopes/config.js'
import { expectAmbiguousCredentialsRefused, twoAuthorizations } from './helpers/credentials.js'
import { describeEachEngine } from './helpers/http.js'
import { login, startScopesApp } from './helpers/scopes-app.js'

/** A token signed with the app's key but with hand-picked claims. */
function craft(claims: Record<string, unknown>, key = DEVELOPMENT_SECRET_KEY): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(key))
}

const inHalfAnHour = () => Math.floor(Date.now() / 1000) + 1800

describeEachEngine('protected routes of the tutorial app', (engine) => {
  let running: Awaited<ReturnType<typeof startScopesApp>>
  const tokens: Record<string, string> = {}

  async function tokenFor(username: string, password: string, scope: string): Promise<string> {
    const body = await (await login(running.send, username, password, scope)).json()
    return body.access_token
  }

  function get(path: string, token?: string, authorization = token && `Bearer ${token}`) {
    return running.send(path, authorization ? { headers: { authorization } } : {})
  }

  beforeAll(async () => {
    running = await startScopesApp(engine)
    tokens.all = await tokenFor('johndoe', 'secret', 'me items')
    tokens.me = await tokenFor('johndoe', 'secret', 'me')
    tokens.items = await tokenFor('johndoe', 'secret', 'items')
    tokens.none = await tokenFor('johndoe', 'secret', '')
    tokens.alice = await tokenFor('alice', 'secretalice', 'me items')
    tokens.aliceItems = await tokenFor('alice', 'secretalice', 'items')
  })
  afterAll(() => running.close())

  test('GET /users/me/ returns the user and nothing else', async () => {
    const response = await get('/users/me/', tokens.me)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      username: 'johndoe',
      email: 'johndoe@example.com',
      full_name: 'John Doe',
      disabled: false,
    })
  })

  test('GET /users/me/items/ with items and me', async () => {
    const response = await get('/users/me/items/', tokens.all)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual([{ item_id: 'Foo', owner: 'johndoe' }])
  })

  test('GET /status/ needs a valid token but no scope', async () => {
    const response = await get('/status/', tokens.none)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok' })
  })

  test.each([
    ['/users/me/', 'items', 'me'],
    ['/users/me/items/', 'me', 'items me'],
    ['/users/me/items/', 'items', 'items me'],
    ['/users/me/', 'none', 'me'],
  ])('%s with only the "%s" scope → 401 Not enough permissions', async (path, token, scopeStr) => {
    const response = await get(path, tokens[token])
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ detail: 'Not enough permissions' })
    expect(response.headers.get('www-authenticate')).toBe(`Bearer scope="${scopeStr}"`)
  })

  test.each(['/users/me/', '/users/me/items/', '/status/'])(
    '%s without credentials or with another scheme → 401 Not authenticated',
    async (path) => {
      for (const authorization of [
        undefined,
        'Basic am9obmRvZTpzZWNyZXQ=',
        'Bearer',
        'Token abc',
      ]) {
        const response = await get(path, undefined, authorization)
        expect(response.status).toBe(401)
        expect(await response.json()).toEqual({ detail: 'Not authenticated' })
        expect(response.headers.get('www-authenticate')).toBe('Bearer')
      }
    },
  )

  test('the bearer scheme name is case-insensitive and the token trimmed', async () => {
    const response = await get('/users/me/', undefined, `bEaReR   ${tokens.me}  `)
    expect(response.status).toBe(200)
  })

  const badTokens: [string, () => Promise<string>][] = [
    [
      'a bad signature',
      () =>
        craft(
          { sub: 'johndoe', scopes: ['me', 'items'], exp: inHalfAnHour() },
          'another-key-another-key-another-key',
        ),
    ],
    [
      'an expired token',
      () =>
        craft({ sub: 'johndoe', scopes: ['me', 'items'], exp: Math.floor(Date.now() / 1000) - 60 }),
    ],
    ['no exp', () => craft({ sub: 'johndoe', scopes: ['me', 'items'] })],
    ['no sub', () => craft({ scopes: ['me', 'items'], exp: inHalfAnHour() })],
    ['an unknown user', () => craft({ sub: 'bob', scopes: ['me', 'items'], exp: inHalfAnHour() })],
    ['a numeric sub', () => craft({ sub: 42, scopes: ['me', 'items'], exp: inHalfAnHour() })],
    [
      'scopes as a string',
      () => craft({ sub: 'johndoe', scopes: 'me items', exp: inHalfAnHour() }),
    ],
    [
      'scopes with a number',
      () => craft({ sub: 'johndoe', scopes: ['me', 1], exp: inHalfAnHour() }),
    ],
    [
      'a string exp',
      () => craft({ sub: 'johndoe', scopes: ['me', 'items'], exp: String(inHalfAnHour()) }),
    ],
    ['garbage', async () => 'not.a.jwt'],
  ]

  test.each(badTokens)('%s → 401 Could not validate credentials', async (_case, make) => {
    const token = await make()
    for (const [path, challenge] of [
      ['/users/me/', 'Bearer scope="me"'],
      ['/users/me/items/', 'Bearer scope="items me"'],
      ['/status/', 'Bearer'],
    ] as const) {
      const response = await get(path, token)
      expect(response.status).toBe(401)
      const text = await response.text()
      expect(JSON.parse(text)).toEqual({ detail: 'Could not validate credentials' })
      expect(text).not.toContain(token)
      expect(response.headers.get('www-authenticate')).toBe(challenge)
    }
  })

  test('two Authorization headers → 400, even when each holds a valid token', async () => {
    const response = await running.send(
      '/users/me/items/',
      twoAuthorizations(`Bearer ${tokens.all}`, `Bearer ${tokens.me}`),
    )
    await expectAmbiguousCredentialsRefused(response, String(tokens.all), String(tokens.me))
  })

  test('a disabled user → 400 Inactive user, but only after the scope check', async () => {
    const inactive = await get('/users/me/', tokens.alice)
    expect(inactive.status).toBe(400)
    expect(await inactive.json()).toEqual({ detail: 'Inactive user' })
    const items = await get('/users/me/items/', tokens.alice)
    expect(items.status).toBe(400)
    const missingScope = await get('/users/me/', tokens.aliceItems)
    expect(missingScope.status).toBe(401)
    expect(await missingScope.json()).toEqual({ detail: 'Not enough permissions' })
    const status = await get('/status/', tokens.alice)
    expect(await status.json()).toEqual({ status: 'ok' })
  })
})
