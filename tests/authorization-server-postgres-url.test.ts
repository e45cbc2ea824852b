import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parseDatabaseURL, redactDatabaseURL } from 'gatehouse/authorization-server'
import { describe, expect, test } from 'vitest'
import {
  isBrokenConnection,
  isPostgresUnavailable,
} from '../src/authorization-server/store/postgres-errors.js'
import { parsePostgresURL } from '../src/authorization-server/store/postgres-url.js'

describe('redactDatabaseURL', () => {
  test.each([
    ['postgres://app:s3cret@db:5432/auth', 'postgres://app:***@db:5432/auth'],
    [
      'postgresql://app:p%40ss%3Aw@db/auth?sslmode=verify-full',
      'postgresql://app:***@db/auth?sslmode=verify-full',
    ],
    ['postgres://app@db/auth', 'postgres://app@db/auth'],
    ['postgres://db:5432/auth', 'postgres://db:5432/auth'],
    ['postgres://:only-password@db/auth', 'postgres://:***@db/auth'],
    // Malformed: an unencoded @ or / in the password; more is hidden, never less.
    ['postgres://app:pa@ss/w@db/auth', 'postgres://app:***@db/auth'],
    ['postgres://app:hunter2@[db/auth', 'postgres://app:***@[db/auth'],
    [
      'postgres://db/auth?user=app&password=s3cret&x=1',
      'postgres://db/auth?user=app&password=***&x=1',
    ],
    ['postgres://db/auth?PassWord=s3cret', 'postgres://db/auth?PassWord=***'],
    ['auth.db', 'auth.db'],
  ])('%s → %s', (url, redacted) => {
    expect(redactDatabaseURL(url)).toBe(redacted)
  })
})

describe('parseDatabaseURL', () => {
  test('postgres:// and postgresql:// name a PostgreSQL server, anything else a SQLite file', () => {
    expect(parseDatabaseURL('postgres://app@db/auth')).toEqual({
      kind: 'postgres',
      url: 'postgres://app@db/auth',
    })
    expect(parseDatabaseURL(' POSTGRESQL://app@db/auth ')).toEqual({
      kind: 'postgres',
      url: 'POSTGRESQL://app@db/auth',
    })
    expect(parseDatabaseURL('sqlite:///var/lib/auth.db')).toEqual({
      kind: 'sqlite',
      filename: '/var/lib/auth.db',
    })
    expect(parseDatabaseURL('auth.db')).toEqual({ kind: 'sqlite', filename: 'auth.db' })
    expect(() => parseDatabaseURL('postgres:auth')).toThrow(/postgres:\/\//)
    expect(() => parseDatabaseURL('mysql://app:secret@db/auth')).toThrow(TypeError)
    expect(() => parseDatabaseURL('mysql://app:secret@db/auth')).not.toThrow(/secret/)
  })
})

describe('parsePostgresURL', () => {
  test("takes out Gatehouse's parameters and leaves the rest to the driver", () => {
    expect(
      parsePostgresURL(
        'postgres://app:pw@db/auth?pool_size=20&sslmode=verify-full&statement_timeout=250&connect_timeout=3&application_name=api',
      ),
    ).toEqual({
      connectionString: 'postgres://app:pw@db/auth?sslmode=verify-full&application_name=api',
      poolSize: 20,
      statementTimeout: 250,
      connectionTimeout: 3000,
    })
    expect(parsePostgresURL('postgres:///auth?host=/run/postgresql')).toEqual({
      connectionString: 'postgres:///auth?host=%2Frun%2Fpostgresql',
      poolSize: undefined,
      statementTimeout: undefined,
      connectionTimeout: undefined,
    })
  })

  test.each([
    'pool_size=0',
    'pool_size=1.5',
    'pool_size=',
    'pool_size=2&pool_size=3',
    'statement_timeout=-1',
    'connect_timeout=soon',
  ])('refuses %s, naming the parameter and never the password', (params) => {
    const name = params.split('=')[0] as string
    expect(() => parsePostgresURL(`postgres://app:s3cret@db/auth?${params}`)).toThrow(
      new RegExp(`^openPostgresStore: the URL parameter ${name} must be one integer`),
    )
  })
})

describe('which driver errors are a 503', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code })

  test('connection failures, shutdowns, overload and timeouts are; bugs and bad data are not', () => {
    for (const error of [
      withCode('ECONNREFUSED'),
      withCode('ECONNRESET'),
      withCode('ENOENT'),
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('57P03', 'the database system is starting up'),
      withCode('57014', 'canceling statement due to statement timeout'),
      withCode('08006'),
      withCode('53300', 'sorry, too many clients already'),
      withCode('40001'),
      withCode('40P01'),
      withCode('55P03'),
      withCode('25006', 'cannot execute INSERT in a read-only transaction'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'),
      new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]),
    ])
      expect([error.message, isPostgresUnavailable(error)]).toEqual([error.message, true])
    for (const error of [
      withCode('23505', 'duplicate key value violates unique constraint'),
      withCode('42P01', 'relation does not exist'),
      withCode('28P01', 'password authentication failed'),
      withCode('ERR_INVALID_ARG_TYPE'),
      new TypeError('x is not a function'),
      null,
      'ECONNREFUSED',
    ])
      expect(isPostgresUnavailable(error)).toBe(false)
  })

  test('a connection is thrown away when it broke or went unanswered, not after a timeout the server answered', () => {
    expect(isBrokenConnection(new Error('Query read timeout'))).toBe(true)
    expect(isBrokenConnection(new Error('Connection terminated unexpectedly'))).toBe(true)
    expect(isBrokenConnection(withCode('57P01'))).toBe(true)
    expect(isBrokenConnection(withCode('08006'))).toBe(true)
    // A standby, or a demoted primary: another connection may reach the new primary.
    expect(isBrokenConnection(withCode('25006'))).toBe(true)
    expect(isBrokenConnection(withCode('57014'))).toBe(false)
    expect(isBrokenConnection(withCode('40001'))).toBe(false)
    expect(isBrokenConnection(withCode('23505'))).toBe(false)
  })
})

describe('without pg installed', () => {
  test('the package and the other stores load, and opening PostgreSQL says what to install', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        join(import.meta.dirname, 'helpers/postgres-without-pg.mjs'),
        '--import',
        'tsx',
        join(import.meta.dirname, 'helpers/postgres-without-driver.ts'),
      ],
      { timeout: 30_000 },
    )
    const message = 'openPostgresStore needs the optional peer dependency pg: npm install pg'
    expect(JSON.parse(stdout)).toEqual({
      app: 'function',
      memory: 'function',
      messages: [message, message],
    })
  })

  test('package.json makes pg an optional peer, never a dependency', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8'))
    expect(pkg.dependencies.pg).toBeUndefined()
    expect(pkg.peerDependencies.pg).toBeDefined()
    expect(pkg.peerDependenciesMeta.pg).toEqual({ optional: true })
    expect(pkg.devDependencies.pg).toBeDefined()
  })
})
