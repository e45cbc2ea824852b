import Database from 'better-sqlite3'
import type { UsersDatabase } from './config.js'

/** A user as stored, with the scopes this user may be granted. */
export interface UserInDB {
  username: string
  email: string | null
  full_name: string | null
  disabled: boolean
  hashed_password: string
  allowed_scopes: string[]
}

/**
 * Where the tutorial app finds its users. SQLite answers at once (so a request that needs nothing
 * else runs without a promise); PostgreSQL answers with promises.
 */
export interface UserStore {
  find(username: string): UserInDB | undefined | Promise<UserInDB | undefined>
  /**
   * Replace a user's password hash (an upgrade from bcrypt to argon2id on login). It may fail
   * while another process holds the database's write lock.
   */
  updatePasswordHash(username: string, hashedPassword: string): void | Promise<void>
  /** Every distinct stored password hash, so the hasher knows the slowest kind to copy. */
  storedHashes(): Iterable<string>
  close(): void | Promise<void>
}

/** The SQLite store: every method answers synchronously. */
export interface SQLiteUserStore extends UserStore {
  find(username: string): UserInDB | undefined
  updatePasswordHash(username: string, hashedPassword: string): void
  close(): void
}

/**
 * Opens the users DATABASE_URL names: a SQLite file, or a PostgreSQL database (the `pg` driver
 * is loaded only then), created and seeded on first start either way.
 */
export async function openUserStore(database: UsersDatabase): Promise<UserStore> {
  if (database.kind === 'sqlite') return openSQLiteUserStore(database.file)
  const { openPostgresUserStore } = await import('./postgres-users.js')
  return openPostgresUserStore(database.url)
}

/**
 * The tutorial's two users, with its bcrypt hashes kept as they are: `johndoe`/`secret` and the
 * disabled `alice`/`secretalice`.
 */
export const seedUsers: readonly UserInDB[] = [
  {
    username: 'johndoe',
    full_name: 'John Doe',
    email: 'johndoe@example.com',
    hashed_password: '$2b$12$EixZaYVK1fsbw1ZfbX3OXePaWxn96p36WQoeG6Lruj3vjPGga31lW',
    disabled: false,
    allowed_scopes: ['me', 'items'],
  },
  {
    username: 'alice',
    full_name: 'Alice Chains',
    email: 'alicechains@example.com',
    hashed_password: '$2b$12$gSvqqUPvlXP2tfVFaWK1Be7DlH.PKZbv5H8KnzzVgXXbVxpva.pFm',
    disabled: true,
    allowed_scopes: ['me', 'items'],
  },
]

interface UserRow {
  username: string
  email: string | null
  full_name: string | null
  disabled: number
  hashed_password: string
  allowed_scopes: string
}

/**
 * Users in an embedded SQLite database: the file and its table are created, and the seed users
 * inserted, on first start, in one transaction so a crash never leaves a half-seeded file.
 */
export function openSQLiteUserStore(filename: string): SQLiteUserStore {
  const db = new Database(filename)
  // The timeout first, so the switch to WAL and the seeding wait for another process's lock.
  db.pragma('busy_timeout = 5000')
  db.pragma('journal_mode = WAL')
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS users (
      username TEXT PRIMARY KEY,
      email TEXT,
      full_name TEXT,
      disabled INTEGER NOT NULL DEFAULT 0,
      hashed_password TEXT NOT NULL,
      allowed_scopes TEXT NOT NULL DEFAULT ''
    )`)
    const count = db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }
    if (count.n === 0) {
      const insert = db.prepare(
        `INSERT INTO users (username, email, full_name, disabled, hashed_password, allowed_scopes)
         VALUES (@username, @email, @full_name, @disabled, @hashed_password, @allowed_scopes)`,
      )
      for (const user of seedUsers)
        insert.run({
          ...user,
          disabled: user.disabled ? 1 : 0,
          allowed_scopes: user.allowed_scopes.join(' '),
        })
    }
  }).immediate()
  // From now on a lock another process holds (the CLI, a backup, a migration) fails a write at
  // once: SQLite's busy handler would sleep on the event loop, freezing every request meanwhile.
  // Reads never wait in WAL mode; the one write, a hash upgrade, is retried at a later login.
  db.pragma('busy_timeout = 0')
  const select = db.prepare('SELECT * FROM users WHERE username = ?')
  const updateHash = db.prepare('UPDATE users SET hashed_password = ? WHERE username = ?')
  const hashes = db.prepare('SELECT DISTINCT hashed_password FROM users').pluck()
  return {
    find(username) {
      const row = select.get(username) as UserRow | undefined
      if (!row) return undefined
      return {
        username: row.username,
        email: row.email,
        full_name: row.full_name,
        disabled: row.disabled !== 0,
        hashed_password: row.hashed_password,
        allowed_scopes: row.allowed_scopes.split(' ').filter(Boolean),
      }
    },
    updatePasswordHash(username, hashedPassword) {
      updateHash.run(hashedPassword, username)
    },
    storedHashes: () => hashes.all() as string[],
    close() {
      db.close()
    },
  }
}
