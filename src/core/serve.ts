import type { AddressInfo } from 'node:net'
import { serve as serveNode } from '@hono/node-server'

/** Anything with a Web standard `fetch` handler, such as a {@link Gatehouse} app. */
export interface Fetchable {
  fetch(request: Request): Response | Promise<Response>
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
 * Serve an app on Node's HTTP server and resolve once it is listening.
 * @example const server = await serve(app, { port: 8000 })
 */
export function serve(app: Fetchable, options: ServeOptions = {}): Promise<RunningServer> {
  const hostname = options.hostname ?? '127.0.0.1'
  return new Promise((resolve, reject) => {
    const server = serveNode(
      { fetch: (request: Request) => app.fetch(request), port: options.port ?? 8000, hostname },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address
        resolve({
          port: info.port,
          url: `http://${host}:${info.port}`,
          close: () =>
            new Promise<void>((done, fail) => {
              server.close((error?: Error) => (error ? fail(error) : done()))
              if ('closeIdleConnections' in server) server.closeIdleConnections()
            }),
        })
      },
    )
    server.once('error', reject)
  })
}
