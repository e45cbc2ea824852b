import {
  Body,
  Cookie,
  Depends,
  dependency,
  Form,
  Gatehouse,
  Header,
  Path,
  Query,
  type RequestView,
  Router,
  Security,
  SecurityScheme,
  SecurityScopes,
} from 'gatehouse'
import { describe, expectTypeOf, test } from 'vitest'
import * as z from 'zod'

const app = new Gatehouse()

const Item = z.object({
  name: z.string(),
  price: z.number(),
  tags: z.array(z.string()).default([]),
})
type ItemOut = { name: string; price: number; tags: string[] }

/** A minimal scheme, so these tests do not depend on the security module. */
class APIKey extends SecurityScheme<string> {
  readonly schemeName = 'APIKey'
  readonly autoError = true
  readonly model = { type: 'apiKey' as const, in: 'header', name: 'x-api-key' }
  extract(request: RequestView): string {
    return request.header('x-api-key') ?? ''
  }
}
const apiKey = new APIKey()

describe('parameters', () => {
  test('Path, Query, Header and Cookie give their schema output; optional adds undefined', () => {
    app.get(
      '/items/{item_id}',
      {
        inputs: {
          item_id: Path(z.number().int()),
          q: Query(z.string().optional()),
          limit: Query(z.number().default(10)),
          tags: Query(z.array(z.string())),
          filter: Query(z.object({ order: z.enum(['asc', 'desc']), page: z.number().optional() })),
          userAgent: Header(z.string().nullable()),
          session: Cookie(z.string().optional()),
        },
      },
      (inputs) => {
        expectTypeOf(inputs).toEqualTypeOf<{
          item_id: number
          q: string | undefined
          limit: number
          tags: string[]
          filter: { order: 'asc' | 'desc'; page?: number | undefined }
          userAgent: string | null
          session: string | undefined
        }>()
        // @ts-expect-error keys that were not declared do not exist
        inputs.nope
        // @ts-expect-error an optional input may be undefined
        inputs.q.toUpperCase()
        return null
      },
    )
  })

  test('transforms: the handler sees the output type', () => {
    app.get('/t', { inputs: { n: Query(z.string().transform((s) => s.length)) } }, ({ n }) => {
      expectTypeOf(n).toEqualTypeOf<number>()
      return null
    })
  })

  test('a bare schema gives its output', () => {
    app.post(
      '/bare/{id}',
      { inputs: { id: z.number(), item: Item, q: z.string().optional() } },
      (inputs) => {
        expectTypeOf(inputs).toEqualTypeOf<{ id: number; item: ItemOut; q: string | undefined }>()
        return null
      },
    )
  })
})

describe('bodies, forms and the request', () => {
  test('Body and Form give their output; z.file() is a File; Request is a Request', () => {
    app.post(
      '/upload',
      {
        inputs: {
          item: Body(Item),
          importance: Body(z.number().optional(), { embed: true }),
          request: Request,
        },
      },
      (inputs) => {
        expectTypeOf(inputs).toEqualTypeOf<{
          item: ItemOut
          importance: number | undefined
          request: Request
        }>()
        return null
      },
    )
    app.post(
      '/form',
      {
        inputs: {
          username: Form(z.string()),
          avatar: Form(z.file().optional()),
          model: Form(
            z.object({ grant_type: z.literal('password').optional(), scope: z.string() }),
          ),
        },
      },
      (inputs) => {
        expectTypeOf(inputs).toEqualTypeOf<{
          username: string
          avatar: File | undefined
          model: { grant_type?: 'password' | undefined; scope: string }
        }>()
        return null
      },
    )
  })
})

