import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { openSQLiteStore } from 'gatehouse/authorization-server'
import { afterAll, describe, expect, test } from 'vitest'
import { client, code, describeStore, family, refresh, user } from './helpers/store-suite.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const freshFile = () => join(dir, `store-${++n}.db`)

describeStore('SQLite', () => openSQLiteStore(freshFile()))

describe('the SQLite file', () => {
  test('is created and migrated on first open, and kept as it is on the next', async () => {
    const file = freshFile()
    expect(existsSync(file)).toBe(false)
    const first = await openSQLiteStore(file)
    await first.createUser(user('u1', { username: 'ada' }))
    await first.close()

    const second = await openSQLiteStore(file)
    expect((await second.findUserByUsername('ada'))?.id).toBe('u1')
    await second.close()

    const raw = new Database(file, { readonly: true })
    try {
      const migrations = raw.prepare('SELECT name FROM gatehouse_migrations').all()
      expect(migrations).toEqual([
        { name: '0001_authorization_server' },
        { name: '0002_consents' },
        { name: '0003_self_registered_clients' },
        { name: '0004_client_auth_method' },
      ])
      const tables = raw
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'gatehouse_%'")
        .all()
        .map((row) => (row as { name: string }).name)
        .sort()
      expect(tables).toEqual([
        'gatehouse_authorization_codes',
        'gatehouse_clients',
        'gatehouse_consents',
        'gatehouse_keys',
        'gatehouse_migrations',
        'gatehouse_migrations_lock',
        'gatehouse_refresh_tokens',
        'gatehouse_revoked_tokens',
        'gatehouse_throttles',
        'gatehouse_token_families',
        'gatehouse_users',
      ])
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal')
    } finally {
      raw.close()
    }
  })

  /**
   * A file holding the client `old`, taken back to before `undone` (each migration's client
   * column dropped, newest first, and its bookkeeping row deleted), then opened again, which runs
   * them.
   */
  async function upgradedFrom(undone: readonly (readonly [migration: string, column: string])[]) {
    const file = freshFile()
    const first = await openSQLiteStore(file)
    await first.createClient(client('old'))
    await first.close()
    const raw = new Database(file)
    for (const [migration, column] of undone) {
      raw.exec(`ALTER TABLE gatehouse_clients DROP COLUMN ${column}`)
      raw.prepare('DELETE FROM gatehouse_migrations WHERE name = ?').run(migration)
    }
    raw.close()
    return openSQLiteStore(file)
  }

  test('a file from before migration 0003 keeps its clients, as not self-registered', async () => {
    // Back to how 0002 left the file.
    const second = await upgradedFrom([
      ['0004_client_auth_method', 'token_endpoint_auth_method'],
      ['0003_self_registered_clients', 'self_registered'],
    ])
    try {
      expect(await second.findClient('old')).toEqual(client('old'))
      const own = { ...client('own'), selfRegistered: true }
      expect(await second.createClient(own)).toBe(true)
      expect(await second.findClient('own')).toEqual(own)
    } finally {
      await second.close()
    }
  })

  test('a file from before migration 0004 keeps its clients, accepting either way of sending the secret', async () => {
    // Back to how 0003 left the file.
    const second = await upgradedFrom([['0004_client_auth_method', 'token_endpoint_auth_method']])
    try {
      expect(await second.findClient('old')).toEqual(client('old'))
      const post = { ...client('post'), tokenEndpointAuthMethod: 'client_secret_post' as const }
      expect(await second.createClient(post)).toBe(true)
      expect(await second.findClient('post')).toEqual(post)
    } finally {
      await second.close()
    }
  })

  test('stores client secrets, refresh tokens and codes only as the hashes it is given', async () => {
    const file = freshFile()
    const store = await openSQLiteStore(file)
    await store.createFamily(family('f1'), refresh('hash-of-refresh', 'f1'))
    await store.createCode(code('hash-of-code'))
    await store.close()
    const raw = new Database(file, { readonly: true })
    try {
      expect(raw.prepare('SELECT hash FROM gatehouse_refresh_tokens').all()).toEqual([
        { hash: 'hash-of-refresh' },
      ])
      expect(raw.prepare('SELECT hash FROM gatehouse_authorization_codes').all()).toEqual([
        { hash: 'hash-of-code' },
      ])
    } finally {
      raw.close()
    }
  })

  test('opening a new file waits for another connection creating it, instead of failing at once', async () => {
    // The other connection writes in the file's first (rollback) journal mode: switching to WAL
    // then meets SQLITE_BUSY without SQLite's busy handler, which is how two processes
    // starting together failed.
    const file = freshFile()
    const other = new Database(file)
    other.exec('BEGIN IMMEDIATE')
    other.exec('CREATE TABLE app_own (x)')
    const released = new Promise((resolve) => setTimeout(resolve, 150)).then(() => {
      other.exec('COMMIT')
      other.close()
    })
    const store = await openSQLiteStore(file)
    await released
    try {
      await store.createUser(user('u1', { username: 'ada' }))
      expect((await store.findUserByUsername('ada'))?.id).toBe('u1')
    } finally {
      await store.close()
    }
    const raw = new Database(file, { readonly: true })
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal')
    raw.close()
  })

  test("a new file locked for longer than busyTimeout is refused with SQLite's busy error", async () => {
    const file = freshFile()
    const other = new Database(file)
    other.exec('BEGIN IMMEDIATE')
    other.exec('CREATE TABLE app_own (x)')
    try {
      const started = Date.now()
      await expect(openSQLiteStore(file, { busyTimeout: 200 })).rejects.toMatchObject({
        code: 'SQLITE_BUSY',
      })
      expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
  })

  test('a lock held too long by another connection is a 503 with Retry-After, not a 500', async () => {
    const file = freshFile()
    const store = await openSQLiteStore(file, { busyTimeout: 50 })
    const other = new Database(file)
    other.exec('BEGIN EXCLUSIVE')
    try {
      await expect(store.recordFailure('k', 1, 60)).rejects.toMatchObject({
        name: 'ServiceUnavailableError',
        status: 503,
        headers: { 'retry-after': '1' },
      })
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    expect((await store.recordFailure('k', 1, 60)).failures).toBe(1)
    await store.close()
  })

  test("waiting for another process's lock keeps the event loop running, and the write lands once it is released", async () => {
    const file = freshFile()
    const store = await openSQLiteStore(file, { busyTimeout: 5000 })
    const other = new Database(file)
    other.exec('BEGIN IMMEDIATE')
    const started = performance.now()
    const write = store.recordFailure('k', 1, 60)
    setTimeout(() => {
      other.exec('ROLLBACK')
      other.close()
    }, 300)
    // SQLite's busy handler slept in this thread: no timer fired until the lock or the timeout.
    const tick = performance.now()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(performance.now() - tick).toBeLessThan(200)
    expect((await write).failures).toBe(1)
    const waited = performance.now() - started
    expect(waited).toBeGreaterThanOrEqual(290)
    expect(waited).toBeLessThan(2000)
    await store.close()
  })

  test('bad arguments are TypeErrors', async () => {
    await expect(openSQLiteStore('')).rejects.toThrow(TypeError)
    await expect(openSQLiteStore(freshFile(), { busyTimeout: -1 })).rejects.toThrow(/busyTimeout/)
  })
})

/** A worker process over `file`, resolving once it has opened (and maybe migrated) it. */
function startWorker(file: string, name: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'helpers/sqlite-race-worker.ts'), file, name],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  )
  let errors = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString()
  })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const results: { kind: string; round: string; outcome: string }[] = []
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (status) => reject(new Error(`worker exited with ${status}: ${errors}`)))
    lines.on('line', (line) => {
      if (line === 'ready') resolve()
      else results.push(JSON.parse(line))
    })
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  return {
    ready,
    results,
    send: (line: string) => child.stdin?.write(`${line}\n`),
    async finish() {
      child.stdin?.end('exit\n')
      await exited
      return results
    },
  }
}

