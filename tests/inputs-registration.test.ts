import { Body, Cookie, dependency, Gatehouse, Header, Path } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'

// Set-up mistakes that could only fail per request (or never be used) are refused at registration.
describe('set-up mistakes throw at registration, naming the route', () => {
  test.each(['a b', 'a:b', 'x\u00e9', ''])('a Header alias %j', (alias) => {
    const app = new Gatehouse()
    expect(() =>
      app.get('/h', { inputs: { h: Header(z.string(), { alias }) } }, () => 'never'),
    ).toThrow(
      new TypeError(
        `GET /h: Header name ${JSON.stringify(alias)} is not a valid header name (RFC 9110 token characters only)`,
      ),
    )
  })

  test.each(['a;b', 'a b', 'a=b', 'a,b'])('a Cookie alias %j', (alias) => {
    const app = new Gatehouse()
    expect(() =>
      app.get('/c', { inputs: { c: Cookie(z.string(), { alias }) } }, () => 'never'),
    ).toThrow(/^GET \/c: Cookie name .* is not a valid cookie name/)
  })

  test.each(['text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded'])(
    'a Body with mediaType %j, which is never read (a JSON body is; others are 415)',
    (mediaType) => {
      const app = new Gatehouse()
      expect(() =>
        app.post('/b', { inputs: { b: Body(z.string(), { mediaType }) } }, () => 'never'),
      ).toThrow(/^POST \/b: Body "b": `mediaType` ".*" is not JSON, and a Body is read as JSON/)
    },
  )

  test('a Body with a JSON mediaType registers', () => {
    const app = new Gatehouse()
    for (const [path, mediaType] of [
      ['/a', 'application/json'],
      ['/v', 'application/vnd.api+json'],
    ])
      app.post(path as string, { inputs: { b: Body(z.string(), { mediaType }) } }, () => 'ok')
    expect(app.routes).toHaveLength(2)
  })

  test('a header model field that is not a token, also inside a dependency', () => {
    const app = new Gatehouse()
    const dep = dependency({ h: Header(z.object({ 'a b': z.string() })) }, ({ h }) => h)
    expect(() => app.get('/m', { inputs: { d: dep } }, () => 'never')).toThrow(
      /^GET \/m in dependency "d": Header name "a b"/,
    )
  })

  test('valid names register: tokens, underscores kept with convertUnderscores: false', () => {
    const app = new Gatehouse()
    app.get(
      '/ok',
      {
        inputs: {
          a: Header(z.string(), { alias: 'X-Request-ID' }),
          b: Header(z.string(), { convertUnderscores: false }),
          c: Cookie(z.string(), { alias: 'session.id' }),
        },
      },
      () => 'ok',
    )
  })

  test.each([204, 304])('status %d with a response model', (status) => {
    const app = new Gatehouse()
    expect(() =>
      app.delete('/items', { status, response: z.object({ ok: z.boolean() }) }, () => ({
        ok: true,
      })),
    ).toThrow(`DELETE /items: \`status: ${status}\` has no body, so it takes no \`response\` model`)
    app.delete('/other', { status }, () => undefined)
  })

  test.each([
    ['optional', z.string().optional()],
    ['default', z.number().default(1)],
  ])('a Path() schema with .%s()', (_kind, schema) => {
    const app = new Gatehouse()
    expect(() => app.get('/items/{id}', { inputs: { id: Path(schema) } }, () => 'never')).toThrow(
      'GET /items/{id}: Path input "id" is always required: remove its .optional() or .default()',
    )
  })
})
