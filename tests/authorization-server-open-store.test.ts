import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore, parseDatabaseURL } from 'gatehouse/authorization-server'
import { afterAll, describe, expect, test } from 'vitest'
import { user } from './helpers/store-suite.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-open-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('parseDatabaseURL', () => {
  test.each([
    ['auth.db', 'auth.db'],
    ['/var/lib/auth.db', '/var/lib/auth.db'],
    ['./data/auth.db', './data/auth.db'],
    [':memory:', ':memory:'],
    ['sqlite:auth.db', 'auth.db'],
    ['sqlite://auth.db', 'auth.db'],
    ['sqlite:///var/lib/auth.db', '/var/lib/auth.db'],
    ['SQLITE:///var/lib/auth.db', '/var/lib/auth.db'],
    ['sqlite::memory:', ':memory:'],
    ['file:auth.db', 'auth.db'],
    ['file:my%20auth.db', 'my auth.db'],
    ['file:///var/lib/my%20auth.db', '/var/lib/my auth.db'],
    ['  auth.db  ', 'auth.db'],
  ])('%s is the SQLite file %s', (url, filename) => {
    expect(parseDatabaseURL(url)).toEqual({ kind: 'sqlite', filename })
  })

  test.each([
    ['', /non-empty/],
    ['   ', /non-empty/],
    ['sqlite:', /no SQLite file name/],
    ['sqlite://', /no SQLite file name/],
    ['file:', /no SQLite file name/],
    ['file://otherhost/x.db', /does not name a local file/],
    ['mysql://user:hunter2@db/app', /scheme is not supported/],
    ['postgres:user:hunter2@db/app', /starts with postgres:\/\//],
    // SQLite URI parameters: taken as part of the name (or dropped) they opened another file.
    ['sqlite:auth.db?mode=ro', /URL parameters \(\?…\) are not supported/],
    ['file:auth.db?mode=ro', /URL parameters/],
    ['file:///var/lib/auth.db?mode=ro', /URL parameters/],
  ])('%j is refused with a TypeError that shows no credentials', (url, message) => {
    let error: unknown
    try {
      parseDatabaseURL(url)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).toMatch(/^openStore: /)
    expect((error as Error).message).not.toContain('hunter2')
  })

  test('postgres:// and postgresql:// URLs name a PostgreSQL server', () => {
    for (const url of ['postgres://user:hunter2@db/app', 'postgresql://db/app?sslmode=verify-full'])
      expect(parseDatabaseURL(url)).toEqual({ kind: 'postgres', url })
  })

  test('a value that is no string is refused', () => {
    expect(() => parseDatabaseURL(undefined as unknown as string)).toThrow(TypeError)
  })
})

describe('openStore', () => {
  test('creates and migrates a SQLite file on first use, and reopens it by URL', async () => {
    const file = join(dir, 'auth.db')
    const first = await openStore(file)
    expect(existsSync(file)).toBe(true)
    await first.createUser(user('u1', { username: 'ada' }))
    await first.close()
    const second = await openStore(`sqlite://${file}`)
    expect((await second.findUserByUsername('ada'))?.id).toBe('u1')
    await second.close()
    const third = await openStore(`file://${file}`)
    expect((await third.listUsers()).map((u) => u.username)).toEqual(['ada'])
    await third.close()
  })

  test('opens PostgreSQL for a postgres:// URL: a server not there fails, the URL redacted', async () => {
    const error = await openStore('postgres://app:hunter2@127.0.0.1:1/app').then(
      () => undefined,
      (caught: unknown) => caught as Error,
    )
    expect(error?.message).toMatch(
      /^openPostgresStore: cannot migrate postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app: .*ECONNREFUSED/,
    )
  })
})
