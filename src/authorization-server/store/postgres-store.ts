import type { ConnectionOptions } from 'node:tls'
import { Kysely, PostgresDialect } from 'kysely'
import { refuseUnknownOptions } from '../../core/declare/known-options.js'
import { isPostgresUnavailable } from './postgres-errors.js'
import { type DriverPool, discardingBrokenClients } from './postgres-pool.js'
import { parsePostgresURL, redactDatabaseURL } from './postgres-url.js'
import { createKyselyStore } from './sql/kysely-store.js'
import { migrateToLatest } from './sql/migrations.js'
import type { AuthorizationServerDatabase } from './sql/schema.js'
import type { AuthorizationServerStore } from './store.js'

/**
 * Options of {@link openPostgresStore}. The URL's parameters (`pool_size`, `statement_timeout`,
 * `connect_timeout`, `sslmode`, …) take precedence: the URL is the deployment's word.
 */
export interface PostgresStoreOptions {
  /** Connections this process opens at most; default 10. URL: `pool_size`. */
  poolSize?: number | undefined
  /**
   * Milliseconds a statement may run before the server cancels it, answered 503; default 5000.
   * The driver gives up on an unanswered query 1 s later. URL: `statement_timeout`.
   */
  statementTimeout?: number | undefined
  /**
   * Milliseconds a request waits for a connection (a free one in the pool, or a new one),
   * answered 503 after; default 5000. URL: `connect_timeout` (in seconds, as in libpq).
   */
  connectionTimeout?: number | undefined
  /**
   * TLS: `true`, or `node:tls` options such as `{ ca }` to verify a private CA. URL:
   * `sslmode=verify-full` (with `sslrootcert=/path/ca.pem`), `sslmode=no-verify`, `sslmode=disable`.
   */
  ssl?: boolean | ConnectionOptions | undefined
}

/** Migrations may wait for another instance's, or build an index: longer than a request. */
const MIGRATION_STATEMENT_TIMEOUT = 60_000
/** How much longer than the server's statement timeout the driver waits for an answer. */
const READ_TIMEOUT_MARGIN = 1000

type PoolConstructor = new (config: Record<string, unknown>) => DriverPool

/**
 * Opens the PostgreSQL store at a `postgres://` URL, migrating the database on first use (under
 * an advisory lock, so instances starting together migrate once). Any number of processes and
 * machines may share it. The `pg` driver is an optional peer dependency, loaded only here:
 * `npm install pg` to use it. A database that cannot answer (down, restarting, overloaded, past
 * the statement timeout) makes requests 503 with `Retry-After`; service resumes by itself.
 * @example
 * const store = await openPostgresStore('postgres://gatehouse@db.internal/auth?pool_size=20')
 */
export async function openPostgresStore(
  databaseUrl: string,
  options: PostgresStoreOptions = {},
): Promise<AuthorizationServerStore> {
  if (typeof databaseUrl !== 'string' || databaseUrl.trim() === '')
    throw new TypeError('openPostgresStore: `databaseUrl` must be a postgres:// URL')
  refuseUnknownOptions(
    'openPostgresStore',
    options,
    new Set(['poolSize', 'statementTimeout', 'connectionTimeout', 'ssl']),
  )
  const url = parsePostgresURL(databaseUrl)
  const poolSize = url.poolSize ?? positive(options.poolSize, 'poolSize', 10)
  const statementTimeout =
    url.statementTimeout ?? positive(options.statementTimeout, 'statementTimeout', 5000)
  const connectionTimeout =
    url.connectionTimeout ?? positive(options.connectionTimeout, 'connectionTimeout', 5000)
  const ssl = options.ssl
  if (ssl !== undefined && typeof ssl !== 'boolean' && (ssl === null || typeof ssl !== 'object'))
    throw new TypeError('openPostgresStore: `ssl` must be a boolean or node:tls options')
  const Pool = await loadDriver()
  const redacted = redactDatabaseURL(databaseUrl)

  const poolOf = (max: number, timeout: number): DriverPool =>
    new Pool({
      // Settings the URL makes (sslmode, application_name, …) override these: pg parses it last.
      connectionString: url.connectionString,
      ...(ssl === undefined ? {} : { ssl }),
      max,
      statement_timeout: timeout,
      query_timeout: timeout + READ_TIMEOUT_MARGIN,
      connectionTimeoutMillis: connectionTimeout,
      keepAlive: true,
      allowExitOnIdle: true,
      application_name: 'gatehouse',
    })

  const migrator = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool: discardingBrokenClients(poolOf(1, MIGRATION_STATEMENT_TIMEOUT), connectionTimeout),
    }),
  })
  try {
    await migrateToLatest(migrator)
  } catch (error) {
    throw new Error(`openPostgresStore: cannot migrate ${redacted}: ${messageOf(error)}`, {
      cause: error,
    })
  } finally {
    await migrator.destroy()
  }

  const db = new Kysely<AuthorizationServerDatabase>({
    dialect: new PostgresDialect({
      pool: discardingBrokenClients(poolOf(poolSize, statementTimeout), connectionTimeout),
    }),
  })
  return createKyselyStore(db, { isUnavailable: isPostgresUnavailable })
}

function positive(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || (value as number) < 1)
    throw new TypeError(`openPostgresStore: \`${option}\` must be a positive integer`)
  return value as number
}

const messageOf = (error: unknown): string =>
  error instanceof AggregateError && error.errors.length > 0
    ? error.errors.map(messageOf).join('; ')
    : error instanceof Error
      ? error.message
      : String(error)

async function loadDriver(): Promise<PoolConstructor> {
  try {
    const module = (await import('pg')) as { default: { Pool: PoolConstructor } }
    return module.default.Pool
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new Error('openPostgresStore needs the optional peer dependency pg: npm install pg', {
        cause: error,
      })
    throw error
  }
}
