import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, test } from 'vitest'
import { createScopesApp } from '../examples/scopes/app.js'
import { DEVELOPMENT_SECRET_KEY } from '../examples/scopes/config.js'
import { openSQLiteUserStore } from '../examples/scopes/users.js'
import { transports } from './helpers/http.js'
import { login } from './helpers/scopes-app.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-scopes-lock-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// Another process holding the users file's write lock (the CLI, a backup, a second app) froze the
// whole server while SQLite's busy handler slept on the event loop, then failed the login whose
// bcrypt hash was due for its upgrade with a 500, though the password was right.
describe.each(transports)(
  'the tutorial while another process holds the lock ($name)',
  (transport) => {
    test('a login that would upgrade its hash answers at once, and a later one upgrades it', async () => {
      const file = join(dir, `${transport.name.replace(/\W/g, '')}.db`)
      const users = openSQLiteUserStore(file)
      const app = createScopesApp({ secretKey: DEVELOPMENT_SECRET_KEY, users })
      const opened = await transport.open(app)
      const other = new Database(file)
      const storedHash = () =>
        other
          .prepare('SELECT hashed_password FROM users WHERE username = ?')
          .pluck()
          .get('johndoe') as string
      try {
        other.exec('BEGIN IMMEDIATE')
        const started = performance.now()
        const locked = await login(opened.send, 'johndoe', 'secret', 'me')
        expect(locked.status).toBe(200)
        expect(await locked.json()).toMatchObject({ token_type: 'bearer' })
        // Well under the 5 s busy timeout the store used to sleep through.
        expect(performance.now() - started).toBeLessThan(4000)
        expect(storedHash()).toMatch(/^\$2b\$12\$/)
        other.exec('ROLLBACK')
        expect((await login(opened.send, 'johndoe', 'secret', 'me')).status).toBe(200)
        expect(storedHash()).toMatch(/^\$argon2id\$/)
      } finally {
        other.close()
        await opened.close()
        users.close()
      }
    })
  },
)
