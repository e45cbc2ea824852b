import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createScopesApp } from '../examples/scopes/app.js'
import { DEVELOPMENT_SECRET_KEY } from '../examples/scopes/config.js'
import { openPostgresUserStore } from '../examples/scopes/postgres-users.js'
import type { UserStore } from '../examples/scopes/users.js'
import { transports } from './helpers/http.js'
import { listeningURL, startScript, stopScript } from './helpers/npm-script.js'
import { freshDatabase, sharedCluster } from './helpers/postgres.js'
import { PASSWORD_ROLE, type PostgresCluster } from './helpers/postgres-cluster.js'

// The tutorial app (`npm start`, `npm run start:cluster`) with DATABASE_URL=postgres://…: its
// users in PostgreSQL, shared by every instance.
let cluster: PostgresCluster
beforeAll(async () => {
  cluster = await sharedCluster()
})

const databaseOf = (url: string) => new URL(url).pathname.slice(1)
const form = (username: string, password: string, scope = 'me') =>
  new URLSearchParams({ username, password, scope }).toString()
const loginInit = (username: string, password: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: form(username, password),
})

describe.each(transports)('the tutorial app on PostgreSQL through $name', (transport) => {
  let url: string
  let users: UserStore
  let send: (path: string, init?: RequestInit) => Promise<Response>
  let close: () => Promise<void>
  beforeAll(async () => {
    url = await freshDatabase()
    users = await openPostgresUserStore(url)
    const opened = await transport.open(
      createScopesApp({ secretKey: DEVELOPMENT_SECRET_KEY, users }),
    )
    send = opened.send
    close = opened.close
  })
  afterAll(async () => {
    await close?.()
    await users?.close()
  })

  test('logs the seeded users in, upgrading the hash, and serves them', async () => {
    const token = await send('/token', loginInit('johndoe', 'secret'))
    expect(token.status).toBe(200)
    const { access_token } = await token.json()
    const me = await send('/users/me/', { headers: { authorization: `Bearer ${access_token}` } })
    expect(await me.json()).toEqual({
      username: 'johndoe',
      email: 'johndoe@example.com',
      full_name: 'John Doe',
      disabled: false,
    })
    const [row] = await cluster.query<{ hashed_password: string }>(
      "SELECT hashed_password FROM users WHERE username = 'johndoe'",
      databaseOf(url),
    )
    expect(row?.hashed_password).toMatch(/^\$argon2id\$/)
    // The upgraded hash verifies the same password.
    expect((await send('/token', loginInit('johndoe', 'secret'))).status).toBe(200)
  })

  test('refuses wrong passwords and unknown users alike, and disabled users', async () => {
    for (const [username, password] of [
      ['johndoe', 'wrong'],
      ['nobody', 'secret'],
    ] as const) {
      const refused = await send('/token', loginInit(username, password))
      expect(refused.status).toBe(400)
      expect(await refused.json()).toEqual({ detail: 'Incorrect username or password' })
    }
    const token = await send('/token', loginInit('alice', 'secretalice'))
    const { access_token } = await token.json()
    const me = await send('/users/me/', { headers: { authorization: `Bearer ${access_token}` } })
    expect(me.status).toBe(400)
    expect(await me.json()).toEqual({ detail: 'Inactive user' })
  })

  test('a database that refuses connections is a 503 with Retry-After; it serves again after', async () => {
    const token = await send('/token', loginInit('johndoe', 'secret'))
    const { access_token } = await token.json()
    const me = () => send('/users/me/', { headers: { authorization: `Bearer ${access_token}` } })
    const database = databaseOf(url)
    await cluster.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`)
    await cluster.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
      'postgres',
      [database],
    )
    try {
      const refused = await me()
      expect(refused.status).toBe(503)
      expect(refused.headers.get('retry-after')).toBe('1')
      expect(await refused.json()).toEqual({ detail: 'The user database cannot answer now' })
    } finally {
      await cluster.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`)
    }
    expect((await me()).status).toBe(200)
  })
})

/** `npm run <script>` on a free port; resolves once it prints its URL. */
async function npmRun(script: string, env: Record<string, string>) {
  const started = await startScript(
    script,
    { PORT: '0', HOST: '127.0.0.1', ...env },
    listeningURL,
    60_000,
  )
  return { ...started, url: started.ready }
}

const login = async (base: string, password = 'secret') => {
  const response = await fetch(`${base}/token`, loginInit('johndoe', password))
  expect(response.status).toBe(200)
  return ((await response.json()) as { access_token: string }).access_token
}

describe('npm start and npm run start:cluster with DATABASE_URL=postgres://', {
  timeout: 120_000,
}, () => {
  let databaseUrl: string
  beforeAll(async () => {
    const database = databaseOf(await freshDatabase({ owner: PASSWORD_ROLE.name }))
    databaseUrl = `postgres://${PASSWORD_ROLE.name}:${encodeURIComponent(PASSWORD_ROLE.password)}@127.0.0.1:${cluster.port}/${database}`
  })

  test('npm start seeds the database once and never prints the password', async () => {
    for (let start = 0; start < 2; start++) {
      const app = await npmRun('start', { DATABASE_URL: databaseUrl })
      try {
        const token = await login(app.url)
        const me = await fetch(`${app.url}/users/me/`, {
          headers: { authorization: `Bearer ${token}` },
        })
        expect(me.status).toBe(200)
        expect(app.output()).toContain(
          `users in postgres://127.0.0.1:${cluster.port}/${databaseOf(databaseUrl)})`,
        )
        expect(app.output()).not.toContain(PASSWORD_ROLE.password)
        expect(app.output()).not.toContain(encodeURIComponent(PASSWORD_ROLE.password))
      } finally {
        await stopScript(app.child)
      }
    }
    const rows = await cluster.query(
      'SELECT username, disabled FROM users ORDER BY username',
      databaseOf(databaseUrl),
    )
    expect(rows).toEqual([
      { username: 'alice', disabled: true },
      { username: 'johndoe', disabled: false },
    ])
  })

  test('WORKERS=2 npm run start:cluster: the workers share the users, and another cluster beside them', async () => {
    const first = await npmRun('start:cluster', { DATABASE_URL: databaseUrl, WORKERS: '2' })
    const second = await npmRun('start:cluster', { DATABASE_URL: databaseUrl, WORKERS: '2' })
    try {
      expect(first.output()).toContain('(2 workers)')
      // Tokens from any worker of either cluster are good on every other: one key, one table.
      const tokens = await Promise.all(
        Array.from({ length: 12 }, (_, i) => login(i % 2 === 0 ? first.url : second.url)),
      )
      for (const [i, token] of tokens.entries()) {
        const me = await fetch(`${i % 2 === 0 ? second.url : first.url}/users/me/`, {
          headers: { authorization: `Bearer ${token}` },
        })
        expect(me.status).toBe(200)
      }
      for (const output of [first.output(), second.output()])
        expect(output).not.toContain(PASSWORD_ROLE.password)
    } finally {
      await Promise.all([stopScript(first.child), stopScript(second.child)])
    }
  })
})
