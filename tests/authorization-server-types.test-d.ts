import { Gatehouse, type RequestView, Security } from 'gatehouse'
import {
  type AuthorizationServerDatabase,
  type AuthorizationServerStore,
  type ClientRecord,
  createAuthorizationServer,
  createKyselyStore,
  createMemoryStore,
  createMigrator,
  type LoginResult,
  migrateToLatest,
  openStore,
  type PrincipalDependency,
  type PrincipalOptions,
  type TokenPrincipal,
  type UserRecord,
} from 'gatehouse/authorization-server'
import type { Generated, Kysely } from 'kysely'
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
    // Without a loader the value is the token's principal, whatever type is asked for.
    expectTypeOf(server.principal({ audience: 'https://api.example' })).toEqualTypeOf<
      typeof server.currentPrincipal
    >()
    // A principal type without the loader that makes it: the value may be the token's principal.
    expectTypeOf(server.principal<{ name: string }>({})).toEqualTypeOf<
      PrincipalDependency<{ name: string } | TokenPrincipal>
    >()
    // What compiled before: an explicit TokenPrincipal, and options held in a variable.
    expectTypeOf(server.principal<TokenPrincipal>({ audience: 'x' })).toEqualTypeOf<
      typeof server.currentPrincipal
    >()
    const options: PrincipalOptions<TokenPrincipal> = { audience: 'x' }
    expectTypeOf(server.principal(options)).toEqualTypeOf<typeof server.currentPrincipal>()
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

  test('login, consent and registration options are typed', () => {
    createAuthorizationServer({
      issuer: 'https://a.example',
      store: createMemoryStore(),
      scopes: { read: 'Read' },
      login: {
        authenticate: (request) => {
          expectTypeOf(request).toEqualTypeOf<RequestView>()
          return request.cookie('session')
        },
        url: '/login',
      },
      consent: {
        remember: 3600,
        skip: ({ client, user, scopes }) => {
          expectTypeOf(client).toEqualTypeOf<ClientRecord>()
          expectTypeOf(user).toEqualTypeOf<UserRecord>()
          expectTypeOf(scopes).toEqualTypeOf<readonly string[]>()
          return client.id === 'first-party'
        },
      },
      registration: { scopes: ['read'], grantTypes: ['authorization_code', 'refresh_token'] },
    })
    createAuthorizationServer({
      issuer: 'https://a.example',
      store: createMemoryStore(),
      scopes: {},
      // @ts-expect-error: registered clients never get the password grant
      registration: { grantTypes: ['password'] },
    })
    createAuthorizationServer({
      issuer: 'https://a.example',
      store: createMemoryStore(),
      scopes: {},
      // @ts-expect-error: authenticate names a user by id, a string
      login: { authenticate: () => 42 },
    })
    expectTypeOf(server.completeLogin).returns.resolves.toEqualTypeOf<Response>()
    expectTypeOf(openStore).returns.resolves.toEqualTypeOf<AuthorizationServerStore>()
  })
})

// The Kysely set-up of `createKyselyStore`'s documentation, with the store's tables alone or beside
// the app's own in one instance: Kysely's types are invariant in the database type, and both were
// type errors (`Kysely<unknown>` expected).
test("createKyselyStore, migrateToLatest and createMigrator take an app's own Kysely instance", async () => {
  const own = {} as Kysely<AuthorizationServerDatabase>
  await migrateToLatest(own)
  expectTypeOf(createMigrator(own).migrateToLatest).toBeFunction()
  expectTypeOf(createKyselyStore(own)).toEqualTypeOf<AuthorizationServerStore>()
  interface AppTables {
    items: { id: Generated<number>; name: string }
  }
  const shared = {} as Kysely<AppTables & AuthorizationServerDatabase>
  await migrateToLatest(shared)
  expectTypeOf(createKyselyStore(shared)).toEqualTypeOf<AuthorizationServerStore>()
  // @ts-expect-error a Kysely instance without the store's tables is not a store
  createKyselyStore({} as Kysely<AppTables>)
})
