import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import Database from 'better-sqlite3'
import { openStore } from 'gatehouse/authorization-server'
import { afterAll, describe, expect, test } from 'vitest'
import { busyOr } from '../src/cli/database.js'
import { CLIError } from '../src/cli/errors.js'
import { gatehouse, gatehouseJSON } from './helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse cli db-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const freshFile = () => join(dir, `db-${++files}.db`)

describe('openStore(databaseUrl)', () => {
  test.each([
    ['a path', (file: string) => file],
    ['a sqlite: URL', (file: string) => `sqlite:${file}`],
    ['a sqlite:// URL', (file: string) => `sqlite://${file}`],
    ['a file:// URL (percent-encoded)', (file: string) => pathToFileURL(file).href],
  ])('opens %s as a SQLite file, created and migrated on first use', async (_, url) => {
    const file = freshFile()
    const store = await openStore(url(file))
    try {
      expect(await store.listUsers()).toEqual([])
      expect(existsSync(file)).toBe(true)
    } finally {
      await store.close()
    }
  })

  test('sqlite::memory: is an in-memory database', async () => {
    const store = await openStore('sqlite::memory:')
    expect(await store.listClients()).toEqual([])
    await store.close()
  })

  test.each([
    ['postgres:gatehouse:pg-pass-123@db.example.com/auth', /starts with postgres:\/\//],
    [
      'mysql://gatehouse:pg-pass-123@db.example.com/auth',
      /the database URL scheme is not supported/,
    ],
    ['sqlite:', /no SQLite file name given/],
    ['', /must be a non-empty string/],
  ])('refuses %j with a TypeError that does not repeat it', async (url, message) => {
    const error = await openStore(url).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).not.toContain('pg-pass')
  })
})

describe('gatehouse and its database', { timeout: 60_000 }, () => {
  test('DATABASE_URL unset: exit 4, saying how to set it', async () => {
    const run = await gatehouse(['users', 'list'], { databaseUrl: null })
    expect(run.code).toBe(4)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/^gatehouse: DATABASE_URL is not set: set it to a SQLite file/)
  })

  test('an in-memory database, however spelt: exit 4 before anything is made (nothing would last)', async () => {
    for (const databaseUrl of [':memory:', 'sqlite::memory:', 'file::memory:']) {
      const run = await gatehouse(
        // Valid arguments: bad ones are usage errors (2), found before DATABASE_URL is opened.
        'clients create reports --grant-types client_credentials --scopes read --json'.split(' '),
        { databaseUrl },
      )
      expect(run.code, databaseUrl).toBe(4)
      expect(run.stdout).toBe('')
      expect(run.stderr).toMatch(/^gatehouse: DATABASE_URL names an in-memory SQLite database/)
    }
  })

  test('a PostgreSQL server that is not there: exit 4, its password never printed', async () => {
    const databaseUrl = 'postgres://admin:pg-pass-123@127.0.0.1:1/auth'
    const run = await gatehouse(['clients', 'list'], { databaseUrl })
    expect(run.code).toBe(4)
    expect(run.stderr).toMatch(
      /^gatehouse: cannot open the database: openPostgresStore: cannot migrate postgres:\/\/admin:\*\*\*@127\.0\.0\.1:1\/auth: .*ECONNREFUSED/,
    )
    expect(run.stderr).not.toContain('pg-pass')
  })

  test('a folder that does not exist, or a file that is not a database: exit 4', async () => {
    const missing = await gatehouse(['users', 'list'], {
      databaseUrl: join(dir, 'no-such-folder', 'auth.db'),
    })
    expect(missing.code).toBe(4)
    expect(missing.stderr).toMatch(/^gatehouse: cannot open the database: /)
    const text = join(dir, 'notes.txt')
    writeFileSync(
      text,
      'not a database, just some text that is long enough to be read\n'.repeat(20),
    )
    const notDatabase = await gatehouse(['users', 'list'], { databaseUrl: text })
    expect(notDatabase.code).toBe(4)
    expect(notDatabase.stderr).toMatch(
      /^gatehouse: cannot open the database: file is not a database/,
    )
  })

  test('without the better-sqlite3 driver installed: exit 4, saying what to install', async () => {
    const run = await gatehouse(['users', 'list'], {
      databaseUrl: freshFile(),
      node: ['--import', join(import.meta.dirname, 'helpers/without-better-sqlite3.mjs')],
    })
    expect(run.code).toBe(4)
    expect(run.stderr).toMatch(/^gatehouse: cannot open the database: .*npm install better-sqlite3/)
  })

  test('sqlite: and file: URLs name the same file the commands share', async () => {
    const file = freshFile()
    const created = await gatehouse(['users', 'create', 'ada', '--password-stdin'], {
      databaseUrl: `sqlite:${file}`,
      input: 'ada-password',
    })
    expect(created.code).toBe(0)
    const listed = await gatehouseJSON<{ username: string }[]>(['users', 'list', '--json'], {
      databaseUrl: pathToFileURL(file).href,
    })
    expect(listed.map((user) => user.username)).toEqual(['ada'])
  })

  test('a database migrated by a newer version: exit 4, saying so rather than "corrupted"', async () => {
    const file = freshFile()
    expect((await gatehouse(['users', 'list'], { databaseUrl: file })).code).toBe(0)
    const db = new Database(file)
    db.prepare('INSERT INTO gatehouse_migrations (name, timestamp) VALUES (?, ?)').run(
      '0099_future',
      '2027-01-01T00:00:00.000Z',
    )
    db.close()
    const run = await gatehouse(['users', 'list'], { databaseUrl: file })
    expect(run.code).toBe(4)
    expect(run.stderr).toBe(
      'gatehouse: cannot open the database: the database was migrated by a newer version of Gatehouse (migration "0099_future" is unknown to this one): upgrade Gatehouse\n',
    )
  })

  test('a file this user may read but not write: exit 4, not an unexpected error', async () => {
    const file = freshFile()
    expect((await gatehouse(['users', 'list'], { databaseUrl: file })).code).toBe(0)
    // What SQLite answers a write to a file this user may only read (root may write any file).
    const readOnly = new Database(file, { readonly: true })
    let refused: unknown
    try {
      readOnly.prepare("INSERT INTO gatehouse_migrations (name, timestamp) VALUES ('x', 'y')").run()
    } catch (error) {
      refused = error
    } finally {
      readOnly.close()
    }
    expect((refused as { code?: string }).code).toBe('SQLITE_READONLY')
    const failure = busyOr(refused) as CLIError
    expect(failure).toBeInstanceOf(CLIError)
    expect([failure.exitCode, failure.message]).toEqual([
      4,
      'cannot write to the database: the file (or its folder) is read-only for this user',
    ])
  })

  test('another process holding the write lock: exit 5 once the busy timeout passes', async () => {
    const file = freshFile()
    expect((await gatehouse(['users', 'list'], { databaseUrl: file })).code).toBe(0)
    const holder = new Database(file)
    holder.exec('BEGIN EXCLUSIVE')
    try {
      const run = await gatehouse(['users', 'list'], { databaseUrl: file })
      expect(run.code).toBe(5)
      expect(run.stderr).toMatch(/^gatehouse: the database is locked by another process/)
    } finally {
      holder.exec('ROLLBACK')
      holder.close()
    }
    expect((await gatehouse(['users', 'list', '--json'], { databaseUrl: file })).code).toBe(0)
  })
})
