import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { openSQLiteUserStore, seedUsers } from '../../examples/scopes/users.js'
import type { Pinning } from './pinning.js'
import { startServer } from './server-process.js'

/** The tutorial app's server module, as every scenario that needs a token or a login starts it. */
export const TUTORIAL_SERVER = 'servers/scopes/gatehouse.ts'

/** What the token is asked for: the tutorial's user, with both of its scopes. */
export const LOGIN = { username: 'johndoe', password: 'secret', scope: 'me items' } as const

/** The password of every `bcrypt-user-<n>` {@link Fixture.database} adds. */
const BCRYPT_HASH = seedUsers[0]?.hashed_password as string

/**
 * State shared by the tutorial-app scenarios of one run: a temporary folder for SQLite files, one
 * random HS256 secret every server verifies with, and the access token all of them are loaded with.
 */
export interface Fixture {
  readonly secretKey: string
  /**
   * A seeded SQLite user database in the run's folder, created (before any server opens it, so no
   * two race to seed it) on first use of `name`. `bcryptUsers` adds that many users `bcrypt-user-0`,
   * `bcrypt-user-1`, … with the tutorial's bcrypt hash of `secret`.
   */
  database(name: string, bcryptUsers?: number): string
  /** The environment a tutorial-app server needs: the secret and a database. */
  env(database: string): Record<string, string>
  /**
   * An access token for `johndoe` with scopes `me items`, from `POST /token` on a tutorial server
   * started for that alone (so measured servers never spend a login's CPU and memory), once per run.
   */
  token(): Promise<string>
  /** Removes the folder. */
  cleanup(): void
}

/** `POST /token` with a password form; resolves to the access token or throws with the status. */
export async function login(
  url: string,
  form: { username: string; password: string; scope: string },
): Promise<string> {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  })
  const body = (await response.json()) as { access_token?: unknown }
  if (response.status !== 200 || typeof body.access_token !== 'string')
    throw new Error(`POST /token for ${form.username} answered ${response.status}`)
  return body.access_token
}

export function createFixture(pinning: Pinning): Fixture {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-db-'))
  const secretKey = randomBytes(32).toString('hex')
  const databases = new Map<string, string>()
  let token: Promise<string> | undefined

  const fixture: Fixture = {
    secretKey,
    database(name, bcryptUsers = 0) {
      const known = databases.get(name)
      if (known) return known
      const file = path.join(dir, `${name}.db`)
      openSQLiteUserStore(file).close()
      if (bcryptUsers > 0) {
        const db = new Database(file)
        const insert = db.prepare(
          `INSERT INTO users (username, email, full_name, disabled, hashed_password, allowed_scopes)
           VALUES (?, NULL, NULL, 0, ?, 'me items')`,
        )
        db.transaction(() => {
          for (let i = 0; i < bcryptUsers; i++) insert.run(`bcrypt-user-${i}`, BCRYPT_HASH)
        })()
        db.close()
      }
      databases.set(name, file)
      return file
    },
    env: (database) => ({ SECRET_KEY: secretKey, DATABASE_URL: database }),
    token() {
      token ??= (async () => {
        const target = { name: 'token', server: TUTORIAL_SERVER }
        const env = fixture.env(fixture.database('scopes'))
        const server = await startServer(target, 'token', { env, pinning, profile: false })
        try {
          return await login(server.url, LOGIN)
        } finally {
          await server.stop()
        }
      })()
      return token
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
  return fixture
}
