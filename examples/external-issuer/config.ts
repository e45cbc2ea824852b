import { readConfig, type UsersDatabase } from '../scopes/config.js'
import { portFromEnv } from '../shared/port.js'

export interface ExternalIssuerConfig {
  port: number
  host: string
  /** The tutorial's users (DATABASE_URL, as `npm start` reads it: SQLite or PostgreSQL). */
  database: UsersDatabase
  /** ISSUER_URL: an issuer with RFC 8414 or OpenID metadata; unset starts the local issuer. */
  issuerUrl: string | undefined
  /** AUDIENCE: the `aud` tokens must carry; defaults to the resource identifier. */
  audience: string | undefined
  /** RESOURCE_URL: this API's public URL; defaults to `http://HOST:PORT`. */
  resourceUrl: string | undefined
  /** LOCAL_ISSUER_PORT: where the bundled issuer listens without ISSUER_URL; default PORT + 1. */
  localIssuerPort: number
}

/** Settings from the environment: PORT, HOST and DATABASE_URL as the tutorial reads them. */
export function readExternalIssuerConfig(
  env: NodeJS.ProcessEnv = process.env,
): ExternalIssuerConfig {
  const { port, host, database } = readConfig(env)
  return {
    port,
    host,
    database,
    issuerUrl: env.ISSUER_URL || undefined,
    audience: env.AUDIENCE || undefined,
    resourceUrl: env.RESOURCE_URL || undefined,
    localIssuerPort: portFromEnv(
      'LOCAL_ISSUER_PORT',
      env.LOCAL_ISSUER_PORT,
      port === 0 ? 0 : port + 1,
    ),
  }
}
