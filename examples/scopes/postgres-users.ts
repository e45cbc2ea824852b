import { ServiceUnavailableError } from 'gatehouse'
import pg from 'pg'
import { seedUsers, type UserInDB, type UserStore } from './users.js'

interface UserRow {
  username: string
  email: string | null
  full_name: string | null
  disabled: boolean
  hashed_password: string
  allowed_scopes: string
}

/** Instances starting together on an empty database take turns creating and seeding it. */
const SEED_LOCK = 'gatehouse scopes tutorial: users'

/**
 * Users in PostgreSQL, for any number of instances behind a load balancer: the table is created
 * and the seed users inserted on first start, in one transaction under an advisory lock. The
 * queries are fixed, so a failing one means the database cannot answer now: a 503 with
 * `Retry-After`, and the next request tries again.
 */
export async function openPostgresUserStore(url: string): Promise<UserStore> {
  const pool = new pg.Pool({
    connectionString: url,
    statement_timeout: 5000,
    connectionTimeoutMillis: 5000,
    application_name: 'gatehouse-scopes-tutorial',
  })
  // An idle connection the server closed (a restart): the next query opens another.
  pool.on('error', () => {})
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[]) => {
    try {
      return (await pool.query<R>(text, values)).rows
    } catch (error) {
      // logCause: the operator is told the driver's reason (its message only, once every 10 s).
      throw new ServiceUnavailableError(1, 'The user database cannot answer now', {
        cause: error,
        logCause: true,
      })
    }
  }
  const client = await pool.connect().catch(async (error: unknown) => {
    await pool.end()
    throw error
  })
  // Checked out, the client is ours to listen to: a connection lost meanwhile fails the seeding.
  client.on('error', () => {})
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [SEED_LOCK])
    await client.query(`CREATE TABLE IF NOT EXISTS users (
      username TEXT PRIMARY KEY,
      email TEXT,
      full_name TEXT,
      disabled BOOLEAN NOT NULL DEFAULT false,
      hashed_password TEXT NOT NULL,
      allowed_scopes TEXT NOT NULL DEFAULT ''
    )`)
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM users')
    if (rows[0]?.n === 0)
      for (const user of seedUsers)
        await client.query(
          `INSERT INTO users (username, email, full_name, disabled, hashed_password, allowed_scopes)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [
            user.username,
            user.email,
            user.full_name,
            user.disabled,
            user.hashed_password,
            user.allowed_scopes.join(' '),
          ],
        )
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    client.release()
    await pool.end()
    throw error
  }
  client.release()
  // Read once: the hasher sizes its decoy from them when the app starts.
  const hashes = new Set(
    (await query<{ h: string }>('SELECT DISTINCT hashed_password AS h FROM users', [])).map(
      (row) => row.h,
    ),
  )
  return {
    async find(username): Promise<UserInDB | undefined> {
      const [row] = await query<UserRow>('SELECT * FROM users WHERE username = $1', [username])
      if (!row) return undefined
      return {
        username: row.username,
        email: row.email,
        full_name: row.full_name,
        disabled: row.disabled,
        hashed_password: row.hashed_password,
        allowed_scopes: row.allowed_scopes.split(' ').filter(Boolean),
      }
    },
    async updatePasswordHash(username, hashedPassword) {
      await query('UPDATE users SET hashed_password = $1 WHERE username = $2', [
        hashedPassword,
        username,
      ])
      hashes.add(hashedPassword)
    },
    storedHashes: () => hashes,
    close: () => pool.end(),
  }
}
