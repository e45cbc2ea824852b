import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  Body,
  Cookie,
  createJWTCodec,
  createPasswordHasher,
  Depends,
  dependency,
  Form,
  Gatehouse,
  Header,
  mountProtectedResourceMetadata,
  OAuth2PasswordBearer,
  Path,
  Query,
  Security,
  SecurityScopes,
  serve,
} from 'gatehouse'
import { openSQLiteStore, openStore } from 'gatehouse/authorization-server'
import { afterAll, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { describeEngines } from './helpers/http.js'

// Set-up mistakes a JavaScript caller (or an `as` cast) gets past the types: each one threw only on
// the first request, or was taken for something else. Now each throws where it is made, naming
// the option or the route.
const loose = (value: unknown): never => value as never

describe('new Gatehouse() options of the wrong type', () => {
  test.each([
    [{ logger: 42 }, '`logger` must have an `error(message, error)` method'],
    [{ logger: { error: () => {}, debug: 'x' } }, '`logger` must have'],
    [{ redirectSlashes: 'no' }, '`redirectSlashes` must be a boolean'],
    [{ title: 5 }, '`title` must be a string'],
    [{ servers: [{ url: 42 }] }, '`servers` must be an array of OpenAPI Server Objects'],
    [{ dependencies: {} }, '`dependencies` must be an array'],
    [{ openapiTags: 'items' }, '`openapiTags` must be an array'],
    [{ lifespan: async () => ({ db: 1 }) }, '`lifespan` must be a generator function'],
  ])('%j', (options, message) => {
    expect(() => new Gatehouse(loose(options))).toThrow(TypeError)
    expect(() => new Gatehouse(loose(options))).toThrow(`Gatehouse: ${message}`)
  })

  test('a lifespan generator and a plain function returning one are taken', () => {
    expect(() => new Gatehouse({ lifespan: async function* () {} })).not.toThrow()
    expect(() => new Gatehouse({ lifespan: function* () {} })).not.toThrow()
    expect(() => new Gatehouse(loose({ lifespan: () => (function* () {})() }))).not.toThrow()
  })
})

describe('route options of the wrong type', () => {
  const route = (options: object) => () =>
    new Gatehouse().get('/x', loose(options), () => ({ ok: true }))
  test.each([
    [{ tags: 'items' }, 'GET /x: `tags` must be an array of strings'],
    [{ summary: 5 }, 'GET /x: `summary` must be a string'],
    [{ deprecated: 'yes' }, 'GET /x: `deprecated` must be a boolean'],
    [{ operationId: '' }, 'GET /x: `operationId` must not be empty'],
    [{ responses: { 404: 'Not found' } }, 'GET /x: `responses[404]` must be an object'],
    [
      { status: 205, response: z.object({ ok: z.boolean() }) },
      'GET /x: `status: 205` has no body, so it takes no `response` model',
    ],
    [{ response: z.object({ f: z.function() }) }, 'a z.function() at f, which JSON cannot carry'],
    [{ response: z.object({ s: z.symbol() }) }, 'a z.symbol() at s, which JSON cannot carry'],
  ])('%j', (options, message) => {
    expect(route(options)).toThrow(TypeError)
    expect(route(options)).toThrow(message)
  })
})

describe('inputs and dependencies with unknown options', () => {
  test.each([
    [() => Query(z.string(), loose({ aliass: 'q' })), 'Query(): unknown option `aliass`'],
    [() => Path(z.string(), loose({ alais: 'q' })), 'Path(): unknown option `alais`'],
    [() => Cookie(z.string(), loose({ convertUnderscores: false })), 'Cookie(): unknown option'],
    [
      () => Header(z.string(), loose({ convert_underscores: false })),
      'Header(): unknown option `convert_underscores`',
    ],
    [() => Body(z.string(), loose({ embedd: true })), 'Body(): unknown option `embedd`'],
    [
      () => Form(z.string(), loose({ multipart: true, alias: 'a', x: 1 })),
      'Form(): unknown option `x`',
    ],
    [
      () => dependency({}, () => 1, loose({ scop: 'function' })),
      'dependency(): unknown option `scop`',
    ],
    [
      () =>
        Depends(
          dependency({}, () => 1),
          loose({ useCache: 'no' }),
        ),
      'Depends(): `useCache` must be a boolean',
    ],
    [
      () =>
        Security(
          dependency({}, () => 1),
          loose({ useCache: 0 }),
        ),
      'Security(): `useCache` must be a boolean',
    ],
  ])('%s', (make, message) => {
    expect(make).toThrow(TypeError)
    expect(make).toThrow(message)
  })

  test('an input over something that is no Zod schema, and include() of no router', () => {
    expect(() => Query(loose(String))).toThrow('Query(): the first argument must be a Zod schema')
    expect(() => Body(loose({ name: 'string' }))).toThrow('Body(): the first argument must be')
    expect(() => new Gatehouse().include(loose({}))).toThrow(
      "include: give a Router (new Router()) or an authorization server's router",
    )
  })

  test('the options they know are still taken', () => {
    expect(() => Header(z.string(), { alias: 'x-a', convertUnderscores: false })).not.toThrow()
    expect(() => Body(z.string(), { embed: true, alias: 'b', description: 'd' })).not.toThrow()
    expect(() => dependency({}, () => 1, { name: 'n', scope: 'function' })).not.toThrow()
  })
})

describe('Security() scopes that nothing below reads', () => {
  const plain = dependency({}, function loadUser() {
    return { name: 'ada' }
  })
  test('are refused at registration, naming the route: it would answer without a token', () => {
    const app = new Gatehouse()
    expect(() =>
      app.get('/x', { inputs: { user: Security(plain, { scopes: ['admin'] }) } }, () => 'open'),
    ).toThrow(
      'GET /x: Security("loadUser", { scopes: ["admin"] }) requires scopes, but nothing below it reads them',
    )
  })

  test('a scheme or SecurityScopes below takes them; so do overrides of such a tree', async () => {
    const scheme = new OAuth2PasswordBearer({ tokenUrl: '/token', scopes: { admin: 'Admin' } })
    const viaScheme = dependency({ token: scheme }, ({ token }) => token)
    const viaScopes = dependency({ scopes: SecurityScopes }, ({ scopes }) => scopes.scopes)
    const app = new Gatehouse()
    app.get('/a', { inputs: { t: Security(viaScheme, { scopes: ['admin'] }) } }, ({ t }) => t)
    app.get('/b', { inputs: { s: Security(viaScopes, { scopes: ['admin'] }) } }, ({ s }) => s)
    app.get('/c', { inputs: { s: Security(scheme, { scopes: ['admin'] }) } }, () => 'ok')
    // A test replacing the user loader with a plain fake reads no scopes, and must still work.
    app.dependencyOverrides.set(
      viaScheme,
      dependency({}, () => 'fake'),
    )
    const answer = await app.request('/a')
    expect(answer.status).toBe(200)
    expect(await answer.json()).toBe('fake')
  })
})

describe('serving, shutting down and mounting', () => {
  test('serve() refuses what is not an app, and timers Node would cut to 1 ms', async () => {
    await expect(serve(loose({}))).rejects.toThrow(
      'serve: give a Gatehouse app or anything with a fetch(request) method',
    )
    await expect(serve(new Gatehouse(), { drainTimeout: 3e9, port: 0 })).rejects.toThrow(
      'serve: `drainTimeout` must be a non-negative integer of milliseconds up to 2^31 - 1',
    )
    await expect(serve(new Gatehouse(), { keepAliveTimeout: 2 ** 31, port: 0 })).rejects.toThrow(
      '`keepAliveTimeout`',
    )
  })

  test('shutdown() refuses an unknown option and a drainTimeout over 2^31 - 1 ms', async () => {
    await expect(new Gatehouse().shutdown(loose({ drain_timeout: 5 }))).rejects.toThrow(
      'shutdown: unknown option `drain_timeout`',
    )
    await expect(new Gatehouse().shutdown({ drainTimeout: 3e9 })).rejects.toThrow('up to 2^31 - 1')
  })

  test('a mount at or above a documentation page is refused, naming the page', () => {
    const app = new Gatehouse()
    const other = { fetch: () => new Response('mounted') }
    expect(() => app.mount('/docs', other)).toThrow(
      'mount /docs: the path /docs is taken by `docsUrl`',
    )
    expect(() => app.mount('/openapi.json', other)).toThrow('taken by `openapiUrl`')
    expect(() => app.mount('/redoc', other)).toThrow('taken by `redocUrl`')
    expect(() => app.mount('/static', other)).not.toThrow()
    expect(() => app.mount('/', other)).not.toThrow()
    const quiet = new Gatehouse({ docsUrl: null, redocUrl: null })
    expect(() => quiet.mount('/docs', other)).not.toThrow()
  })
})

describe('factories with unknown options', () => {
  const folder = mkdtempSync(join(tmpdir(), 'gatehouse-setup-'))
  afterAll(() => rmSync(folder, { recursive: true, force: true }))

  test.each([
    [
      () => createPasswordHasher(loose({ max_queue: 4 })),
      'createPasswordHasher: unknown option `max_queue`',
    ],
    [
      () => createJWTCodec(loose({ secret: 'x'.repeat(32), algorith: 'RS256' })),
      'createJWTCodec: unknown option `algorith`',
    ],
    [
      () => createJWTCodec({ secret: 'x'.repeat(32), clockTolerance: 1e9 }),
      '"clockTolerance" must be a number of seconds from 0 to 600',
    ],
    [
      () =>
        mountProtectedResourceMetadata(
          new Gatehouse(),
          loose({ resource: 'https://api.example.com', authorization_servers: [] }),
        ),
      'mountProtectedResourceMetadata: unknown option `authorization_servers`',
    ],
  ])('%s', (make, message) => {
    expect(make).toThrow(TypeError)
    expect(make).toThrow(message)
  })

  test('codec.sign() refuses an unknown option (expires_in kept tokens 30 minutes)', async () => {
    const codec = createJWTCodec({ secret: 'x'.repeat(32) })
    await expect(codec.sign({ sub: 'a' }, loose({ expires_in: 60 }))).rejects.toThrow(
      'sign: unknown option `expires_in`',
    )
  })

  test('the stores refuse unknown options before opening anything', async () => {
    const file = join(folder, 'a.db')
    await expect(openSQLiteStore(file, loose({ busy_timeout: 1 }))).rejects.toThrow(
      'openSQLiteStore: unknown option `busy_timeout`',
    )
    await expect(openStore(file, loose({ sqlit: {} }))).rejects.toThrow(
      'openStore: unknown option `sqlit`',
    )
    await expect(
      openStore('postgres://u@127.0.0.1:1/db', loose({ postgres: { pool: 1 } })),
    ).rejects.toThrow('openPostgresStore: unknown option `pool`')
  })
})

describe('text inputs no request could satisfy', () => {
  test.each([
    [
      { t: Query(z.tuple([z.string(), z.number()])) },
      'input "t": a z.tuple() cannot be read from the query',
    ],
    [
      { r: Query(z.record(z.string(), z.string())) },
      'input "r": a z.record() cannot be read from the query',
    ],
    [{ f: Form(z.tuple([z.string()])) }, 'input "f": a z.tuple() cannot be read from a form'],
    [{ h: Header(z.tuple([z.string()]).optional()) }, 'a z.tuple() cannot be read from the header'],
    [
      { m: Query(z.object({ pair: z.tuple([z.string(), z.string()]) })) },
      'input "m.pair": a z.tuple() cannot be read from the query',
    ],
  ])('%o is refused at registration', (inputs, message) => {
    const app = new Gatehouse()
    expect(() => app.post('/x', { inputs: inputs as never }, () => null)).toThrow(message)
  })

  test('lists and models are still taken', () => {
    const app = new Gatehouse()
    expect(() =>
      app.get(
        '/x',
        { inputs: { tags: Query(z.array(z.string())), page: Query(z.object({ n: z.number() })) } },
        () => null,
      ),
    ).not.toThrow()
  })
})

// Mistakes only a request can reveal: answered as a logged 500 naming them, through both engines.
function createApp() {
  const errors: string[] = []
  const app = new Gatehouse({
    logger: { error: (message, error) => errors.push(`${message}: ${String(error)}`) },
  })
  app.get('/bytes', {}, () => new Uint8Array([1, 2, 3]))
  app.get('/buffer', {}, () => new ArrayBuffer(2))
  app.get('/cookie', { inputs: { response: Response } }, ({ response }) => {
    response.setCookie('a', '1', loose({ sameSite: 'bogus' }))
    return 'set'
  })
  app.get('/cookie-case', { inputs: { response: Response } }, ({ response }) => {
    response.setCookie('a', '1', loose({ sameSite: 'Strict' }))
    return 'set'
  })
  app.get('/cookie-typo', { inputs: { response: Response } }, ({ response }) => {
    response.setCookie('a', '1', loose({ max_age: 60 }))
    return 'set'
  })
  app.get('/delete-typo', { inputs: { response: Response } }, ({ response }) => {
    response.deleteCookie('a', loose({ pth: '/x' }))
    return 'deleted'
  })
  app.get('/delete-partitioned', { inputs: { response: Response } }, ({ response }) => {
    // The options it was set with, lifetime included (ignored), as a logout passes them on.
    response.deleteCookie('a', { partitioned: true, maxAge: 3600, path: '/' })
    return 'deleted'
  })
  return { app, errors }
}
const served = createApp()

describeEngines('answers that would have been mangled', served.app, (send) => {
  test.each(['/bytes', '/buffer'])(
    '%s: bytes returned as data are a logged 500, not {"0":1}',
    async (path) => {
      const before = served.errors.length
      const response = await send(path)
      expect(response.status).toBe(500)
      expect(await response.json()).toEqual({ detail: 'Internal Server Error' })
      expect(served.errors.length).toBe(before + 1)
    },
  )

  test('setCookie with an unknown sameSite or option is a logged 500 saying which', async () => {
    for (const path of ['/cookie', '/cookie-typo']) {
      const response = await send(path)
      expect(response.status, path).toBe(500)
      expect(response.headers.get('set-cookie'), path).toBeNull()
    }
    const before = served.errors.length
    const typo = await send('/delete-typo')
    expect(typo.status).toBe(500)
    expect(typo.headers.get('set-cookie')).toBeNull()
    expect(served.errors.slice(before).join('\n')).toContain('deleteCookie: unknown option `pth`')
    // A partitioned cookie is deleted within its partition.
    const partitioned = await send('/delete-partitioned')
    expect(partitioned.headers.get('set-cookie')).toMatch(/^a=; .*Max-Age=0.*; Partitioned$/)
    // In any case, as Starlette takes it.
    const cased = await send('/cookie-case')
    expect(cased.status).toBe(200)
    expect(cased.headers.get('set-cookie')).toContain('SameSite=Strict')
  })
})
