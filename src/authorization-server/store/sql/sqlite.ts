import { Kysely, SqliteDialect } from 'kysely'
import { refuseUnknownOptions } from '../../../core/declare/known-options.js'
import type { AuthorizationServerStore } from '../store.js'
import { createKyselyStore } from './kysely-store.js'
import { migrateToLatest } from './migrations.js'
import type { AuthorizationServerDatabase } from './schema.js'

/** Options of {@link openSQLiteStore}. */
export interface SQLiteStoreOptions {
  /**
   * Milliseconds to wait for another process's write lock before answering 503; default 5000. A
   * request waits without blocking the others (the store retries with pauses); opening the store
   * waits in place.
   */
  busyTimeout?: number | undefined
}

/** better-sqlite3's constructor, as far as it is used here. */
type DatabaseConstructor = new (
  filename: string,
) => {
  pragma(source: string): unknown
  exec(source: string): unknown
  close(): unknown
}

/**
 * Opens (creating and migrating it on first use) the embedded SQLite store: one file, WAL mode,
 * safe to share between the processes of one machine. The `better-sqlite3` driver is an
 * optional peer dependency, loaded only here: `npm install better-sqlite3` to use it.
 * @example
 * const store = await openSQLiteStore('authorization-server.db')
 */
export async function openSQLiteStore(
  filename: string,
  options: SQLiteStoreOptions = {},
): Promise<AuthorizationServerStore> {
  if (typeof filename !== 'string' || filename === '')
    throw new TypeError('openSQLiteStore: `filename` must be a non-empty string')
  refuseUnknownOptions('openSQLiteStore', options, new Set(['busyTimeout']))
  const busyTimeout = options.busyTimeout ?? 5000
  if (!Number.isSafeInteger(busyTimeout) || busyTimeout < 0)
    throw new TypeError('openSQLiteStore: `busyTimeout` must be a non-negative integer')
  const Database = await loadDriver()
  const sqlite = new Database(filename)
  try {
    sqlite.pragma(`busy_timeout = ${busyTimeout}`)
    if (filename !== ':memory:') await switchToWAL(sqlite, busyTimeout)
  } catch (error) {
    sqlite.close()
    throw error
  }
  const db = new Kysely<AuthorizationServerDatabase>({
    dialect: new SqliteDialect({
      database: withStatementCache(sqlite as unknown as { prepare(sql: string): unknown }) as never,
    }),
  })
  try {
    // Kysely's SQLite adapter neither locks nor wraps migrations in a transaction: this does
    // both, on the one connection Kysely uses, so two processes starting on a fresh file
    // migrate once and a failed migration leaves nothing half-made.
    sqlite.exec('BEGIN IMMEDIATE')
    try {
      await migrateToLatest(db)
      sqlite.exec('COMMIT')
    } catch (error) {
      sqlite.exec('ROLLBACK')
      throw error
    }
  } catch (error) {
    await db.destroy()
    sqlite.close()
    throw error
  }
  // From now on a lock another process holds fails at once and the store retries off the event
  // loop: SQLite's busy handler sleeps in the calling thread, which would freeze every request.
  sqlite.pragma('busy_timeout = 0')
  return createKyselyStore(db, { isUnavailable: isBusy, retryFor: busyTimeout })
}

/**
 * Switching to WAL reads the file, then upgrades to a write lock. When another connection holds
 * the write lock (another process creating or migrating the same new file), SQLite answers
 * `SQLITE_BUSY` at once without calling its busy handler, since waiting while holding a read
 * lock could deadlock. So the switch is retried here, off the lock and without blocking the
 * event loop, for as long as `busyTimeout` allows.
 */
async function switchToWAL(sqlite: { pragma(source: string): unknown }, busyTimeout: number) {
  const deadline = Date.now() + busyTimeout
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    try {
      sqlite.pragma('journal_mode = WAL')
      return
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error
    }
    await new Promise((resolve) => setTimeout(resolve, pause))
  }
}

/** SQLite's "another connection holds the lock" errors (`SQLITE_BUSY`, `SQLITE_LOCKED`, ...). */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)
}

async function loadDriver(): Promise<DatabaseConstructor> {
  try {
    const module = (await import('better-sqlite3')) as { default: DatabaseConstructor }
    return module.default
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new Error(
        'openSQLiteStore needs the optional peer dependency better-sqlite3: npm install better-sqlite3',
        { cause: error },
      )
    throw error
  }
}

/**
 * Kysely's SQLite driver prepares every query it runs; the store runs the same few queries over and
 * over, so each SQL text is prepared once and its statement reused (better-sqlite3 statements run
 * synchronously, one at a time, so reuse is safe). Bounded, in case a caller builds SQL freely.
 */
function withStatementCache<D extends { prepare(sql: string): unknown }>(database: D): D {
  const prepare = database.prepare.bind(database)
  const statements = new Map<string, unknown>()
  return new Proxy(database, {
    get(target, property) {
      if (property !== 'prepare') {
        const value = Reflect.get(target, property)
        // The driver's own methods run on the database itself, not on this proxy.
        return typeof value === 'function' ? value.bind(target) : value
      }
      return (sql: string) => {
        let statement = statements.get(sql)
        if (statement === undefined) {
          if (statements.size >= 256) statements.clear()
          statement = prepare(sql)
          statements.set(sql, statement)
        }
        return statement
      }
    },
  })
}
