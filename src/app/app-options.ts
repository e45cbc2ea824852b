import type { IncomingMessage, ServerResponse } from 'node:http'
import type { InputLike } from '../core/declare/dependency.js'
import type { Logger } from '../core/run/respond.js'
import type { OpenAPIInfo } from '../openapi/document.js'
import type { Lifespan } from './lifespan.js'

/** Settings of a {@link Gatehouse} app. Every URL may be `null` to turn that page off. */
export interface AppOptions<S = undefined> {
  title?: string | undefined
  version?: string | undefined
  description?: string | undefined
  summary?: string | undefined
  servers?: OpenAPIInfo['servers'] | undefined
  /** Descriptions for tags, listed in this order in the docs. */
  openapiTags?: OpenAPIInfo['tags'] | undefined
  /** Default `/openapi.json`; `null` disables it and the docs pages. */
  openapiUrl?: string | null | undefined
  /** Swagger UI; default `/docs`. */
  docsUrl?: string | null | undefined
  /** ReDoc; default `/redoc` (it needs the optional `redoc` package: `npm install redoc`). */
  redocUrl?: string | null | undefined
  /** Swagger UI's OAuth2 redirect page; default `/docs/oauth2-redirect`. */
  swaggerUiOAuth2RedirectUrl?: string | null | undefined
  swaggerUiParameters?: Record<string, unknown> | undefined
  swaggerUiInitOAuth?: Record<string, unknown> | undefined
  /**
   * Origins the docs pages may send requests to besides the ones the document names (its OAuth2
   * token URLs, OpenID Connect discovery, absolute `servers`), added to their `connect-src`: the
   * token endpoint an OpenID Connect discovery document names on another host
   * (`['https://oauth2.googleapis.com']` for Google's).
   */
  docsConnectOrigins?: readonly string[] | undefined
  /**
   * The path a proxy strips before forwarding (`/api/v1`), FastAPI's `root_path`: the docs load the
   * OpenAPI document from under it, the document's `servers` name it, and redirects keep it.
   */
  rootPath?: string | undefined
  /** Start-up and shut-down; what it yields is `app.state`. See {@link Lifespan}. */
  lifespan?: Lifespan<S> | undefined
  /** Run before every route's own dependencies. */
  dependencies?: readonly InputLike[] | undefined
  /** Largest accepted request body in bytes; default 1 MiB. Larger bodies get 413. */
  bodyLimit?: number | undefined
  /** Redirect `/items` to `/items/` (and back) with 307 when only the other form exists. Default true. */
  redirectSlashes?: boolean | undefined
  /** Where unexpected errors are reported; default `console.error`. */
  logger?: Logger | undefined
}

/** How a shut-down waits for the requests in flight. */
export interface ShutdownOptions {
  /**
   * Milliseconds to wait for the requests in flight, their background tasks and cleanups
   * included, before the tear-down runs anyway (what is left is logged as abandoned); default
   * 10,000. `serve()`'s `close()` gives what is left of its own `drainTimeout`.
   */
  drainTimeout?: number | undefined
}

/** Anything with a Web standard `fetch` handler that can be mounted or served. */
export interface Fetchable {
  fetch(request: Request): Response | Promise<Response>
  /** A native `node:http` listener, used instead of `fetch` when present (Gatehouse apps have one). */
  nodeListener?(): (incoming: IncomingMessage, outgoing: ServerResponse) => void
  /** Run before serving (a Gatehouse app's lifespan set-up). */
  startup?(): Promise<unknown>
  /** Run after serving (a Gatehouse app's lifespan tear-down, once its requests are over). */
  shutdown?(options?: ShutdownOptions): Promise<void>
}
