import { beforeAll, describe, expect, test } from 'vitest'
import { startedBanner, startScript, stopScript } from './helpers/npm-script.js'
import { freshDatabase, sharedCluster } from './helpers/postgres.js'
import { PASSWORD_ROLE } from './helpers/postgres-cluster.js'
import { basic, postForm } from './helpers/postgres-instances.js'

// `npm run start:authorization-server` twice at once on one PostgreSQL database, one ISSUER:
// one of them seeds the demo (and prints its secrets), both serve it, neither prints the
// database password.
const ISSUER = 'http://127.0.0.1:8000'

function start(env: Record<string, string>) {
  const all = { PORT: '0', HOST: '127.0.0.1', ISSUER, ...env }
  return startScript('start:authorization-server', all, startedBanner, 90_000)
}

let databaseUrl: string
beforeAll(async () => {
  const cluster = await sharedCluster()
  const database = new URL(await freshDatabase({ owner: PASSWORD_ROLE.name })).pathname.slice(1)
  databaseUrl = `postgres://${PASSWORD_ROLE.name}:${encodeURIComponent(PASSWORD_ROLE.password)}@127.0.0.1:${cluster.port}/${database}`
})

describe('the authorization-server example, two instances on one PostgreSQL database', {
  timeout: 180_000,
}, () => {
  test('start together: one seeds, both serve its clients, and a token from one works on the other', async () => {
    const instances = await Promise.all([
      start({ DATABASE_URL: databaseUrl }),
      start({ DATABASE_URL: databaseUrl }),
    ])
    try {
      const outputs = instances.map((instance) => instance.output())
      const seeders = outputs.filter((output) => output.includes('First start'))
      expect(seeders).toHaveLength(1)
      for (const output of outputs) {
        expect(output).not.toContain(PASSWORD_ROLE.password)
        expect(output).not.toContain(encodeURIComponent(PASSWORD_ROLE.password))
      }
      expect(seeders[0]).toContain(`created in postgres://${PASSWORD_ROLE.name}:***@127.0.0.1:`)
      const secret = /client demo-service .*, secret (\S+)/.exec(
        seeders[0] as string,
      )?.[1] as string
      const urls = outputs.map(
        (output) =>
          /authorization server on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string,
      )
      for (const [i, url] of urls.entries()) {
        const issued = await postForm(
          `${url}/token`,
          { grant_type: 'client_credentials' },
          {
            authorization: basic('demo-service', secret),
          },
        )
        expect(issued.status).toBe(200)
        const { access_token } = (await issued.json()) as { access_token: string }
        const other = urls[(i + 1) % urls.length] as string
        const whoami = await fetch(`${other}/api/whoami`, {
          headers: { authorization: `Bearer ${access_token}` },
        })
        expect(whoami.status).toBe(200)
        expect(await whoami.json()).toMatchObject({ client_id: 'demo-service' })
      }
    } finally {
      await Promise.all(instances.map((instance) => stopScript(instance.child)))
    }
  })
})
