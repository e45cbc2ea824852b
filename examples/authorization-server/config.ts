import type { RequestView } from 'gatehouse'
import { clientAddressFromEnv } from '../shared/client-address.js'
import { portFromEnv } from '../shared/port.js'

/** Settings of the authorization server example, from the environment. */
export interface AuthorizationServerConfig {
  port: number
  host: string
  /** Passed to `openStore()`: a SQLite file path, a `sqlite:`/`file:` URL or a `postgres://` URL. */
  databaseUrl: string
  /**
   * The public URL the app is reached at (an origin: the API and the docs sit beside the
   * server's endpoints); default `http://{HOST}:{PORT}`.
   */
  issuer: string | undefined
  /** From `CLIENT_ADDRESS_HEADER`: where login throttling reads the client's address. */
  clientAddress: ((request: RequestView) => string | undefined) | undefined
  /**
   * From `ALLOWED_ORIGINS` (comma-separated): browser apps on other origins that may call the
   * token, registration and metadata endpoints and the API (a single-page app, MCP Inspector).
   */
  allowedOrigins: readonly string[] | undefined
}

export function readAuthorizationServerConfig(
  env: NodeJS.ProcessEnv = process.env,
): AuthorizationServerConfig {
  const port = portFromEnv('PORT', env.PORT, 8000)
  const issuer = env.ISSUER ? env.ISSUER.replace(/\/$/, '') : undefined
  if (issuer !== undefined && !/^https?:\/\/[^/?#]+$/.test(issuer))
    throw new Error('ISSUER must be an origin such as https://auth.example.com (no path)')
  // As the URL parser writes it (lower-case host, no default port): the redirect URIs made from
  // it must be written that way too, and the issuer is compared as a string.
  if (issuer !== undefined && URL.canParse(issuer) && new URL(issuer).origin !== issuer)
    throw new Error(
      `ISSUER must be written as ${new URL(issuer).origin} (lower-case host, no default port)`,
    )
  return {
    port,
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || 'authorization-server.db',
    issuer,
    clientAddress: clientAddressFromEnv(env),
    allowedOrigins: allowedOriginsFromEnv(env.ALLOWED_ORIGINS),
  }
}

/**
 * `ALLOWED_ORIGINS`: comma-separated origins as a browser sends them (`https://app.example.com`,
 * `http://localhost:6274`), checked here so a mistake names the variable, before anything is made.
 */
function allowedOriginsFromEnv(value: string | undefined): readonly string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const origins = value.split(',').map((origin) => origin.trim())
  for (const origin of origins)
    if (!isOrigin(origin))
      throw new Error(
        'ALLOWED_ORIGINS must be comma-separated origins such as https://app.example.com (no path, no trailing slash, no *)',
      )
  return origins
}

/** `scheme://host[:port]` as a browser sends it: lower case, no default port, nothing after. */
function isOrigin(origin: string): boolean {
  if (!URL.canParse(origin)) return false
  const url = new URL(origin)
  // Non-special schemes (chrome-extension://id, capacitor://localhost) have an opaque origin in
  // the URL standard ('null'), but browsers send them as scheme://host all the same.
  const written = url.origin === 'null' ? `${url.protocol}//${url.host}` : url.origin
  return written === origin && url.host !== ''
}
