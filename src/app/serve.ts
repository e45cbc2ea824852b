import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'

/** Anything with a Web standard `fetch` handler, such as a {@link Gatehouse} app. */
export interface Fetchable {
  fetch(request: Request): Response | Promise<Response>
  /** A native `node:http` listener, used instead of `fetch` when present (Gatehouse apps have one). */
  nodeListener?(): (incoming: IncomingMessage, outgoing: ServerResponse) => void
}

export interface ServeOptions {
  /** Default 8000; 0 picks a free port. */
  port?: number
  /** Default `127.0.0.1`. */
  hostname?: string
}

/** A running server. */
export interface RunningServer {
  readonly port: number
  readonly url: string
  /** Stop accepting connections, end idle keep-alive ones, and wait for the rest to finish. */
  close(): Promise<void>
}

/**
 * Serve an app on Node's HTTP server and resolve once it is listening. Gatehouse apps are served
 * through their native Node listener; any other `fetch` handler through `@hono/node-server`.
 * @example const server = await serve(app, { port: 8000 })
 */
export function serve(app: Fetchable, options: ServeOptions = {}): Promise<RunningServer> {
  const hostname = options.hostname ?? '127.0.0.1'
  const listener = app.nodeListener
    ? app.nodeListener()
    : getRequestListener((request: Request) => app.fetch(request))
  const server = createServer(listener)
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 8000, hostname, () => {
      server.off('error', reject)
      const info = server.address() as AddressInfo
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address
      resolve({
        port: info.port,
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error?: Error) => (error ? fail(error) : done()))
            server.closeIdleConnections()
          }),
      })
    })
  })
}