describe('two processes on one SQLite file', { timeout: 60_000 }, () => {
  test('start together on a fresh file, then race: one rotation and one redemption per round', async () => {
    const file = freshFile()
    const a = startWorker(file, 'a')
    const b = startWorker(file, 'b')
    await Promise.all([a.ready, b.ready])

    const rounds = 25
    const seed = await openSQLiteStore(file)
    for (let i = 0; i < rounds; i++) {
      await seed.createFamily(family(`f${i}`), refresh(`r-${i}`, `f${i}`))
      await seed.createCode(code(`c-${i}`))
    }
    await seed.close()

    for (let i = 0; i < rounds; i++)
      for (const kind of ['rotate', 'redeem']) {
        a.send(`${kind} ${i}`)
        b.send(`${kind} ${i}`)
      }
    const results = [...(await a.finish()), ...(await b.finish())]
    expect(results).toHaveLength(rounds * 4)
    for (let i = 0; i < rounds; i++) {
      const of = (kind: string) =>
        results
          .filter((r) => r.kind === kind && r.round === String(i))
          .map((r) => r.outcome)
          .sort()
      expect(of('rotate')).toEqual(['reused', 'rotated'])
      expect(of('redeem')).toEqual(['redeemed', 'reused'])
    }

    const check = await openSQLiteStore(file)
    // The loser of each rotation revoked the family: the winner's new token is dead too.
    const outcomes = await Promise.all(
      Array.from({ length: rounds }, (_, i) =>
        check.isAccessTokenRevoked('any', `f${i}`).then((revoked) => revoked),
      ),
    )
    expect(outcomes.every(Boolean)).toBe(true)
    await check.close()
  })
})

describe('without better-sqlite3 installed', () => {
  test('the package loads, the memory store works, and opening SQLite says what to install', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        join(import.meta.dirname, 'helpers/without-better-sqlite3.mjs'),
        '--import',
        'tsx',
        join(import.meta.dirname, 'helpers/sqlite-without-driver.ts'),
      ],
      { timeout: 30_000 },
    )
    expect(JSON.parse(stdout)).toEqual({
      app: 'function',
      found: 'u1',
      message:
        'openSQLiteStore needs the optional peer dependency better-sqlite3: npm install better-sqlite3',
    })
  })

  test('package.json makes it an optional peer, never a dependency', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8'))
    expect(pkg.dependencies['better-sqlite3']).toBeUndefined()
    expect(pkg.peerDependencies['better-sqlite3']).toBeDefined()
    expect(pkg.peerDependenciesMeta['better-sqlite3']).toEqual({ optional: true })
    expect(pkg.dependencies.kysely).toBeDefined()
  })
})
