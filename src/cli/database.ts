import { openStore, parseDatabaseURL } from '../authorization-server/store/open-store.js'
import type { AuthorizationServerStore } from '../authorization-server/store/store.js'
import { isGatehouseError } from '../core/errors/index.js'
import { CLIError } from './errors.js'

const BUSY = new CLIError(
  'busy',
  'the database is locked by another process (a long write or migration); try again',
)

/**
 * Opens the store `DATABASE_URL` names, created and migrated on first use. Every failure is a
 * {@link CLIError}: `database` when it is not set, not supported or cannot be opened, `busy`
 * when another process holds its lock. The URL is never repeated (it may hold a password).
 */
export async function openDatabase(
  env: Readonly<Record<string, string | undefined>>,
): Promise<AuthorizationServerStore> {
  const url = env.DATABASE_URL
  if (url === undefined || url.trim() === '')
    throw new CLIError(
      'database',
      'DATABASE_URL is not set: set it to a SQLite file (created on first use), e.g. DATABASE_URL=authorization-server.db',
    )
  if (isInMemory(url))
    throw new CLIError(
      'database',
      'DATABASE_URL names an in-memory SQLite database, which nothing the CLI does would outlive: give a file or a postgres:// URL',
    )
  try {
    return await openStore(url)
  } catch (error) {
    if (isBusy(error)) throw BUSY
    const message = error instanceof Error ? error.message.replace(/^openStore: /, '') : ''
    throw new CLIError('database', `cannot open the database: ${message || 'unknown error'}`)
  }
}

/** The store's "database busy" 503, or SQLite's own lock errors (from opening). */
export function isBusy(error: unknown): boolean {
  if (isGatehouseError(error)) return error.code === 'service_unavailable'
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)
}

const READ_ONLY = new CLIError(
  'database',
  'cannot write to the database: the file (or its folder) is read-only for this user',
)

/**
 * {@link isBusy} errors as the CLI's `busy` failure, and SQLite's read-only ones (a file this user
 * may read but not write) as a `database` one, like a file that cannot be opened; others unchanged.
 */
export function busyOr(error: unknown): unknown {
  if (isBusy(error)) return BUSY
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('SQLITE_READONLY') ? READ_ONLY : error
}

/** `:memory:` however it is spelt (`sqlite::memory:`, `file::memory:`): gone when the CLI exits. */
function isInMemory(url: string): boolean {
  try {
    const location = parseDatabaseURL(url)
    return location.kind === 'sqlite' && location.filename.trim() === ':memory:'
  } catch {
    // openStore reports what is wrong with it.
    return false
  }
}

/**
 * The store, opened when first used: the administration checks every value before it touches the
 * store, so a command's usage error leaves `DATABASE_URL` as it was (no file created, nothing
 * migrated, no connection to a PostgreSQL server).
 */
export function openedOnUse(
  open: () => Promise<AuthorizationServerStore>,
): AuthorizationServerStore {
  return new Proxy({} as AuthorizationServerStore, {
    get: (_, name) =>
      // Not a promise itself (`await store` must not wait on a method).
      name === 'then'
        ? undefined
        : async (...args: unknown[]) => {
            const store = await open()
            const method = store[name as keyof AuthorizationServerStore] as unknown as (
              ...args: unknown[]
            ) => unknown
            return method.apply(store, args)
          },
  })
}
