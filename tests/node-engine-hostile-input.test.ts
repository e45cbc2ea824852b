import { Body, Gatehouse, Query, type RunningServer, serve } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger } from './helpers/http.js'
import { rawRequest } from './helpers/raw-http.js'

const SECRET = 'tok3n-s3cret'

describe('hostile requests to serve()', () => {
  let server: RunningServer
  const logger = captureLogger()
  const printed: unknown[] = []
  const originalError = console.error
  beforeAll(async () => {
    console.error = (...args: unknown[]) => void printed.push(args)
    const app = new Gatehouse({ logger })
    app.get('/users/me/', { inputs: { q: Query(z.string().optional()) } }, ({ q }) => ({ q }))
    app.post(
      '/items/',
      { inputs: { item: Body(z.object({ name: z.string() })) } },
      ({ item }) => item,
    )
    server = await serve(app, { port: 0, signals: false })
  })
  afterAll(async () => {
    console.error = originalError
    await server.close()
  })

  const send = (head: string) => rawRequest(server.port, head)

  test.each([
    ['a Host with a space', `GET /nope?access_token=${SECRET} HTTP/1.1\r\nHost: a b\r\n\r\n`],
    ['an unclosed IPv6 Host', `GET /docs?access_token=${SECRET} HTTP/1.1\r\nHost: [\r\n\r\n`],
    ['two Host headers', `GET /users/me/ HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n`],
    ['no Host in HTTP/1.1', 'GET /users/me/ HTTP/1.1\r\n\r\n'],
    ['the asterisk target', 'GET * HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['an authority-form target', 'GET example.com:80 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a malformed absolute target', 'GET http://[/x HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a broken request line', 'GET /a b c\r\n\r\n'],
    ['a header without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n'],
  ])('%s answers 400, with nothing of the request logged', async (_name, head) => {
    const answer = await send(head)
    expect(answer.status).toBe(400)
    expect(answer.body).not.toContain(SECRET)
    expect(logger.calls).toEqual([])
    expect(printed).toEqual([])
  })

  test('TRACE and unknown methods on any path are 404 or 405, never 500', async () => {
    expect((await send('TRACE /nope HTTP/1.1\r\nHost: x\r\n\r\n')).status).toBe(404)
    const known = await send('TRACE /users/me/ HTTP/1.1\r\nHost: x\r\n\r\n')
    expect(known.status).toBe(405)
    expect(known.headers.allow).toBe('GET, HEAD')
    expect((await send('PROPFIND /users/me/ HTTP/1.1\r\nHost: x\r\n\r\n')).status).toBe(405)
    expect(logger.calls).toEqual([])
  })

  test('the 307 slash redirect is relative, whatever the Host says', async () => {
    const answer = await send(
      `GET /users/me?access_token=${SECRET} HTTP/1.1\r\nHost: evil.example\r\n\r\n`,
    )
    expect(answer.status).toBe(307)
    expect(answer.headers.location).toBe(`/users/me/?access_token=${SECRET}`)
  })

  test('an absolute-form target routes by its path', async () => {
    const answer = await send(
      'GET http://any.example/users/me/?q=x HTTP/1.1\r\nHost: any.example\r\n\r\n',
    )
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toEqual({ q: 'x' })
  })

  test('a client that leaves mid-body is not an error worth logging', async () => {
    const { connect } = await import('node:net')
    const socket = connect(server.port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(
      'POST /items/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na',
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    socket.destroy()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(logger.calls).toEqual([])
    expect(printed).toEqual([])
  })
})

describe('fuzzed requests', () => {
  test('300 mutated requests through serve() and app.fetch: none answers 5xx or logs anything', async () => {
    const logger = captureLogger()
    const app = new Gatehouse({ logger })
    app.get(
      '/items/{id}',
      { inputs: { id: z.number(), q: Query(z.string().max(5).optional()) } },
      ({ id }) => ({ id }),
    )
    app.post(
      '/items/',
      { inputs: { item: Body(z.object({ name: z.string() })) } },
      ({ item }) => item,
    )
    const server = await serve(app, { port: 0, signals: false })
    // A small deterministic generator, so a failure can be replayed.
    let seed = 20261201
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
    const junk = () =>
      Array.from({ length: Math.floor(random() * 12) }, () =>
        pick([
          '%',
          '%zz',
          '..',
          '/',
          '\\',
          '?',
          '#',
          '[',
          ']',
          '{',
          '}',
          ';',
          'é',
          '%00',
          '%2e',
          'a',
          '1',
          '&',
          '=',
        ]),
      ).join('')
    try {
      for (let i = 0; i < 300; i++) {
        const method = pick([
          'GET',
          'POST',
          'HEAD',
          'PUT',
          'DELETE',
          'OPTIONS',
          'TRACE',
          'PATCH',
          'X-CUSTOM',
        ])
        const path =
          pick(['/items/', '/items/1', '/items/x', '/docs', '/openapi.json', '/']) + junk()
        const headers = [`Host: ${pick(['x', 'a:1', '127.0.0.1', '[::1]', 'ex.com:99999'])}`]
        if (random() < 0.5)
          headers.push(
            `Content-Type: ${pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json, text/plain', ''])}`,
          )
        if (random() < 0.3)
          headers.push(`Authorization: ${pick(['Bearer a', 'Bearer', 'Basic !!', 'x'])}`)
        const body = pick([
          '',
          '{"name":"a"}',
          '{"name":',
          'name=a',
          '--x\r\n\r\n',
          '[]',
          'null',
          '\u0000',
        ])
        headers.push(`Content-Length: ${Buffer.byteLength(body)}`)
        const raw = `${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n${method === 'HEAD' ? '' : body}`
        const answer = await rawRequest(server.port, raw)
        expect(answer.status, raw).toBeGreaterThanOrEqual(200)
        expect(answer.status, raw).toBeLessThan(500)
        if (/^[A-Z]+ \/[!-~]*$/.test(`${method} ${path}`) && !path.includes('#')) {
          const url = `http://localhost${path}`
          let request: Request | undefined
          try {
            request = new Request(url, {
              method: method === 'TRACE' ? 'GET' : method,
              ...(method === 'GET' || method === 'HEAD' || method === 'TRACE' ? {} : { body }),
            })
          } catch {
            request = undefined
          }
          if (request) expect((await app.fetch(request)).status, url).toBeLessThan(500)
        }
      }
      expect(logger.calls).toEqual([])
    } finally {
      await server.close()
    }
  }, 60_000)
})
