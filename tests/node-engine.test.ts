import { request as httpRequest } from 'node:http'
import { Body, Gatehouse } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as z from 'zod'
import { captureLogger, startServer } from './helpers/http.js'

const app = new Gatehouse({ logger: captureLogger(), bodyLimit: 64 })
app.get('/cookies', {}, () => {
  const headers = new Headers({ 'content-type': 'text/plain' })
  headers.append('set-cookie', 'a=1; Path=/')
  headers.append('set-cookie', 'b=2; Path=/')
  const stream = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('chunk-1 '))
      controller.enqueue(new TextEncoder().encode('chunk-2'))
      controller.close()
    },
  })
  return new Response(stream, { status: 202, headers })
})
app.post(
  '/echo',
  { inputs: { request: Request, item: Body(z.object({ name: z.string() })) } },
  ({ request, item }) => ({ method: request.method, url: new URL(request.url).pathname, item }),
)
app.post('/raw', { inputs: { request: Request } }, async ({ request }) => ({
  text: await request.text(),
  type: request.headers.get('content-type'),
}))
app.get('/small', {}, () => ({ ok: true }))

let server: Awaited<ReturnType<typeof startServer>>
beforeAll(async () => {
  server = await startServer(app)
})
afterAll(() => server.close())

describe('the native Node engine behind serve()', () => {
  test('a handler Response passes through: status, every Set-Cookie, streamed body', async () => {
    const response = await server.send('/cookies')
    expect(response.status).toBe(202)
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/'])
    expect(await response.text()).toBe('chunk-1 chunk-2')
  })

  test('a Request input and a Body input on one route both see the request', async () => {
    const response = await server.send('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    })
    expect(await response.json()).toEqual({ method: 'POST', url: '/echo', item: { name: 'x' } })
  })

  test('a handler can read the raw Request body itself', async () => {
    const response = await server.send('/raw', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    })
    expect(await response.json()).toEqual({ text: 'hello', type: 'text/plain' })
  })

  test('HEAD answers headers with Content-Length and no body', async () => {
    const head = await new Promise<{
      status: number | undefined
      length: string | undefined
      body: string
    }>((resolve) => {
      const req = httpRequest(`${server.url}/small`, { method: 'HEAD' }, (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString()
        })
        res.on('end', () =>
          resolve({ status: res.statusCode, length: res.headers['content-length'], body }),
        )
      })
      req.end()
    })
    expect(head).toEqual({ status: 200, length: '11', body: '' })
  })

  test('a body refused for its size closes the connection after the 413', async () => {
    const response = await server.send('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(200) }),
    })
    expect(response.status).toBe(413)
    expect(response.headers.get('connection')).toBe('close')
  })

  test('routes added after the server started are served', async () => {
    app.get('/late', {}, () => ({ late: true }))
    expect(await (await server.send('/late')).json()).toEqual({ late: true })
  })

  test('the docs pages are served through the same listener', async () => {
    const response = await server.send('/docs')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/html')
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'")
  })
})
