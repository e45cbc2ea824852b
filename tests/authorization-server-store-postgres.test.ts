import { readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import { openPostgresStore } from 'gatehouse/authorization-server'
import pg from 'pg'
import { beforeAll, describe, expect, test } from 'vitest'
import { freshDatabase, sharedCluster } from './helpers/postgres.js'
import { PASSWORD_ROLE, type PostgresCluster, TLS_ROLE } from './helpers/postgres-cluster.js'
import { code, describeStore, family, refresh, user } from './helpers/store-suite.js'

let cluster: PostgresCluster
let url: string
const databaseOf = (databaseUrl: string) => new URL(databaseUrl).pathname.slice(1)
beforeAll(async () => {
  cluster = await sharedCluster()
  url = await freshDatabase()
})

/** The error `opening` fails with (the test fails if it opens). */
async function failureOf(opening: Promise<{ close(): Promise<void> }>): Promise<Error> {
  const outcome = await opening.then(
    async (store) => {
      await store.close()
      return undefined
    },
    (error: unknown) => error as Error,
  )
  if (!(outcome instanceof Error)) throw new Error('expected the store not to open')
  return outcome
}

/** Empties every table of the store (not the migrations' bookkeeping). */
async function truncate(databaseUrl: string): Promise<void> {
  const tables = await cluster.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE tablename LIKE 'gatehouse\\_%' AND tablename NOT LIKE 'gatehouse\\_migrations%'",
    databaseOf(databaseUrl),
  )
  // DELETE, not TRUNCATE: on tables this small it is many times faster.
  await cluster.query(
    tables.map((t) => `DELETE FROM ${t.tablename}`).join('; '),
    databaseOf(databaseUrl),
  )
}

describeStore('PostgreSQL', async () => {
  const store = await openPostgresStore(url)
  await truncate(url)
  return store
})

describe('the PostgreSQL database', () => {
  test('is migrated on first open, and kept as it is on the next', async () => {
    const fresh = await freshDatabase()
    const first = await openPostgresStore(fresh)
    await first.createUser(user('u1', { username: 'ada' }))
    await first.close()
    const second = await openPostgresStore(fresh)
    expect((await second.findUserByUsername('ada'))?.id).toBe('u1')
    await second.close()

    const database = databaseOf(fresh)
    const migrations = await cluster.query('SELECT name FROM gatehouse_migrations', database)
    expect(migrations.map((m) => m.name)).toContain('0001_authorization_server')
    const tables = await cluster.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
      database,
    )
    expect(tables.map((t) => t.tablename).every((name) => name.startsWith('gatehouse_'))).toBe(true)
    expect(tables.map((t) => t.tablename)).toContain('gatehouse_refresh_tokens')
    // Times are 64-bit integers, read back as numbers.
    const columns = await cluster.query<{ data_type: string }>(
      "SELECT data_type FROM information_schema.columns WHERE table_name = 'gatehouse_token_families' AND column_name = 'expires_at'",
      database,
    )
    expect(columns).toEqual([{ data_type: 'bigint' }])
  })

  test('stores refresh tokens and codes only as the hashes it is given', async () => {
    const store = await openPostgresStore(url)
    await truncate(url)
    await store.createFamily(family('f1'), refresh('hash-of-refresh', 'f1'))
    await store.createCode(code('hash-of-code'))
    await store.close()
    expect(
      await cluster.query('SELECT hash FROM gatehouse_refresh_tokens', databaseOf(url)),
    ).toEqual([{ hash: 'hash-of-refresh' }])
    expect(
      await cluster.query('SELECT hash FROM gatehouse_authorization_codes', databaseOf(url)),
    ).toEqual([{ hash: 'hash-of-code' }])
  })
})

/** Holds the row lock of throttle counter `key` from another connection until released. */
async function lockThrottleRow(databaseUrl: string, key: string) {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  await client.query('BEGIN')
  await client.query('SELECT * FROM gatehouse_throttles WHERE key = $1 FOR UPDATE', [key])
  return {
    async release() {
      await client.query('ROLLBACK')
      await client.end()
    },
  }
}

