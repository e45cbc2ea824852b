import { Gatehouse, Header, Query, serve } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'
import { describeEngines } from './helpers/http.js'

function createEchoApp() {
  const app = new Gatehouse()
  app.route(
    'POST',
    '/echo',
    {
      inputs: {
        request: Request,
        q: Query(z.string().optional()),
        auth: Header(z.string().optional(), { alias: 'authorization' }),
      },
    },
    async ({ request, q, auth }) => ({
      url: request.url,
      method: request.method,
      q,
      auth,
      body: await request.text(),
    }),
  )
  app.get('/hello', {}, () => 'hello')
  return app
}

describeEngines('a request through either engine', createEchoApp(), (send) => {
  test('method, query, headers and body reach the handler as sent', async () => {
    const res = await send('/echo?q=1', {
      method: 'POST',
      body: 'payload',
      headers: { authorization: 'Bearer abc' },
    })
    const echoed = await res.json()
    expect(new URL(echoed.url).pathname + new URL(echoed.url).search).toBe('/echo?q=1')
    expect(echoed).toMatchObject({ method: 'POST', q: '1', auth: 'Bearer abc', body: 'payload' })
  })

  test('a GET is answered by GET routes only', async () => {
    expect(await (await send('/hello')).json()).toBe('hello')
    expect((await send('/echo')).status).toBe(405)
  })
})

describe('app.request (the test client)', () => {
  test('a path is resolved against http://localhost and RequestInit is applied', async () => {
    const app = createEchoApp()
    const res = await app.request('/echo?q=1', {
      method: 'POST',
      body: 'payload',
      headers: { authorization: 'Bearer abc' },
    })
    expect(await res.json()).toEqual({
      url: 'http://localhost/echo?q=1',
      method: 'POST',
      q: '1',
      auth: 'Bearer abc',
      body: 'payload',
    })
  })

  test('a full URL string or URL object is used as it is', async () => {
    const app = createEchoApp()
    const fromString = await app.request('https://api.example.com/echo?q=s', { method: 'POST' })
    expect((await fromString.json()).url).toBe('https://api.example.com/echo?q=s')
    const fromURL = await app.request(new URL('http://example.org/echo'), { method: 'POST' })
    expect((await fromURL.json()).url).toBe('http://example.org/echo')
  })

  test('a Request is sent as it is, or with init overriding its fields', async () => {
    const app = createEchoApp()
    const request = new Request('http://localhost/echo?q=r', { method: 'POST', body: 'one' })
    expect(await (await app.request(request)).json()).toMatchObject({ q: 'r', body: 'one' })
    const overridden = new Request('http://localhost/echo', { method: 'POST' })
    const res = await app.request(overridden, { headers: { authorization: 'Basic x' } })
    expect(await res.json()).toMatchObject({ auth: 'Basic x', method: 'POST' })
  })

  test('without init it is a GET', async () => {
    const app = createEchoApp()
    expect(await (await app.request('/hello')).json()).toBe('hello')
    expect((await app.request('/echo')).status).toBe(405)
  })
})

describe('app.fetch', () => {
  test('is a bound Web standard handler', async () => {
    const { fetch } = createEchoApp()
    const res = await fetch(new Request('http://localhost/hello'))
    expect(res).toBeInstanceOf(Response)
    expect(await res.json()).toBe('hello')
  })
})

describe('serve', () => {
  test('listens on 127.0.0.1 by default with port 0 picking a free port, and closes', async () => {
    const server = await serve(createEchoApp(), { port: 0 })
    try {
      expect(server.port).toBeGreaterThan(0)
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
      const res = await fetch(`${server.url}/echo?q=net`, { method: 'POST', body: 'over http' })
      expect(await res.json()).toMatchObject({
        url: `${server.url}/echo?q=net`,
        q: 'net',
        body: 'over http',
      })
    } finally {
      await server.close()
    }
    await expect(fetch(`${server.url}/hello`)).rejects.toThrow()
  })

  test('serves any object with a fetch method', async () => {
    const server = await serve({ fetch: () => new Response('plain') }, { port: 0 })
    try {
      expect(await (await fetch(server.url)).text()).toBe('plain')
    } finally {
      await server.close()
    }
  })

  test('rejects when the port is taken', async () => {
    const first = await serve(createEchoApp(), { port: 0 })
    try {
      await expect(serve(createEchoApp(), { port: first.port })).rejects.toThrow(/EADDRINUSE/)
    } finally {
      await first.close()
    }
  })
})
