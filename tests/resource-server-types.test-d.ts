import {
  createCurrentPrincipal,
  createIntrospectionVerifier,
  createJWTCodec,
  createJWTVerifier,
  Gatehouse,
  HTTPBasic,
  HTTPBearer,
  OAuth2PasswordBearer,
  Security,
  type TokenVerifier,
  type VerifiedToken,
} from 'gatehouse'
import { describe, expectTypeOf, test } from 'vitest'

const scheme = new OAuth2PasswordBearer({ tokenUrl: 'token' })
const loadPrincipal = (subject: string) => ({ subject, admin: false })

describe('createCurrentPrincipal takes any TokenVerifier', () => {
  test('the codec, the JWT verifier, the introspection verifier and a hand-written one', () => {
    const verifiers = [
      createJWTCodec({ secret: 'x'.repeat(32) }),
      createJWTVerifier({ issuer: 'https://issuer.example', audience: 'https://api.example' }),
      createIntrospectionVerifier({
        endpoint: 'https://issuer.example/introspect',
        clientId: 'api',
        clientSecret: 'secret',
      }),
      {
        verify: async (token: string): Promise<VerifiedToken> => ({
          subject: token,
          scopes: [],
          payload: {},
        }),
      },
    ]
    for (const jwt of verifiers) {
      expectTypeOf(jwt).toExtend<TokenVerifier>()
      createCurrentPrincipal({ scheme, jwt, loadPrincipal })
    }
  })

  test('the principal type comes from loadPrincipal, async or not', () => {
    const jwt = createJWTCodec({ secret: 'x'.repeat(32) })
    const sync = createCurrentPrincipal({ scheme, jwt, loadPrincipal })
    const async = createCurrentPrincipal({
      scheme,
      jwt,
      loadPrincipal: async (subject) => (subject === 'a' ? { id: 1 } : undefined),
    })
    const app = new Gatehouse()
    app.get('/a', { inputs: { user: Security(sync, { scopes: ['me'] }) } }, ({ user }) => {
      expectTypeOf(user).toEqualTypeOf<{ subject: string; admin: boolean }>()
      return {}
    })
    app.get('/b', { inputs: { user: async } }, ({ user }) => {
      expectTypeOf(user).toEqualTypeOf<{ id: number }>()
      return {}
    })
  })

  test('HTTPBearer is a token scheme: its credentials are the token', () => {
    const jwt = createJWTCodec({ secret: 'x'.repeat(32) })
    const user = createCurrentPrincipal({ scheme: new HTTPBearer(), jwt, loadPrincipal })
    expectTypeOf(user).not.toBeAny()
  })

  test('what cannot work does not compile', () => {
    const jwt = createJWTCodec({ secret: 'x'.repeat(32) })
    // @ts-expect-error: a verifier needs verify(token)
    createCurrentPrincipal({ scheme, jwt: { check: () => true }, loadPrincipal })
    // @ts-expect-error: HTTPBasic gives a username and password, not a token
    createCurrentPrincipal({ scheme: new HTTPBasic(), jwt, loadPrincipal })
    // @ts-expect-error: an audience is required for tokens from an issuer
    createJWTVerifier({ issuer: 'https://issuer.example' })
  })
})
