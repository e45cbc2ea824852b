// Checked under a plain `strict` config and under the project's own, against the built dist/*.d.ts:
// typed dependency overrides, stateful apps in library signatures, bearer-only schemes and readonly
// results through a response model.
import {
  APIKeyHeader,
  createCurrentPrincipal,
  createJWTCodec,
  type Dependable,
  Depends,
  dependency,
  Gatehouse,
  type HTTPAuthorizationCredentials,
  HTTPBasic,
  HTTPBearer,
  HTTPDigest,
  mountProtectedResourceMetadata,
  OAuth2PasswordBearer,
  Security,
} from 'gatehouse'
import { expectTypeOf } from 'vitest'
import * as z from 'zod'

const oauth2 = new OAuth2PasswordBearer({ tokenUrl: 'token' })
const getCurrentUser = dependency({ token: oauth2 }, ({ token }) => ({
  username: token,
  disabled: false,
}))

// dependencyOverrides: the replacement must provide what the original provides (or a subtype).
{
  const app = new Gatehouse()
  app.get('/me', { inputs: { user: getCurrentUser } }, ({ user }) => user.username)
  const overrides = app.dependencyOverrides
  overrides.set(
    getCurrentUser,
    dependency({}, () => ({ username: 'test', disabled: false })),
  )
  // A subtype (an extra key), async or from a generator: all provide a User.
  overrides.set(
    getCurrentUser,
    dependency({}, () => ({ username: 'test', disabled: true, email: 'a@b.c' })),
  )
  overrides.set(
    getCurrentUser,
    dependency({}, async () => ({ username: 'test', disabled: false })),
  )
  overrides.set(
    getCurrentUser,
    dependency({}, function* () {
      yield { username: 'test', disabled: false }
    }),
  )
  // A scheme replaced by a dependency giving its credential, or by another scheme giving a string.
  const token = dependency({}, () => 'token')
  overrides.set(oauth2, token)
  overrides.set(oauth2, new APIKeyHeader({ name: 'x-token' }))
  const aNumber = dependency({}, () => 42)
  const noDisabled = dependency({}, () => ({ username: 'test' }))
  const anObject = dependency({}, () => ({ not: 'a string' }))
  // @ts-expect-error a replacement must provide a User, not a number
  overrides.set(getCurrentUser, aNumber)
  // @ts-expect-error a User lacking `disabled`
  overrides.set(getCurrentUser, noDisabled)
  // @ts-expect-error a scheme giving `string` replaced by one giving an object
  overrides.set(oauth2, anObject)
  // @ts-expect-error a required scheme replaced by an optional one (`string | undefined`)
  overrides.set(oauth2, new OAuth2PasswordBearer({ tokenUrl: 'token', autoError: false }))
  // @ts-expect-error a plain function is not a dependency
  overrides.set(getCurrentUser, () => ({ username: 'test', disabled: false }))
  // The rest of the Map API is kept.
  expectTypeOf(overrides.get(getCurrentUser)).toEqualTypeOf<Dependable | undefined>()
  expectTypeOf(overrides.has(oauth2)).toEqualTypeOf<boolean>()
  expectTypeOf(overrides.delete(oauth2)).toEqualTypeOf<boolean>()
  expectTypeOf(overrides.size).toEqualTypeOf<number>()
  for (const [original, replacement] of overrides) {
    expectTypeOf(original).toEqualTypeOf<Dependable>()
    expectTypeOf(replacement).toEqualTypeOf<Dependable>()
  }
  expectTypeOf(overrides).toExtend<ReadonlyMap<Dependable, Dependable>>()
  overrides.clear()
}

// A library function (or a user's helper) taking an app accepts one with a lifespan state.
{
  const app = new Gatehouse({
    async *lifespan() {
      yield { db: new Map<string, string>() }
    },
  })
  expectTypeOf(
    mountProtectedResourceMetadata(app, { resource: 'https://api.example' }),
  ).toEqualTypeOf<string>()
  mountProtectedResourceMetadata(new Gatehouse(), { resource: 'https://api.example' })
  const register = (a: Gatehouse<unknown>) => a.get('/health', {}, () => 'ok')
  register(app)
  register(new Gatehouse())
}

