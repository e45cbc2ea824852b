import {
  createCurrentPrincipal,
  createJWTCodec,
  createJWTVerifier,
  type JWTVerifierOptions,
  OAuth2PasswordBearer,
} from 'gatehouse'
import { exportJWK, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'

// Set-up mistakes that used to be ignored: each throws when the app is set up, naming the option.

const base = { issuer: 'https://issuer.example/', audience: 'https://api.example' }
const keys = {
  keys: [{ ...(await exportJWK((await generateKeyPair('ES256')).publicKey)), kid: 'k' }],
}
const verifier = (options: Record<string, unknown>) =>
  createJWTVerifier({ ...base, ...options } as JWTVerifierOptions)

describe('createJWTVerifier', () => {
  it.each([
    [{ jwks_uri: 'https://issuer.example/jwks' }, 'unknown option "jwks_uri"'],
    [{ keys, audiences: ['x'] }, 'unknown option "audiences"'],
    [{ remote: { timout: 100 } }, 'unknown option "remote.timout"'],
    [{ remote: { max_age: 100 } }, 'unknown option "remote.max_age"'],
  ])('refuses an unknown option %j, naming it', (options, message) => {
    expect(() => verifier(options)).toThrow(new RegExp(`^createJWTVerifier: ${message} \\(known: `))
  })

  it('refuses "remote" beside "keys", which it would not apply to', () => {
    expect(() => verifier({ keys, remote: { timeout: 100 } })).toThrow(
      new TypeError(
        'createJWTVerifier: "remote" applies to fetched keys, not to "keys" given in code',
      ),
    )
    expect(() => verifier({ keys })).not.toThrow()
    expect(() => verifier({ remote: { timeout: 100, maxAge: 60 } })).not.toThrow()
  })

  it('refuses a remote.timeout that AbortSignal.timeout cannot take, and an issuer with a query', () => {
    for (const timeout of [1500.5, 3e9, 5e9, 0])
      expect(() => verifier({ remote: { timeout } }), String(timeout)).toThrow(
        'createJWTVerifier: "remote.timeout" must be a whole number of milliseconds, 1 to 2147483647',
      )
    expect(() => verifier({ remote: { timeout: 2 ** 31 - 1 } })).not.toThrow()
    // RFC 8414 §2: an issuer identifier has no query; discovery would drop it.
    for (const issuer of [
      'https://idp.example/?tenant=a',
      'https://idp.example/t?x',
      'https://idp.example/?',
    ])
      expect(() => verifier({ issuer }), issuer).toThrow('"issuer" must not have a query')
  })

  it('bounds clockTolerance to 600 s', () => {
    expect(() => verifier({ keys, clockTolerance: 601 })).toThrow(
      new TypeError('createJWTVerifier: "clockTolerance" must be at most 600 seconds'),
    )
    expect(() => verifier({ keys, clockTolerance: 1e9 })).toThrow('"clockTolerance"')
    expect(() => verifier({ keys, clockTolerance: 600 })).not.toThrow()
  })

  it.each(['at+jwt; q=1', 'at jwt', 'application/at+jwt/x', 'at+jwt ', '/at+jwt', 'café'])(
    'refuses typ %j, which no header could match',
    (typ) => {
      expect(() => verifier({ keys, typ })).toThrow(
        new TypeError(
          'createJWTVerifier: "typ" must be a media type without parameters, e.g. "at+jwt" (RFC 7515 §4.1.9)',
        ),
      )
    },
  )

  it.each(['at+jwt', 'application/at+jwt', 'JWT'])('accepts typ %j', (typ) => {
    expect(() => verifier({ keys, typ })).not.toThrow()
  })
})

describe('createCurrentPrincipal', () => {
  const scheme = new OAuth2PasswordBearer({ tokenUrl: '/token' })
  const jwt = createJWTCodec({ secret: 'options-test-secret-of-32-bytes-or-more' })
  const options = { scheme, jwt, loadPrincipal: () => ({}) }

  it.each(['resource_metadata', 'error', 'loadUser'])(
    'refuses an unknown option %j, naming it',
    (name) => {
      expect(() => createCurrentPrincipal({ ...options, [name]: 'x' } as never)).toThrow(
        new RegExp(`^createCurrentPrincipal: unknown option "${name}" \\(known: scheme, jwt, `),
      )
    },
  )

  it('accepts every documented option', () => {
    expect(() =>
      createCurrentPrincipal({
        ...options,
        errors: 'rfc6750',
        realm: 'api',
        resourceMetadata: 'https://api.example/.well-known/oauth-protected-resource',
        name: 'me',
      }),
    ).not.toThrow()
  })
})

describe('createIntrospectionVerifier', () => {
  it('refuses an unknown option, naming it', async () => {
    const { createIntrospectionVerifier } = await import('gatehouse')
    expect(() =>
      createIntrospectionVerifier({
        endpoint: 'https://issuer.example/introspect',
        clientId: 'api',
        clientSecret: 'secret',
        client_secret: 'x',
      } as never),
    ).toThrow(/^createIntrospectionVerifier: unknown option "client_secret" \(known: /)
  })
})
