import { fileURLToPath } from 'node:url'
import { refuseUnknownOptions } from '../../core/declare/known-options.js'
import { openPostgresStore, type PostgresStoreOptions } from './postgres-store.js'
import { isPostgresURL } from './postgres-url.js'
import { openSQLiteStore, type SQLiteStoreOptions } from './sql/sqlite.js'
import type { AuthorizationServerStore } from './store.js'

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** For SQLite: see {@link SQLiteStoreOptions}. */
  sqlite?: SQLiteStoreOptions | undefined
  /** For PostgreSQL: see {@link PostgresStoreOptions}; the URL's parameters take precedence. */
  postgres?: PostgresStoreOptions | undefined
}

/** Where a database URL points: the store to open and its location. */
export type DatabaseLocation =
  | { readonly kind: 'sqlite'; readonly filename: string }
  | { readonly kind: 'postgres'; readonly url: string }

const fail = (message: string): never => {
  throw new TypeError(`openStore: ${message}`)
}

/**
 * Reads a `DATABASE_URL`: a SQLite file as a plain path (`auth.db`, `/var/lib/auth.db`,
 * `:memory:`), a `sqlite:` URL (`sqlite:auth.db`, `sqlite://auth.db`, `sqlite:///var/lib/auth.db`)
 * or a `file:` URL (`file:auth.db`, `file:///var/lib/auth.db`); or a PostgreSQL server as a
 * `postgres://` or `postgresql://` URL (see {@link openPostgresStore} for its parameters).
 * @example
 * parseDatabaseURL('sqlite:///var/lib/auth.db') // { kind: 'sqlite', filename: '/var/lib/auth.db' }
 */
export function parseDatabaseURL(databaseUrl: string): DatabaseLocation {
  if (typeof databaseUrl !== 'string' || databaseUrl.trim() === '')
    return fail('the database URL must be a non-empty string')
  const url = databaseUrl.trim()
  if (isPostgresURL(url)) return { kind: 'postgres', url }
  if (/^postgres(ql)?:/i.test(url))
    return fail('a PostgreSQL URL starts with postgres:// or postgresql://')
  // `?mode=ro` and the like are SQLite URI parameters (or SQLAlchemy's); none is supported, and
  // taken as part of the name (or dropped from a file:// URL) they would open another file.
  if (/^(sqlite3?|file):/i.test(url) && url.includes('?'))
    return fail('SQLite URL parameters (?…) are not supported: give the file alone')
  const sqlite = /^sqlite3?:(\/\/)?(.*)$/i.exec(url)
  if (sqlite) {
    // sqlite://rel.db and sqlite:///abs.db, as SQLAlchemy and most tools write them.
    const filename = sqlite[2] ?? ''
    return filename === '' ? fail('no SQLite file name given') : { kind: 'sqlite', filename }
  }
  if (/^file:/i.test(url)) {
    if (/^file:\/\//i.test(url)) {
      try {
        return { kind: 'sqlite', filename: fileURLToPath(url) }
      } catch {
        return fail('the file: URL does not name a local file')
      }
    }
    const filename = decodeURIComponent(url.slice('file:'.length))
    return filename === '' ? fail('no SQLite file name given') : { kind: 'sqlite', filename }
  }
  // Any other scheme (`mysql://`) is a mistake, not a file called "mysql:".
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    return fail('the database URL scheme is not supported (use postgres:// or a SQLite file)')
  return { kind: 'sqlite', filename: url }
}

/**
 * Opens the store a `DATABASE_URL` names (see {@link parseDatabaseURL}), creating and migrating it
 * on first use: a SQLite file, or a PostgreSQL database shared by any number of instances. The
 * example app and the CLI open their store through this one function.
 * @example
 * const store = await openStore(process.env.DATABASE_URL ?? 'authorization-server.db')
 */
export async function openStore(
  databaseUrl: string,
  options: OpenStoreOptions = {},
): Promise<AuthorizationServerStore> {
  refuseUnknownOptions('openStore', options, new Set(['sqlite', 'postgres']))
  const location = parseDatabaseURL(databaseUrl)
  return location.kind === 'postgres'
    ? openPostgresStore(location.url, options.postgres)
    : openSQLiteStore(location.filename, options.sqlite)
}