// createCurrentPrincipal takes schemes giving a bearer token; HTTPDigest and HTTPBasic do not.
{
  const jwt = createJWTCodec({ secret: 'x'.repeat(32) })
  const loadPrincipal = (subject: string) => ({ subject })
  createCurrentPrincipal({ scheme: new HTTPBearer(), jwt, loadPrincipal })
  createCurrentPrincipal({ scheme: new HTTPBearer({ autoError: false }), jwt, loadPrincipal })
  createCurrentPrincipal({ scheme: oauth2, jwt, loadPrincipal })
  // @ts-expect-error HTTPDigest gives Digest credentials, not a bearer token
  createCurrentPrincipal({ scheme: new HTTPDigest(), jwt, loadPrincipal })
  // @ts-expect-error also when optional
  createCurrentPrincipal({ scheme: new HTTPDigest({ autoError: false }), jwt, loadPrincipal })
  // @ts-expect-error HTTPBasic gives a user name and password
  createCurrentPrincipal({ scheme: new HTTPBasic(), jwt, loadPrincipal })
  expectTypeOf(new HTTPDigest().model.scheme).toEqualTypeOf<'digest'>()
  expectTypeOf(new HTTPBearer().model.scheme).toEqualTypeOf<'bearer'>()
}

// A response model only reads the result: readonly arrays, tuples and objects are accepted.
{
  const app = new Gatehouse()
  const Item = z.object({ id: z.number(), name: z.string(), tags: z.array(z.string()) })
  type Item = z.infer<typeof Item>
  const catalogue: readonly Item[] = [{ id: 1, name: 'Foo', tags: [] }]
  const listItems = (): ReadonlyArray<Readonly<Item>> => catalogue
  app.get('/items', { response: z.array(Item) }, () => catalogue)
  app.get('/items2', { response: z.array(Item) }, async () => listItems())
  app.get('/item', { response: Item }, () => ({ id: 1, name: 'Foo', tags: ['a', 'b'] }) as const)
  app.get('/pair', { response: z.tuple([z.number(), z.string()]) }, () => [1, 'a'] as const)
  app.get(
    '/nested',
    { response: z.object({ items: z.array(Item), at: z.date() }) },
    () => ({ items: catalogue, at: new Date() }) as const,
  )
  app.get('/mutable', { response: z.array(Item) }, () => [...catalogue])
  // Wrong shapes are still refused, readonly or not.
  // @ts-expect-error an item lacks `tags`
  app.get('/bad', { response: z.array(Item) }, () => [{ id: 1, name: 'Foo' }] as const)
  const wrong: readonly { id: string }[] = []
  // @ts-expect-error `id` is a string
  app.get('/bad2', { response: z.array(Item) }, () => wrong)
  // @ts-expect-error an object where the model is an array
  app.get('/bad3', { response: z.array(Item) }, () => catalogue[0])
  // @ts-expect-error a readonly tuple of the wrong types
  app.get('/bad4', { response: z.tuple([z.number(), z.string()]) }, () => ['a', 1] as const)
}

// A scheme built inside Depends()/Security(), as FastAPI's `Security(oauth2_scheme, scopes=[…])` is
// written: required by default, so the handler gets the value itself (it was `T | undefined`).
{
  const app = new Gatehouse()
  app.get(
    '/items',
    {
      inputs: {
        token: Security(new OAuth2PasswordBearer({ tokenUrl: 'token' }), { scopes: ['items'] }),
        bearer: Depends(new HTTPBearer()),
        key: Depends(new APIKeyHeader({ name: 'x-key' })),
        optional: Depends(new HTTPBearer({ autoError: false })),
        user: Depends(getCurrentUser),
      },
    },
    ({ token, bearer, key, optional, user }) => {
      expectTypeOf(token).toEqualTypeOf<string>()
      expectTypeOf(bearer.credentials).toEqualTypeOf<string>()
      expectTypeOf(key).toEqualTypeOf<string>()
      expectTypeOf(optional).toEqualTypeOf<HTTPAuthorizationCredentials | undefined>()
      expectTypeOf(user).toEqualTypeOf<{ username: string; disabled: boolean }>()
      return token
    },
  )
  // The value's type given explicitly, as code written before the inference change did.
  type User = { username: string; disabled: boolean }
  expectTypeOf(Depends<User>(getCurrentUser)['~types']).toEqualTypeOf<
    { readonly output: User } | undefined
  >()
  expectTypeOf(Security<User>(getCurrentUser, { scopes: ['me'] })['~types']).toEqualTypeOf<
    { readonly output: User } | undefined
  >()
  // biome-ignore lint/suspicious/noExplicitAny: what code ported from JavaScript writes
  expectTypeOf(Depends<any>(getCurrentUser)['~types']).toEqualTypeOf<
    // biome-ignore lint/suspicious/noExplicitAny: its value stays any
    { readonly output: any } | undefined
  >()
}
