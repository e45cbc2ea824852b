import { Body, Cookie, Gatehouse } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'
import { describeEngines } from './helpers/http.js'

const names = [
  'password',
  'pwd',
  'pin',
  'PIN',
  'card_pin',
  'otp',
  'client_secret',
  'refresh_token',
  'access_token',
  'apiKey',
  'private_key',
  'passphrase',
  'pass',
  'userPass',
  'passwd',
  'newpass',
  'passkey',
  'dbpass',
  'sessionId',
  'jwt',
  'idJWT',
  'bearer',
  'bearer_token',
  'signature',
  'refresh',
  'refreshToken',
  'auth',
  'x-auth',
  'authHeader',
  'auth_code',
  'authorization',
  'pin2',
  'code_verifier',
  'codeVerifier',
  'x_csrf',
  'csrf',
  '_csrf',
  'xsrf',
  'x-xsrf',
  'nonce',
  'openid_nonce',
]

const app = new Gatehouse()
app.post(
  '/echo',
  { inputs: { body: Body(z.object(Object.fromEntries(names.map((name) => [name, z.number()])))) } },
  () => 'never',
)
app.post(
  '/plain',
  {
    inputs: {
      body: Body(
        z.object({
          shipping: z.number(),
          footprint: z.number(),
          author: z.number(),
          authors: z.number(),
          oauthProvider: z.number(),
          refreshes: z.number(),
          announce: z.number(),
          country_code: z.number(),
          verified: z.number(),
        }),
      ),
    },
  },
  () => 'never',
)

describeEngines('secrets are redacted from 422 bodies', app, (send) => {
  test('every field named like a secret is redacted, nested ones too', async () => {
    const body = Object.fromEntries(names.map((name) => [name, `secret-value-of-${name}`]))
    const response = await send('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    expect(response.status).toBe(422)
    const text = await response.text()
    expect(text).not.toContain('secret-value-of')
    const { detail } = JSON.parse(text) as { detail: { loc: string[]; input: unknown }[] }
    expect(detail.map((item) => item.loc[1])).toEqual(names)
    for (const item of detail) expect(item.input).toBe('[redacted]')
  })

  test('names that only contain "pin", "pass", "auth", "refresh", "nonce" or "code" are not secrets', async () => {
    const plain = {
      shipping: 'by sea',
      footprint: 'small',
      author: 'ada',
      authors: 'ada, grace',
      oauthProvider: 'github',
      refreshes: 'daily',
      announce: 'soon',
      country_code: 'FR',
      verified: 'yes',
    }
    const response = await send('/plain', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(plain),
    })
    const { detail } = await response.json()
    expect(detail.map((item: { input: unknown }) => item.input)).toEqual(Object.values(plain))
  })
})

const cookies = new Gatehouse()
cookies.get(
  '/cookies',
  { inputs: { prefs: Cookie(z.object({ theme: z.enum(['dark', 'light']), count: z.number() })) } },
  () => 'never',
)
cookies.get('/count', { inputs: { count: Cookie(z.number()) } }, () => 'never')

describeEngines('cookie values are never echoed, whatever their name', cookies, (send) => {
  test('an invalid cookie, and the cookies a missing cookie field was looked for in', async () => {
    const response = await send('/cookies', {
      headers: { cookie: 'theme=blue; sid=s3cr3t-session' },
    })
    expect(response.status).toBe(422)
    const text = await response.text()
    expect(text).not.toContain('s3cr3t-session')
    expect(text).not.toContain('blue')
    expect(JSON.parse(text).detail).toEqual([
      expect.objectContaining({ loc: ['cookie', 'theme'], input: '[redacted]' }),
      {
        type: 'missing',
        loc: ['cookie', 'count'],
        msg: 'Field required',
        input: { theme: '[redacted]' },
      },
    ])
    const scalar = await send('/count', { headers: { cookie: 'count=abc' } })
    expect((await scalar.json()).detail).toEqual([
      expect.objectContaining({ loc: ['cookie', 'count'], input: '[redacted]' }),
    ])
  })
})

describe('redaction of whole bodies', () => {
  test('a body echoed as a whole has its secret fields redacted', async () => {
    const strict = new Gatehouse()
    strict.post(
      '/login',
      { inputs: { body: Body(z.object({ user: z.string() }).strict()) } },
      () => 1,
    )
    const response = await strict.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'a', pwd: 'hunter2', pin: '1234' }),
    })
    const text = await response.text()
    expect(response.status).toBe(422)
    expect(text).not.toContain('hunter2')
    expect(text).not.toContain('1234')
  })
})
