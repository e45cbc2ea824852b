import {
  createCurrentPrincipal,
  createJWTCodec,
  Gatehouse,
  HTTPBasic,
  HTTPBearer,
  OAuth2AuthorizationCodeBearer,
  OAuth2ClientCredentials,
  OAuth2PasswordBearer,
  Security,
} from 'gatehouse'
import { describe, expect, test } from 'vitest'
import { describeEngines } from './helpers/http.js'

// What configuration puts into a `WWW-Authenticate` challenge is refused when the app is set up:
// a value a header cannot carry would otherwise fail on the first request, differently per engine.

const codec = createJWTCodec({ secret: 'challenge-values-test-secret-32-bytes!!' })
const scheme = new OAuth2PasswordBearer({ tokenUrl: '/token' })
const principal = (extra: Record<string, unknown>) =>
  createCurrentPrincipal({ scheme, jwt: codec, loadPrincipal: () => ({}), ...extra })

const unsendable = [
  ['CR LF', 'a\r\nx-injected: y'],
  ['a tab', 'a\tb'],
  ['NUL', 'a\0b'],
  ['DEL', 'a\x7Fb'],
  ['Latin-1', 'café'],
  ['CJK', '日本'],
] as const

describe('realm', () => {
  test.each(unsendable)('createCurrentPrincipal refuses a realm with %s', (_, realm) => {
    expect(() => principal({ realm })).toThrow(
      new TypeError(
        'createCurrentPrincipal: `realm` must be printable ASCII (0x20–0x7E: no control characters, no non-ASCII)',
      ),
    )
  })

  test.each(unsendable)('HTTPBasic refuses a realm with %s', (_, realm) => {
    expect(() => new HTTPBasic({ realm })).toThrow(
      new TypeError(
        'HTTPBasic: `realm` must be printable ASCII (0x20–0x7E: no control characters, no non-ASCII)',
      ),
    )
  })

  test('a non-string realm is refused by name', () => {
    expect(() => principal({ realm: 5 })).toThrow(
      'createCurrentPrincipal: `realm` must be a string',
    )
    expect(() => new HTTPBasic({ realm: 5 as never })).toThrow(
      'HTTPBasic: `realm` must be a string',
    )
  })

  test('printable ASCII, quotes and backslashes included, is accepted', () => {
    expect(() => principal({ realm: 'my "api" \\ v1 ~!' })).not.toThrow()
    expect(new HTTPBasic({ realm: ' ~' }).realm).toBe(' ~')
  })
})

describe('scope names', () => {
  const bad = ['a"b', 'c\\d', 'a b', '', 'é', 'a\nb', 5]

  test.each(bad)('Security() refuses %j, naming it', (scope) => {
    expect(() => Security(scheme, { scopes: [scope as string] })).toThrow(
      typeof scope === 'string'
        ? `Security(): \`scopes\` entry ${JSON.stringify(scope)} is not an RFC 6749 scope-token`
        : 'Security(): `scopes` entry 5 is not an RFC 6749 scope-token',
    )
  })

  test.each(bad.filter((scope) => typeof scope === 'string'))(
    'the OAuth2 bearer schemes refuse %j in `scopes`, naming it',
    (scope) => {
      const scopes = { [scope]: 'x' }
      const message = `\`scopes\` name ${JSON.stringify(scope)} is not an RFC 6749 scope-token`
      expect(() => new OAuth2PasswordBearer({ tokenUrl: 't', scopes })).toThrow(
        `OAuth2PasswordBearer: ${message}`,
      )
      expect(() => new OAuth2ClientCredentials({ tokenUrl: 't', scopes })).toThrow(
        `OAuth2ClientCredentials: ${message}`,
      )
      expect(
        () => new OAuth2AuthorizationCodeBearer({ authorizationUrl: 'a', tokenUrl: 't', scopes }),
      ).toThrow(`OAuth2AuthorizationCodeBearer: ${message}`)
    },
  )

  test('the tutorial scopes and URL-like or colon scopes are scope-tokens', () => {
    expect(
      Security(scheme, { scopes: ['me', 'items', 'orders:read', 'https://api/x.y'] }).scopes,
    ).toHaveLength(4)
    expect(
      () => new OAuth2PasswordBearer({ tokenUrl: 't', scopes: { me: 'Me', 'items:read': 'x' } }),
    ).not.toThrow()
  })
})

describe('resourceMetadata', () => {
  test('only an absolute http(s) URL is accepted; it is sent as percent-encoded ASCII (below)', () => {
    expect(() => principal({ resourceMetadata: 'mailto:x@y' })).toThrow(
      'createCurrentPrincipal: `resourceMetadata` must be an absolute http(s) URL',
    )
  })
})

// The quoting of `"` and `\` is what both engines send, byte for byte.
const app = new Gatehouse()
const current = principal({
  realm: 'my "api" \\ v1',
  resourceMetadata: 'https://api.example/métadonnées',
  errors: 'rfc6750',
})
app.get('/me', { inputs: { user: Security(current, { scopes: ['me'] }) } }, () => ({ ok: true }))
const basic = new HTTPBasic({ realm: 'say "hi" \\' })
app.get('/basic', { inputs: { credentials: basic } }, () => ({ ok: true }))
const bearer = new HTTPBearer()
app.get('/bearer', { inputs: { credentials: bearer } }, () => ({ ok: true }))

describeEngines('challenges from configuration', app, (send) => {
  test('realm is a quoted-string and resource_metadata percent-encoded', async () => {
    const response = await send('/me')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="my \\"api\\" \\\\ v1", scope="me", resource_metadata="https://api.example/m%C3%A9tadonn%C3%A9es"',
    )
  })

  test('HTTPBasic quotes its realm the same way', async () => {
    const response = await send('/basic')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="say \\"hi\\" \\\\"')
  })
})
