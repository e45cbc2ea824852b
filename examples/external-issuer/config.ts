import { readConfig, type UsersDatabase } from '../scopes/config.js'

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
    localIssuerPort: portOf(env.LOCAL_ISSUER_PORT, port === 0 ? 0 : port + 1),
  }
}

function portOf(value: string | undefined, fallback: number): number {
  const port = Number(value || fallback)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error('LOCAL_ISSUER_PORT must be an integer from 0 to 65535')
  return port
}
