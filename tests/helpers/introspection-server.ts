import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** How the endpoint answers: normally, never, with 503, with garbage, or without `active`. */
export type IntrospectionMode = 'ok' | 'hang' | 'error' | 'garbage' | 'no-active'

/**
 * A small RFC 7662 introspection endpoint on 127.0.0.1 for tests: it authenticates its one client
 * (HTTP Basic or form), answers from a table of tokens, and counts what it was asked.
 */
export interface TestIntrospection {
  readonly endpoint: string
  readonly clientId: string
  readonly clientSecret: string
  /** Token → the answer for it when active; tokens not listed (or revoked) are `active: false`. */
  readonly tokens: Map<string, Record<string, unknown>>
  mode: IntrospectionMode
  /** Milliseconds to wait before answering. */
  delay: number
  /** Requests received, and how each authenticated (`basic`, `post`, or `none`). */
  readonly requests: { auth: string; token: string | null; hint: string | null }[]
  close(): Promise<void>
}

export async function startIntrospection(): Promise<TestIntrospection> {
  const clientId = 'orders api'
  const clientSecret = `s3cr:t ${Math.random().toString(36).slice(2)}`
  const expectedBasic = `Basic ${Buffer.from(
    `${encodeURIComponent(clientId).replace(/%20/g, '+')}:${encodeURIComponent(clientSecret).replace(/%20/g, '+')}`,
  ).toString('base64')}`
  const server = createServer((request, response) => {
    let body = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => {
      body += chunk
    })
    request.on('end', () => {
      const form = new URLSearchParams(body)
      const basic = request.headers.authorization
      const auth =
        basic === expectedBasic
          ? 'basic'
          : form.get('client_id') === clientId && form.get('client_secret') === clientSecret
            ? 'post'
            : 'none'
      state.requests.push({ auth, token: form.get('token'), hint: form.get('token_type_hint') })
      const json = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' })
        response.end(typeof value === 'string' ? value : JSON.stringify(value))
      }
      const answer = () => {
        if (request.method !== 'POST' || request.url !== '/introspect')
          return json(404, { detail: 'Not Found' })
        if (auth === 'none') return json(401, { error: 'invalid_client' })
        if (state.mode === 'hang') return
        if (state.mode === 'error') return json(503, { error: 'temporarily_unavailable' })
        if (state.mode === 'garbage') return json(200, '<html>')
        const known = state.tokens.get(form.get('token') ?? '')
        if (state.mode === 'no-active') return json(200, { ...known })
        return json(200, known ? { active: true, ...known } : { active: false })
      }
      setTimeout(answer, state.delay)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const state: TestIntrospection = {
    endpoint: `http://127.0.0.1:${port}/introspect`,
    clientId,
    clientSecret,
    tokens: new Map(),
    mode: 'ok',
    delay: 0,
    requests: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
  return state
}
