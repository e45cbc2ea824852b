import {
  createCurrentPrincipal,
  createJWTCodec,
  Gatehouse,
  HTTPBasic,
  HTTPBearer,
  HTTPDigest,
  Security,
} from 'gatehouse'
import { describe, expect, test } from 'vitest'
import { describeEngines } from './helpers/http.js'

// FastAPI apps often take the token with `HTTPBearer` rather than an OAuth2 scheme: its
// `{ scheme, credentials }` are read as the token, with the same challenges as any scheme.
const codec = createJWTCodec({ secret: 'x'.repeat(32), algorithm: 'HS256' })
const currentUser = createCurrentPrincipal({
  scheme: new HTTPBearer({ bearerFormat: 'JWT' }),
  jwt: codec,
  loadPrincipal: (subject) => (subject === 'ada' ? { name: subject } : undefined),
  errors: 'rfc6750',
})
const app = new Gatehouse()
app.get(
  '/me',
  { inputs: { user: Security(currentUser, { scopes: ['read'] }) } },
  ({ user }) => user,
)

const token = async (scopes: string[]) => codec.sign({ sub: 'ada', scope: scopes.join(' ') })

describeEngines('createCurrentPrincipal over HTTPBearer', app, (send) => {
  test('a valid token with the scope is the principal', async () => {
    const res = await send('/me', { headers: { authorization: `Bearer ${await token(['read'])}` } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ name: 'ada' })
  })

  test('no token: 401 naming the scope to ask for', async () => {
    const res = await send('/me')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer scope="read"')
  })

  test('a bad token: 401 invalid_token; a token without the scope: 403 insufficient_scope', async () => {
    const bad = await send('/me', { headers: { authorization: 'Bearer not.a.token' } })
    expect(bad.status).toBe(401)
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"')
    const narrow = await send('/me', {
      headers: { authorization: `Bearer ${await token(['other'])}` },
    })
    expect(narrow.status).toBe(403)
    expect(narrow.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
  })
})

describe('set-up', () => {
  test.each([
    ['HTTPBasic', new HTTPBasic()],
    ['HTTPDigest', new HTTPDigest()],
  ])('%s gives no bearer token: refused naming `scheme`', (name, scheme) => {
    expect(() =>
      createCurrentPrincipal({
        scheme: scheme as never,
        jwt: codec,
        loadPrincipal: () => ({}),
      }),
    ).toThrow(`createCurrentPrincipal: \`scheme\` must give a bearer token`)
    expect(() =>
      createCurrentPrincipal({ scheme: scheme as never, jwt: codec, loadPrincipal: () => ({}) }),
    ).toThrow(name)
  })
})
