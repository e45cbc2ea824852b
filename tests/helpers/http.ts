import { type Fetchable, type RunningServer, serve } from 'gatehouse'

/** Sends one request to an app, the way a test client does: a path plus optional `RequestInit`. */
export type Send = (path: string, init?: RequestInit) => Promise<Response>

/** A way of reaching an app: in-process through `app.request`, or over real HTTP. */
export interface Transport {
  readonly name: string
  /** Start serving `app` (if needed) and return a sender plus a function that stops it. */
  open(app: Fetchable & { request(path: string, init?: RequestInit): Promise<Response> }): Promise<{
    send: Send
    close(): Promise<void>
  }>
}

/**
 * Start `app` on Node's HTTP server on 127.0.0.1 with a free port and return it, with a `send`
 * that resolves paths against its URL. Always `close()` it (an `afterAll` does).
 */
export async function startServer(app: Fetchable): Promise<RunningServer & { send: Send }> {
  const server = await serve(app, { port: 0, hostname: '127.0.0.1' })
  const send: Send = (path, init) => fetch(`${server.url}${path}`, { redirect: 'manual', ...init })
  return Object.assign(server, { send })
}

/** In-process: `app.request`, no sockets. */
export const inProcess: Transport = {
  name: 'in-process',
  async open(app) {
    return { send: (path, init) => app.request(path, init), close: async () => {} }
  },
}

/** A real Node server on 127.0.0.1, reached with `fetch` (redirects are not followed). */
export const nodeServer: Transport = {
  name: 'node-server',
  async open(app) {
    const server = await startServer(app)
    return { send: server.send, close: () => server.close() }
  },
}

/** Both transports, for `describe.each(transports)` (h3's "run every suite both ways"). */
export const transports: readonly Transport[] = [inProcess, nodeServer]

/** A logger that records instead of printing; `calls` holds `[message, error]` pairs. */
export function captureLogger(): {
  error(message: string, error: unknown): void
  calls: unknown[][]
} {
  const calls: unknown[][] = []
  return { calls, error: (message, error) => void calls.push([message, error]) }
}