describe('timeouts', () => {
  test('a statement past the statement timeout is a 503 with Retry-After, not a hang', async () => {
    const store = await openPostgresStore(url, { statementTimeout: 200 })
    await store.recordFailure('locked', 1, 60)
    const lock = await lockThrottleRow(url, 'locked')
    try {
      const started = performance.now()
      await expect(store.recordFailure('locked', 2, 60)).rejects.toMatchObject({
        name: 'ServiceUnavailableError',
        status: 503,
        headers: { 'retry-after': '1' },
      })
      expect(performance.now() - started).toBeLessThan(3000)
    } finally {
      await lock.release()
    }
    expect((await store.recordFailure('locked', 3, 60)).failures).toBe(2)
    await store.close()
  })

  test('the URL sets the statement timeout, the pool size and the connection timeout', async () => {
    // The options say otherwise: the URL wins.
    const store = await openPostgresStore(
      `${url}?statement_timeout=1500&pool_size=1&connect_timeout=1`,
      { statementTimeout: 60_000, poolSize: 5, connectionTimeout: 30_000 },
    )
    await store.recordFailure('held', 1, 60)
    const lock = await lockThrottleRow(url, 'held')
    try {
      const started = performance.now()
      // The first waits on the lock and holds the only connection; the second waits for it.
      const first = store.recordFailure('held', 2, 60)
      const second = store.readThrottle('held', 2)
      await expect(second).rejects.toMatchObject({ status: 503 })
      const waited = performance.now() - started
      expect(waited).toBeGreaterThanOrEqual(900)
      expect(waited).toBeLessThan(1500)
      await expect(first).rejects.toMatchObject({ status: 503 })
      expect(performance.now() - started).toBeLessThan(4000)
    } finally {
      await lock.release()
    }
    expect((await store.readThrottle('held', 3))?.failures).toBe(1)
    await store.close()
  })
})

describe('a saturated pool', () => {
  test('once a wait for a connection timed out, a new one fails at once while others still wait', async () => {
    const store = await openPostgresStore(
      `${url}?statement_timeout=3000&pool_size=1&connect_timeout=1`,
    )
    await store.recordFailure('saturated', 1, 60)
    const lock = await lockThrottleRow(url, 'saturated')
    const settle = (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (error: { status?: number }) => error.status,
      )
    try {
      const started = performance.now()
      // Holds the only connection, waiting on the lock, until the statement timeout.
      const holder = settle(store.recordFailure('saturated', 2, 60))
      const first = settle(store.readThrottle('saturated', 2))
      await new Promise((resolve) => setTimeout(resolve, 300))
      const queued = settle(store.readThrottle('saturated', 2))
      expect(await first).toBe(503)
      expect(performance.now() - started).toBeGreaterThanOrEqual(900)
      // The pool is saturated (one call timed out, one still queued): no third full wait.
      const asked = performance.now()
      expect(await settle(store.readThrottle('saturated', 2))).toBe(503)
      expect(performance.now() - asked).toBeLessThan(200)
      expect(await queued).toBe(503)
      expect(await holder).toBe(503)
    } finally {
      await lock.release()
    }
    // Nothing waits any more: calls wait for (and get) a connection again.
    expect((await store.readThrottle('saturated', 3))?.failures).toBe(1)
    await store.close()
  })
})

