import { Gatehouse, OAuth2PasswordRequestForm, OAuth2PasswordRequestFormStrict } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Send, transports } from './helpers/http.js'

const app = new Gatehouse()
app.post('/token', { inputs: { form: OAuth2PasswordRequestForm } }, ({ form }) => ({
  scope: form.scope.length,
  scopes: form.scopes,
}))
app.post('/strict', { inputs: { form: OAuth2PasswordRequestFormStrict } }, ({ form }) => ({
  scopes: form.scopes,
}))

const tooLong = (field: string, maximum: number, input: unknown) => ({
  type: 'too_big',
  loc: ['body', field],
  msg: `String should have at most ${maximum} characters`,
  input,
  ctx: { maximum, inclusive: true },
})

describe.each(transports)('password form bounds ($name)', (transport) => {
  let send: Send
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ send, close } = await transport.open(app))
  })
  afterAll(() => close())

  const post = (fields: Record<string, string>, path = '/token') =>
    send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'johndoe', password: 'secret', ...fields }).toString(),
    })

  it('requests each scope once, in the order first sent, and keeps `scope` as sent', async () => {
    const response = await post({ scope: 'me me items  items me' })
    expect(await response.json()).toEqual({ scope: 21, scopes: ['me', 'items'] })
    const strict = await post({ grant_type: 'password', scope: 'items me items' }, '/strict')
    expect(await strict.json()).toEqual({ scopes: ['items', 'me'] })
  })

  it('accepts fields at their bounds', async () => {
    const scopes = Array.from({ length: 64 }, (_, i) => `scope-${i}`)
    const response = await post({
      username: 'u'.repeat(1024),
      password: 'p'.repeat(1024),
      client_id: 'c'.repeat(1024),
      client_secret: 's'.repeat(1024),
      scope: scopes.join(' '),
    })
    expect(response.status).toBe(200)
    expect((await response.json()).scopes).toEqual(scopes)
    const longest = await post({ scope: `${'a'.repeat(2047)} ` })
    expect(longest.status).toBe(200)
    expect((await longest.json()).scopes).toHaveLength(1)
  })

  it('answers 422 for a password, username or client field over 1024 characters, echoing no secret', async () => {
    const response = await post({
      username: 'u'.repeat(1025),
      password: 'hunter2'.repeat(200),
      client_id: 'c'.repeat(1025),
      client_secret: 's'.repeat(1025),
    })
    expect(response.status).toBe(422)
    const text = await response.text()
    expect(text).not.toContain('hunter2')
    expect(text).not.toContain('s'.repeat(1025))
    expect(JSON.parse(text)).toEqual({
      detail: [
        tooLong('username', 1024, 'u'.repeat(1025)),
        tooLong('password', 1024, '[redacted]'),
        tooLong('client_id', 1024, 'c'.repeat(1025)),
        tooLong('client_secret', 1024, '[redacted]'),
      ],
    })
  })

  it('answers 422 for a megabyte password, through the strict form too', async () => {
    const password = 'x'.repeat(1_000_000)
    for (const [path, grant] of [
      ['/token', {}],
      ['/strict', { grant_type: 'password' }],
    ] as const) {
      const response = await post({ password, ...grant }, path)
      expect(response.status).toBe(422)
      expect(await response.json()).toEqual({ detail: [tooLong('password', 1024, '[redacted]')] })
    }
  })

  it('answers 422 for a scope field over 2048 characters or listing more than 64 scopes', async () => {
    // 10,000 repeats of one scope: what once made a 66 KB token.
    const repeated = await post({ scope: Array(10_000).fill('me').join(' ') })
    expect(repeated.status).toBe(422)
    expect((await repeated.json()).detail).toEqual([
      tooLong('scope', 2048, Array(10_000).fill('me').join(' ')),
    ])
    const many = Array.from({ length: 65 }, (_, i) => `s${i}`).join(' ')
    for (const path of ['/token', '/strict']) {
      const response = await post({ grant_type: 'password', scope: many }, path)
      expect(response.status).toBe(422)
      expect((await response.json()).detail).toEqual([
        {
          type: 'too_big',
          loc: ['body', 'scope'],
          msg: 'Should list at most 64 scopes',
          input: many,
          ctx: { maximum: 64, inclusive: true },
        },
      ])
    }
  })
})
