import { describe, expect, test } from 'vitest'
import { DEVELOPMENT_SECRET_KEY, readConfig } from '../examples/scopes/config.js'

describe('the tutorial app reads its settings from the environment', () => {
  test('defaults: port 8000 on 127.0.0.1, the development key (flagged), scopes-example.db', () => {
    expect(readConfig({})).toEqual({
      secretKey: DEVELOPMENT_SECRET_KEY,
      usingDevelopmentKey: true,
      databaseFile: 'scopes-example.db',
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
    expect(readConfig({ DATABASE_URL: 'sqlite:///var/data/users.db' }).databaseFile).toBe(
      '/var/data/users.db',
    )
    expect(readConfig({ DATABASE_URL: 'sqlite://users.db' }).databaseFile).toBe('users.db')
    expect(readConfig({ DATABASE_URL: 'file:users.db' }).databaseFile).toBe('users.db')
    expect(readConfig({ DATABASE_URL: './users.db' }).databaseFile).toBe('./users.db')
  })

  test('a PostgreSQL URL is refused plainly until that store exists; a bad PORT too', () => {
    expect(() => readConfig({ DATABASE_URL: 'postgres://u:p@localhost/db' })).toThrow(/PostgreSQL/)
    expect(() => readConfig({ PORT: 'eighty' })).toThrow(/PORT/)
    expect(() => readConfig({ PORT: '70000' })).toThrow(/PORT/)
  })
})
