import { Gatehouse, serve } from 'gatehouse'
import { createAuthorizationServer, openStore } from 'gatehouse/authorization-server'
import { beforeAll, describe, expect, test } from 'vitest'
import { gatehouse, gatehouseJSON } from './helpers/cli.js'
import { freshDatabase, sharedCluster } from './helpers/postgres.js'
import { PASSWORD_ROLE } from './helpers/postgres-cluster.js'
import { basic, postForm } from './helpers/postgres-instances.js'

// The `gatehouse` CLI with DATABASE_URL=postgres://…: the commands work on a PostgreSQL database
// (migrated on first use), and neither the password nor a secret's hash is ever printed.
let databaseUrl: string
beforeAll(async () => {
  const cluster = await sharedCluster()
  const database = new URL(await freshDatabase({ owner: PASSWORD_ROLE.name })).pathname.slice(1)
  databaseUrl = `postgres://${PASSWORD_ROLE.name}:${encodeURIComponent(PASSWORD_ROLE.password)}@127.0.0.1:${cluster.port}/${database}`
})

describe('gatehouse on PostgreSQL', { timeout: 90_000 }, () => {
  test('creates and lists users, clients and keys in the database the server then uses', async () => {
    const created = await gatehouse(
      ['users', 'create', 'ada', '--password-stdin', '--scopes', 'read write', '--json'],
      { databaseUrl, input: 'ada-password' },
    )
    expect(created.code).toBe(0)
    const client = await gatehouseJSON<{ client_id: string; client_secret: string }>(
      [
        'clients',
        'create',
        'reports',
        '--grant-types',
        'client_credentials',
        '--scopes',
        'read',
        '--json',
      ],
      { databaseUrl },
    )
    expect(client.client_id).toBe('reports')
    const users = await gatehouseJSON<{ username: string }[]>(['users', 'list', '--json'], {
      databaseUrl,
    })
    expect(users.map((u) => u.username)).toEqual(['ada'])
    const rotated = await gatehouseJSON<{ active: { kid: string } }>(['keys', 'rotate', '--json'], {
      databaseUrl,
    })
    const keys = await gatehouseJSON<{ kid: string; active: boolean }[]>(
      ['keys', 'list', '--json'],
      {
        databaseUrl,
      },
    )
    expect(keys.filter((k) => k.active).map((k) => k.kid)).toEqual([rotated.active.kid])

    // A server on the same database takes the client and its secret, and signs with that key.
    const store = await openStore(databaseUrl)
    const server = createAuthorizationServer({
      issuer: 'https://auth.example.com',
      store,
      scopes: { read: 'Read', write: 'Write' },
      defaultScopes: ['read'],
    })
    const app = new Gatehouse()
    app.include(server.router)
    const running = await serve(app, { port: 0, hostname: '127.0.0.1' })
    try {
      const token = await postForm(
        `${running.url}/token`,
        { grant_type: 'client_credentials' },
        {
          authorization: basic('reports', client.client_secret),
        },
      )
      expect(token.status).toBe(200)
      const { access_token } = (await token.json()) as { access_token: string }
      const header = JSON.parse(
        Buffer.from(access_token.split('.')[0] as string, 'base64url').toString(),
      )
      expect(header.kid).toBe(rotated.active.kid)
    } finally {
      await running.close()
      await store.close()
    }
  })

  test('never prints the password of the URL', async () => {
    const runs = await Promise.all([
      gatehouse(['users', 'list'], { databaseUrl }),
      gatehouse(['clients', 'list', '--json'], { databaseUrl }),
      gatehouse(['users', 'create', 'ada', '--password-stdin'], { databaseUrl, input: 'x' }),
    ])
    expect(runs.map((run) => run.code)).toEqual([0, 0, 3])
    for (const run of runs) {
      expect(run.stdout + run.stderr).not.toContain(PASSWORD_ROLE.password)
      expect(run.stdout + run.stderr).not.toContain(encodeURIComponent(PASSWORD_ROLE.password))
    }
  })
})