describe('connections', () => {
  const password = PASSWORD_ROLE.password
  let owned: string
  beforeAll(async () => {
    owned = new URL(await freshDatabase({ owner: PASSWORD_ROLE.name })).pathname.slice(1)
  })
  const passwordURL = (secret: string) =>
    `postgres://${PASSWORD_ROLE.name}:${encodeURIComponent(secret)}@127.0.0.1:${cluster.port}/${owned}`

  test('a password in the URL is used, and a wrong one fails without showing it', async () => {
    const store = await openPostgresStore(passwordURL(password))
    await store.createUser(user('u1'))
    expect((await store.findUserById('u1'))?.id).toBe('u1')
    await store.close()

    const wrong = 'wrong-Kx2!secret'
    const error = await failureOf(openPostgresStore(passwordURL(wrong)))
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toContain(
      `postgres://${PASSWORD_ROLE.name}:***@127.0.0.1:${cluster.port}/${owned}`,
    )
    expect(error.message).toMatch(/password authentication failed/)
    const everything = `${String(error)} ${inspect(error, { depth: 5, showHidden: true })}`
    expect(everything).not.toContain(wrong)
    expect(everything).not.toContain(encodeURIComponent(wrong))
  })

  test('a server that is not there fails fast, the URL redacted', async () => {
    const idle = new URL(cluster.url('nowhere'))
    idle.port = '1'
    idle.password = 'not-shown'
    const started = performance.now()
    const error = await failureOf(openPostgresStore(idle.href))
    expect(error.message).toMatch(
      /^openPostgresStore: cannot migrate postgres:\/\/gatehouse:\*\*\*@127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED/,
    )
    expect(inspect(error, { depth: 5 })).not.toContain('not-shown')
    expect(performance.now() - started).toBeLessThan(5000)
  })

  describe('TLS', () => {
    let database: string
    let ca: string
    beforeAll(async () => {
      database = new URL(await freshDatabase({ owner: TLS_ROLE })).pathname.slice(1)
      ca = readFileSync(cluster.state.caFile as string, 'utf8')
    })
    const tlsURL = (params = '') =>
      `postgres://${TLS_ROLE}@127.0.0.1:${cluster.port}/${database}${params}`
    /** Whether the sessions of the TLS role are encrypted, as the server sees them. */
    const encrypted = () =>
      cluster.query<{ ssl: boolean }>(
        'SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = $1',
        'postgres',
        [TLS_ROLE],
      )

    test('the role this server admits only over TLS is refused without it', async () => {
      await expect(openPostgresStore(tlsURL())).rejects.toThrow(/no encryption/)
    })

    test('sslmode=verify-full with sslrootcert in the URL verifies the server', async () => {
      const store = await openPostgresStore(
        tlsURL(
          `?sslmode=verify-full&sslrootcert=${encodeURIComponent(cluster.state.caFile as string)}`,
        ),
      )
      await store.createUser(user('u1'))
      expect(await encrypted()).toEqual([{ ssl: true }])
      await store.close()
    })

    test('the ssl option takes node:tls options; an unknown CA is refused', async () => {
      const store = await openPostgresStore(tlsURL(), { ssl: { ca } })
      expect(await store.findUserById('nobody')).toBeUndefined()
      expect(await encrypted()).toEqual([{ ssl: true }])
      await store.close()
      await expect(openPostgresStore(tlsURL(), { ssl: true })).rejects.toThrow(/self.signed/)
    })
  })
})

describe('set-up mistakes', () => {
  test('are TypeErrors naming the option, URLs redacted', async () => {
    await expect(openPostgresStore('')).rejects.toThrow(TypeError)
    await expect(openPostgresStore('sqlite:auth.db')).rejects.toThrow(/postgres:\/\//)
    await expect(openPostgresStore(url, { poolSize: 0 })).rejects.toThrow(/poolSize/)
    await expect(openPostgresStore(url, { statementTimeout: 1.5 })).rejects.toThrow(
      /statementTimeout/,
    )
    await expect(openPostgresStore(url, { connectionTimeout: -1 })).rejects.toThrow(
      /connectionTimeout/,
    )
    await expect(openPostgresStore(url, { ssl: 'yes' as never })).rejects.toThrow(/ssl/)
    await expect(openPostgresStore(`${url}?pool_size=many`)).rejects.toThrow(/pool_size/)
    await expect(openPostgresStore(`${url}?statement_timeout=0`)).rejects.toThrow(
      /statement_timeout/,
    )
    const bad = await failureOf(openPostgresStore('postgres://app:hunter2@[db/auth'))
    expect(bad).toBeInstanceOf(TypeError)
    expect(bad.message).toBe('openPostgresStore: postgres://app:***@[db/auth is not a valid URL')
    expect(inspect(bad, { depth: 5 })).not.toContain('hunter2')
  })
})
