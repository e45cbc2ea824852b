import {
  APIKeyHeader,
  dependency,
  Gatehouse,
  HTTPBasic,
  HTTPBearer,
  Path,
  Query,
  Router,
} from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'

describe('set-up mistakes throw at registration, naming the route or option', () => {
  test('two different schemes with one schemeName', () => {
    const app = new Gatehouse()
    const a = new APIKeyHeader({ name: 'x-key', schemeName: 'Key' })
    const b = new APIKeyHeader({ name: 'x-other-key', schemeName: 'Key' })
    app.get('/a', { inputs: { key: a } }, () => 1)
    expect(() => app.get('/b', { inputs: { key: b } }, () => 1)).toThrow(
      'GET /b: two different security schemes are named "Key": give one another `schemeName`',
    )
    // The same scheme, or one documented identically, is fine.
    app.get('/c', { inputs: { key: a } }, () => 1)
    app.get(
      '/d',
      { inputs: { key: new APIKeyHeader({ name: 'x-key', schemeName: 'Key' }) } },
      () => 1,
    )
    expect(() => app.openapi()).not.toThrow()
  })

  test('overlapping documentation URLs', () => {
    expect(() => new Gatehouse({ docsUrl: '/docs', redocUrl: '/docs' })).toThrow(/overlap/)
    expect(() => new Gatehouse({ openapiUrl: '/docs', docsUrl: '/docs' })).toThrow(
      /`openapiUrl` and `docsUrl` overlap at \/docs/,
    )
    expect(() => new Gatehouse({ swaggerUiOAuth2RedirectUrl: '/redoc' })).toThrow(/overlap/)
    expect(() => new Gatehouse({ docsUrl: 'docs' })).toThrow(/docsUrl/)
  })

  test('a route on a documentation path', () => {
    const app = new Gatehouse()
    expect(() => app.get('/docs', {}, () => 1)).toThrow(
      /GET \/docs: the path is taken by `docsUrl`/,
    )
    expect(() => app.get('/openapi.json', {}, () => 1)).toThrow(/`openapiUrl`/)
    app.post('/docs', {}, () => 1)
    new Gatehouse({ docsUrl: null }).get('/docs', {}, () => 1)
  })

  test('a response that is not a schema', () => {
    const app = new Gatehouse()
    expect(() =>
      app.get('/', { response: { username: 'string' } as unknown as z.ZodString }, () => 'x'),
    ).toThrow('GET /: `response` must be a Zod schema (e.g. z.object({...}))')
    expect(() =>
      app.get(
        '/r',
        { responses: { 404: { description: 'x', schema: {} as z.ZodString } } },
        () => 1,
      ),
    ).toThrow(/responses\[404\]\.schema/)
  })

  test('the same method and path twice, whatever the parameter names', () => {
    const app = new Gatehouse()
    app.get('/items/{id}', { inputs: { id: Path(z.number()) } }, () => 1)
    expect(() =>
      app.get('/items/{item_id}', { inputs: { item_id: Path(z.number()) } }, () => 2),
    ).toThrow(
      'GET /items/{item_id}: already registered as GET /items/{id}; each method and path is one route',
    )
    app.post('/items/{id}', { inputs: { id: Path(z.number()) } }, () => 3)
    const router = new Router({ prefix: '/items' })
    router.get('/{x}', { inputs: { x: Path(z.string()) } }, () => 4)
    expect(() => app.include(router)).toThrow(/already registered/)
  })

  test('a {param} in the path that no input reads', () => {
    const app = new Gatehouse()
    expect(() => app.get('/users/{id}', {}, () => 1)).toThrow(
      'GET /users/{id}: the path parameter {id} is not read by any input: add `id: Path(schema)`',
    )
    // Read by a dependency, or by a bare schema named like it: fine.
    const byId = dependency({ id: Path(z.string()) }, ({ id }) => id)
    app.get('/a/{id}', { inputs: { user: byId } }, () => 1)
    app.get('/b/{id}', { inputs: { id: z.string() } }, () => 1)
  })

  test('a cycle names the whole chain', () => {
    const inputs: Record<string, unknown> = {}
    const first = dependency(inputs as never, () => 1, { name: 'loadSession' })
    const second = dependency({ session: first }, () => 2, { name: 'loadUser' })
    const third = dependency({ user: second }, () => 3)
    inputs.account = third
    expect(() => new Gatehouse().get('/', { inputs: { first } }, () => 1)).toThrow(
      'GET /: dependency cycle: first ("loadSession") → "account" → user ("loadUser") → session ("loadSession")',
    )
  })

  test('a bad input inside a nested dependency names the dependency', () => {
    const inner = dependency({ q: Query(z.string()), broken: 'nope' as never }, () => 1, {
      name: 'readFilters',
    })
    const outer = dependency({ filters: inner }, () => 2, { name: 'listing' })
    expect(() => new Gatehouse().get('/things', { inputs: { found: outer } }, () => 1)).toThrow(
      'GET /things in dependency found ("listing") → filters ("readFilters"): input "broken" is not an input source',
    )
  })

  test('app.get(path, handler) without options says how to call it', () => {
    const app = new Gatehouse()
    expect(() =>
      (app.get as (path: string, handler: () => unknown) => unknown)('/x', () => 1),
    ).toThrow(
      'GET /x: routes take an options object before the handler: `get(path, {}, handler)` (or `{ inputs, response, ... }`)',
    )
  })

  test('an explicit security requirement may only name schemes of the route', () => {
    const app = new Gatehouse()
    const bearer = new HTTPBearer({ autoError: false })
    const basic = new HTTPBasic({ autoError: false })
    app.get(
      '/either',
      { inputs: { bearer, basic }, security: [{ HTTPBearer: [] }, { HTTPBasic: [] }] },
      () => 1,
    )
    expect(() =>
      app.get('/wrong', { inputs: { bearer }, security: [{ HTTPBasic: [] }] }, () => 1),
    ).toThrow(
      'GET /wrong: `security` names "HTTPBasic", which is not a security scheme of this route',
    )
    const operation = (app.openapi().paths['/either'] as Record<string, { security: unknown }>).get
    expect(operation?.security).toEqual([{ HTTPBearer: [] }, { HTTPBasic: [] }])
  })
})