describe('dependencies', () => {
  const sync = dependency({ q: Query(z.string()) }, ({ q }) => ({ q, length: q.length }))
  const asynchronous = dependency({}, async () => 42)
  const generator = dependency({}, function* () {
    yield { connection: 'db' as const }
  })
  const asyncGenerator = dependency({}, async function* () {
    yield new Date()
  })
  const nested = dependency({ sync, n: asynchronous }, ({ sync, n }) => {
    expectTypeOf(sync).toEqualTypeOf<{ q: string; length: number }>()
    expectTypeOf(n).toEqualTypeOf<number>()
    return sync.length + n
  })

  test('a dependency provides its return value, awaited, or what its generator yields', () => {
    expectTypeOf(sync.inputs.q).not.toBeAny()
    app.get(
      '/deps',
      {
        inputs: {
          sync,
          asynchronous,
          generator,
          asyncGenerator,
          nested,
          cached: Depends(asynchronous),
          fresh: Depends(generator, { useCache: false }),
        },
      },
      (inputs) => {
        expectTypeOf(inputs).toEqualTypeOf<{
          sync: { q: string; length: number }
          asynchronous: number
          generator: { connection: 'db' }
          asyncGenerator: Date
          nested: number
          cached: number
          fresh: { connection: 'db' }
        }>()
        return null
      },
    )
  })

  test('SecurityScopes, security schemes and Security() are typed', () => {
    const currentUser = dependency(
      { securityScopes: SecurityScopes, key: apiKey },
      ({ securityScopes, key }) => {
        expectTypeOf(securityScopes).toEqualTypeOf<SecurityScopes>()
        expectTypeOf(securityScopes.scopes).toEqualTypeOf<readonly string[]>()
        expectTypeOf(key).toEqualTypeOf<string>()
        return { username: key, disabled: false as boolean }
      },
    )
    app.get(
      '/me',
      {
        inputs: {
          user: Security(currentUser, { scopes: ['me'] }),
          key: Security(apiKey),
          plain: apiKey,
          depends: Depends(currentUser),
        },
      },
      (inputs) => {
        expectTypeOf(inputs).toEqualTypeOf<{
          user: { username: string; disabled: boolean }
          key: string
          plain: string
          depends: { username: string; disabled: boolean }
        }>()
        return null
      },
    )
  })

  test('decorator dependencies do not reach the handler', () => {
    const router = new Router({ prefix: '/r', dependencies: [sync] })
    router.get('/', { dependencies: [asynchronous, apiKey] }, (inputs) => {
      expectTypeOf(inputs).toEqualTypeOf<Record<never, never>>()
      return null
    })
  })
})

describe('response schemas', () => {
  const User = z.object({ username: z.string(), email: z.string().optional() })

  test('the handler may return the schema input, with extra fields from a variable', () => {
    const inDB = { username: 'john', hashed_password: 'x' }
    app.get('/u1', { response: User }, () => inDB)
    app.get('/u2', { response: User }, async () => ({ username: 'john' }))
    app.get('/u4', { response: z.array(User) }, () => [inDB])
    // Without a response model, a Response is fine.
    app.get('/u5', {}, () => new Response(null))
  })

  test('a raw Response would bypass the response model, so it does not compile', () => {
    // @ts-expect-error return data; set status, headers and cookies through the response parameter
    app.get('/u3', { response: User }, () => new Response(null))
  })

  test('a wrong return type for the response schema does not compile', () => {
    // @ts-expect-error username must be a string
    app.get('/w1', { response: User }, () => ({ username: 1 }))
    // @ts-expect-error username is required
    app.get('/w2', { response: User }, async () => ({ email: 'x' }))
    // @ts-expect-error an array is not an object
    app.get('/w3', { response: User }, () => [{ username: 'x' }])
  })

  test('without a response schema anything may be returned', () => {
    app.get('/any', {}, () => 1)
    app.get('/any2', {}, async () => ({ whatever: true }))
  })
})

describe('what does not compile', () => {
  test('non-inputs in inputs', () => {
    // @ts-expect-error a number is not an input source
    app.get('/n1', { inputs: { x: 5 } }, () => null)
    // @ts-expect-error a plain function is not a dependency
    app.get('/n2', { inputs: { x: () => 1 } }, () => null)
    // @ts-expect-error a string is not an input source
    app.get('/n3', { dependencies: ['auth'] }, () => null)
  })

  test('misusing values', () => {
    app.get('/m1', { inputs: { n: Query(z.number()) } }, ({ n }) => {
      // @ts-expect-error n is a number
      n.toUpperCase()
      return null
    })
    app.get('/m2', { inputs: { user: Depends(dependency({}, () => ({ id: 1 }))) } }, ({ user }) => {
      // @ts-expect-error the dependency provides no name
      user.name
      return null
    })
    // @ts-expect-error Depends takes a dependency, not a schema
    Depends(z.string())
    // @ts-expect-error Security scopes are strings
    Security(apiKey, { scopes: [1] })
    // @ts-expect-error Path takes a Zod schema
    Path('item_id')
  })

  test('dependency functions are checked against their inputs', () => {
    // @ts-expect-error q is a string, not a number
    dependency({ q: Query(z.string()) }, ({ q }: { q: number }) => q)
    dependency({ q: Query(z.string()) }, ({ q }) => {
      // @ts-expect-error only declared inputs exist
      return q + missing
    })
  })
})
