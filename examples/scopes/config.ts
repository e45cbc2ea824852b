import { fileURLToPath } from 'node:url'
import { portFromEnv } from '../shared/port.js'

/**
 * Settings from the environment. The default key is the tutorial's own, published with it: fine for
 * trying the app on your machine, never for anything reachable by others (set SECRET_KEY, e.g. from
 * `openssl rand -hex 32`).
 */
export const DEVELOPMENT_SECRET_KEY =
  '09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7'

/** DATABASE_URL, read: a SQLite file path or a `postgres://` URL. */
export type UsersDatabase =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string }

export interface ScopesConfig {
  secretKey: string
  usingDevelopmentKey: boolean
  /** Where the users live: a SQLite file, or a PostgreSQL database many instances share. */
  database: UsersDatabase
  port: number
  host: string
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ScopesConfig {
  const port = portFromEnv('PORT', env.PORT, 8000)
  return {
    secretKey: env.SECRET_KEY || DEVELOPMENT_SECRET_KEY,
    usingDevelopmentKey: !env.SECRET_KEY,
    database: usersDatabase(env.DATABASE_URL),
    port,
    host: env.HOST || '127.0.0.1',
  }
}

/**
 * `postgres://…` or `postgresql://…` (a PostgreSQL server); `sqlite:///abs/path.db`,
 * `sqlite://rel.db`, `sqlite:rel.db`, `file:x.db`, `file:///abs/x.db` or a plain path (a SQLite
 * file); default `scopes-example.db`. The same rules as the authorization server's
 * `parseDatabaseURL`, which is not imported here only to keep the tutorial's footprint small.
 */
function usersDatabase(given: string | undefined): UsersDatabase {
  const url = given?.trim()
  if (!url) return { kind: 'sqlite', file: 'scopes-example.db' }
  const refuse = (why: string): never => {
    throw new Error(`DATABASE_URL: ${why}`)
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url }
  if (/^postgres(ql)?:/i.test(url))
    refuse('a PostgreSQL URL starts with postgres:// or postgresql://')
  // SQLite URI parameters would be taken as part of the file name: none is supported.
  if (/^(sqlite3?|file):/i.test(url) && url.includes('?'))
    refuse('SQLite URL parameters (?…) are not supported: give the file alone')
  let file = url
  if (/^file:\/\//i.test(url)) {
    try {
      file = fileURLToPath(url)
    } catch {
      refuse('the file: URL does not name a local file')
    }
  } else if (/^file:/i.test(url)) file = decodeURIComponent(url.slice('file:'.length))
  else if (/^sqlite3?:/i.test(url)) file = url.replace(/^sqlite3?:(\/\/)?/i, '')
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    refuse('the database URL scheme is not supported (use postgres:// or a SQLite file)')
  if (!file) refuse('no SQLite file name given')
  return { kind: 'sqlite', file }
}

/** The database for logs: the file, or the server and database without credentials or options. */
export function describeDatabase(database: UsersDatabase): string {
  if (database.kind === 'sqlite') return database.file
  try {
    const { protocol, host, pathname } = new URL(database.url)
    return `${protocol}//${host}${pathname}`
  } catch {
    return 'a PostgreSQL database'
  }
}

/** The SQLite file, for what only runs on one (the benchmark servers). */
export function sqliteFileOf(config: ScopesConfig): string {
  if (config.database.kind !== 'sqlite')
    throw new Error('DATABASE_URL: a SQLite file is needed here')
  return config.database.file
}
