import { Gatehouse, Security } from 'gatehouse'
import {
  type AuthorizationServerStore,
  createAuthorizationServer,
  createMemoryStore,
  type LoginResult,
  type TokenPrincipal,
} from 'gatehouse/authorization-server'
import { describe, expectTypeOf, test } from 'vitest'

const server = createAuthorizationServer({
  issuer: 'https://auth.example.com',
  store: createMemoryStore(),
  scopes: { read: 'Read' },
})

describe('authorization server types', () => {
  test('currentPrincipal gives a TokenPrincipal; principal() infers the loaded type', () => {
    const app = new Gatehouse()
    app.get(
      '/me',
      { inputs: { me: Security(server.currentPrincipal, { scopes: ['read'] }) } },
      ({ me }) => {
        expectTypeOf(me).toEqualTypeOf<TokenPrincipal>()
        expectTypeOf(me.scopes).toEqualTypeOf<readonly string[]>()
        return me.subject
      },
    )
    const custom = server.principal({
      loadPrincipal: (token) => ({ id: token.subject, admin: false }),
    })
    app.get('/who', { inputs: { who: custom } }, ({ who }) => {
      expectTypeOf(who).toEqualTypeOf<{ id: string; admin: boolean }>()
      return who.id
    })
  })

  test('the store, the login result and the options are typed', () => {
    expectTypeOf(server.store).toEqualTypeOf<AuthorizationServerStore>()
    expectTypeOf(server.authenticateUser).returns.resolves.toEqualTypeOf<LoginResult>()
    // @ts-expect-error: scopes are required
    createAuthorizationServer({ issuer: 'https://a.example', store: createMemoryStore() })
    createAuthorizationServer({
      issuer: 'https://a.example',
      store: createMemoryStore(),
      scopes: {},
      // @ts-expect-error: an algorithm that does not exist
      keys: { algorithm: 'none' },
    })
    createAuthorizationServer({
      issuer: 'https://a.example',
      store: createMemoryStore(),
      scopes: {},
      // @ts-expect-error: grant types are a closed set
      grantTypes: ['implicit'],
    })
    // @ts-expect-error: the code request needs a PKCE challenge
    void server.issueAuthorizationCode({
      clientId: 'c',
      userId: 'u',
      redirectUri: null,
      scopes: [],
      codeChallengeMethod: 'S256',
    })
  })
})
