import { fileURLToPath } from 'node:url'
import { openSQLiteStore } from './sql/sqlite.js'
import type { AuthorizationServerStore } from './store.js'

/**
 * Opens the store a `DATABASE_URL` names, creating and migrating it on first use: a SQLite file
 * as a path (`auth.db`, `/var/lib/app/auth.db`, `:memory:`), a `sqlite:` URL (`sqlite:auth.db`,
 * `sqlite:///var/lib/app/auth.db`) or a `file:` URL (`file:///var/lib/app/auth.db`,
 * `file:auth.db`). PostgreSQL URLs are refused until a PostgreSQL store exists. Errors never
 * repeat the URL, which may hold a password.
 * @example
 * const store = await openStore(process.env.DATABASE_URL ?? 'authorization-server.db')
 */
export async function openStore(databaseUrl: string): Promise<AuthorizationServerStore> {
  if (typeof databaseUrl !== 'string' || databaseUrl.trim() === '')
    throw new TypeError('openStore: the database URL must be a non-empty string')
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(databaseUrl)?.[1]?.toLowerCase()
  // One letter before the colon is a Windows drive (`C:\data\auth.db`), not a scheme.
  if (scheme === undefined) return openSQLiteStore(databaseUrl)
  if (scheme === 'sqlite' || scheme === 'sqlite3')
    return openSQLiteStore(sqlitePath(databaseUrl.slice(scheme.length + 1)))
  if (scheme === 'file') return openSQLiteStore(filePath(databaseUrl))
  if (scheme === 'postgres' || scheme === 'postgresql')
    throw new TypeError('openStore: PostgreSQL databases are not supported yet; use a SQLite file')
  throw new TypeError(
    `openStore: unsupported database URL scheme "${scheme}:"; use a SQLite file path or a sqlite: or file: URL`,
  )
}

/** `sqlite:auth.db` → `auth.db`; `sqlite:///abs/auth.db` → `/abs/auth.db`. */
function sqlitePath(rest: string): string {
  const path = rest.startsWith('//') ? rest.slice(2) : rest
  if (path === '') throw new TypeError('openStore: the sqlite: URL names no file')
  return path
}

/** `file:///abs/auth.db` as a path (percent-decoded); `file:auth.db` stays relative. */
function filePath(url: string): string {
  if (!url.startsWith('file://')) return sqlitePath(url.slice('file:'.length))
  try {
    return fileURLToPath(url)
  } catch {
    throw new TypeError('openStore: the file: URL is not a valid local file URL')
  }
}
