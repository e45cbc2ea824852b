import { parseDatabaseURL } from 'gatehouse/authorization-server'
import { describe, expect, test } from 'vitest'
import { DEVELOPMENT_SECRET_KEY, describeDatabase, readConfig } from '../examples/scopes/config.js'

describe('the tutorial app reads its settings from the environment', () => {
  test('defaults: port 8000 on 127.0.0.1, the development key (flagged), scopes-example.db', () => {
    expect(readConfig({})).toEqual({
      secretKey: DEVELOPMENT_SECRET_KEY,
      usingDevelopmentKey: true,
      database: { kind: 'sqlite', file: 'scopes-example.db' },
      port: 8000,
      host: '127.0.0.1',
    })
  })

  test('SECRET_KEY, PORT, HOST and the SQLite URL forms', () => {
    const config = readConfig({ SECRET_KEY: 'k'.repeat(32), PORT: '9000', HOST: '0.0.0.0' })
    expect(config).toMatchObject({
      secretKey: 'k'.repeat(32),
      usingDevelopmentKey: false,
      port: 9000,
      host: '0.0.0.0',
    })
    const file = (url: string) => readConfig({ DATABASE_URL: url }).database
    expect(file('sqlite:///var/data/users.db')).toEqual({
      kind: 'sqlite',
      file: '/var/data/users.db',
    })
    expect(file('sqlite://users.db')).toEqual({ kind: 'sqlite', file: 'users.db' })
    expect(file('file:users.db')).toEqual({ kind: 'sqlite', file: 'users.db' })
    expect(file('./users.db')).toEqual({ kind: 'sqlite', file: './users.db' })
  })

  test('DATABASE_URL means what it means to the authorization server (README: the same everywhere)', () => {
    for (const url of [
      'sqlite:auth.db',
      'sqlite://auth.db',
      'sqlite:///var/lib/auth.db',
      'SQLITE3:auth.db',
      'file:auth.db',
      'file:///var/lib/auth.db',
      'auth.db',
      '/var/lib/auth.db',
      'postgres://u:p@db/users',
      'file:my%20users.db',
      ' auth.db ',
      'file:///var/lib/my%20auth.db',
    ]) {
      const theirs = parseDatabaseURL(url)
      const ours = readConfig({ DATABASE_URL: url }).database
      expect(ours, url).toEqual(
        theirs.kind === 'sqlite' ? { kind: 'sqlite', file: theirs.filename } : theirs,
      )
    }
    // What the authorization server refuses, the tutorial refuses too.
    for (const url of [
      'sqlite:q.db?mode=ro',
      'file:q.db?mode=ro',
      'mysql://u:pw@h/db',
      'postgres:users',
      'sqlite:',
      'file://remote-host/x.db',
    ]) {
      expect(() => parseDatabaseURL(url), url).toThrow()
      expect(() => readConfig({ DATABASE_URL: url }), url).toThrow(/^DATABASE_URL: /)
    }
  })

  test('a PostgreSQL URL names the database many instances share, logged without credentials', () => {
    for (const url of [
      'postgres://u:p@db:5432/users?sslmode=verify-full',
      'postgresql://u@db/users',
    ]) {
      const { database } = readConfig({ DATABASE_URL: url })
      expect(database).toEqual({ kind: 'postgres', url })
      expect(describeDatabase(database)).toMatch(/^postgres(ql)?:\/\/db(:5432)?\/users$/)
    }
    expect(describeDatabase(readConfig({}).database)).toBe('scopes-example.db')
  })

  test('a bad PORT is refused', () => {
    expect(() => readConfig({ PORT: 'eighty' })).toThrow(/PORT/)
    // Decimal digits only; empty is unset (not port 0, a random port).
    for (const PORT of ['0x1F4A', '4.4e4', '-1', '65536', ' 80', '1.0'])
      expect(() => readConfig({ PORT }), PORT).toThrow('PORT must be an integer from 0 to 65535')
    expect(readConfig({ PORT: '' }).port).toBe(8000)
    expect(readConfig({ PORT: '0' }).port).toBe(0)
    expect(() => readConfig({ PORT: '70000' })).toThrow(/PORT/)
  })
})
