import { request as httpRequest } from 'node:http'
import { type Fetchable, type RunningServer, serve } from 'gatehouse'
import { afterAll, beforeAll, describe } from 'vitest'

/**
 * Sends one request to an app, the way a test client does: a path plus optional `RequestInit`.
 * Give headers as `[name, value]` pairs to repeat a name: in-process they reach the app joined
 * into one value, as the Fetch standard joins them; over HTTP they go out as separate lines.
 */
export type Send = (path: string, init?: RequestInit) => Promise<Response>

/** What a transport can serve: a Gatehouse app (`fetch` plus the in-process `request`). */
export type Servable = Fetchable & {
  request(path: string, init?: RequestInit): Promise<Response>
}

/** A way of reaching an app: one of the two engines a Gatehouse app ships. */
export interface Transport {
  /** The engine's name, shown in test titles: `app.fetch` or `serve`. */
  readonly name: string
  /** Start serving `app` (if needed): a sender, the origin paths resolve against, and a stop. */
  open(app: Servable): Promise<{ send: Send; origin: string; close(): Promise<void> }>
}

/** A {@link Send} for one served app, with the origin its paths resolve against. */
export type ServedSend = Send & {
  /** `http://localhost` in-process, `http://127.0.0.1:<port>` over HTTP. */
  readonly origin: string
}

/**
 * Start `app` on Node's HTTP server on 127.0.0.1 with a free port and return it, with a `send`
 * that resolves paths against its URL. Always `close()` it (an `afterAll` does).
 */
export async function startServer(app: Fetchable): Promise<RunningServer & { send: Send }> {
  const server = await serve(app, { port: 0, hostname: '127.0.0.1' })
  const send: Send = (path, init) =>
    needsRawRequest(path, init)
      ? sendRaw(server.url, path, init)
      : fetch(`${server.url}${path}`, { redirect: 'manual', ...init })
  return Object.assign(server, { send })
}

/** The Web engine: `app.request` → `app.fetch` (Hono), in-process, no sockets. */
export const inProcess: Transport = {
  name: 'app.fetch',
  async open(app) {
    return {
      send: (path, init) => app.request(path, init),
      origin: 'http://localhost',
      close: async () => {},
    }
  },
}

/**
 * The Node engine: a real `serve()` server on 127.0.0.1, reached with `fetch` (redirects not
 * followed), or with `node:http` for what `fetch` would rewrite (repeated headers, dot segments).
 */
export const nodeServer: Transport = {
  name: 'serve',
  async open(app) {
    const server = await startServer(app)
    return { send: server.send, origin: server.url, close: () => server.close() }
  },
}

/** Both engines (h3's "run every suite both ways"); {@link describeEngines} iterates them. */
export const transports: readonly Transport[] = [inProcess, nodeServer]

/**
 * Serve `app` through `engine` for the enclosing `describe` block: opened once in `beforeAll`,
 * closed in `afterAll`. The returned `Send` (and its `origin`) work inside that block's tests.
 * @example
 * describeEachEngine('cleanup', (engine) => {
 *   const { app, events } = createCleanupApp()
 *   const send = serveThrough(engine, app)
 *   test('…', async () => expect((await send('/ok')).status).toBe(200))
 * })
 */
export function serveThrough(engine: Transport, app: Servable): ServedSend {
  let opened: Awaited<ReturnType<Transport['open']>> | undefined
  beforeAll(async () => {
    opened = await engine.open(app)
  })
  afterAll(async () => {
    await opened?.close()
    opened = undefined
  })
  const open = () => {
    if (opened === undefined) throw new Error(`${engine.name} is not open: send from a test`)
    return opened
  }
  const send: Send = (path, init) => open().send(path, init)
  return Object.defineProperty(send, 'origin', { get: () => open().origin }) as ServedSend
}

/**
 * `describe` once per engine, titled `<title> (app.fetch)` and `<title> (serve)`; pair it with
 * {@link serveThrough} when each engine needs its own app (state a test inspects).
 * @example
 * describeEachEngine('cleanup', (engine) => {
 *   const { app, events } = createCleanupApp()
 *   const send = serveThrough(engine, app)
 * })
 */
export function describeEachEngine(title: string, body: (engine: Transport) => void): void {
  for (const engine of transports) describe(`${title} (${engine.name})`, () => body(engine))
}

/**
 * Run a suite once per engine, titled `<title> (app.fetch)` and `<title> (serve)`, with one `app`
 * served through that engine for the whole block (opened once, not per test).
 * @example
 * describeEngines('HTTPBearer', app, (send) => {
 *   it('answers 401 without credentials', async () => expect((await send('/me')).status).toBe(401))
 * })
 */
export function describeEngines(
  title: string,
  app: Servable,
  body: (send: ServedSend, engine: Transport) => void,
): void {
  describeEachEngine(title, (engine) => body(serveThrough(engine, app), engine))
}

/**
 * `fetch` would join repeated header names into one line and resolve `.`/`..` segments before
 * sending; a raw client or a proxy does neither, so those requests go out through `node:http`.
 */
function needsRawRequest(path: string, init: RequestInit | undefined): boolean {
  if (/(^|\/)(\.|%2e){1,2}(\/|\?|$)/i.test(path)) return true
  const headers = init?.headers
  if (!Array.isArray(headers)) return false
  const names = headers.map(([name]) => String(name).toLowerCase())
  return new Set(names).size < names.length
}

/** Send a request with its path as written and every header pair as its own line. */
async function sendRaw(base: string, path: string, init: RequestInit = {}): Promise<Response> {
  // Let the Request constructor encode the body and pick its content type, as fetch would.
  const prepared = new Request(`${base}/`, { ...init, method: init.method ?? 'GET' })
  const body = prepared.body === null ? undefined : Buffer.from(await prepared.arrayBuffer())
  const headers: Record<string, string | string[]> = {}
  prepared.headers.forEach((value, name) => {
    headers[name] = value
  })
  const pairs = (Array.isArray(init.headers) ? init.headers : []) as [string, string][]
  for (const [name] of pairs) {
    const key = name.toLowerCase()
    const values = pairs.filter(([other]) => other.toLowerCase() === key).map(([, value]) => value)
    headers[key] = values.length > 1 ? values : (values[0] ?? '')
  }
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { hostname, port, path, method: prepared.method, headers },
      (incoming) => {
        const chunks: Buffer[] = []
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
        incoming.on('error', reject)
        incoming.on('end', () => {
          const status = incoming.statusCode ?? 0
          const answer = new Headers()
          for (let i = 0; i < incoming.rawHeaders.length; i += 2)
            answer.append(incoming.rawHeaders[i] as string, incoming.rawHeaders[i + 1] as string)
          const bodyless = status === 204 || status === 304 || prepared.method === 'HEAD'
          resolve(
            new Response(bodyless ? null : Buffer.concat(chunks), { status, headers: answer }),
          )
        })
      },
    )
    request.on('error', reject)
    request.end(body)
  })
}

/** A logger that records instead of printing; `calls` holds `[message, error]` pairs. */
export function captureLogger(): {
  error(message: string, error: unknown): void
  calls: unknown[][]
} {
  const calls: unknown[][] = []
  return { calls, error: (message, error) => void calls.push([message, error]) }
}
