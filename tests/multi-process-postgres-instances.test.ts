import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect, createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAuthorizationServer, openStore } from 'gatehouse/authorization-server'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { freshDatabase } from './helpers/postgres.js'
import { basic, postForm } from './helpers/postgres-instances.js'

// The README's deployment: examples/many-instances/instance.ts twice on one PostgreSQL database
// behind a load balancer (here a round-robin TCP proxy), and examples/many-instances/api.ts
// elsewhere, trusting the balancer's URL and verifying through the JWKS alone.
const root = fileURLToPath(new URL('..', import.meta.url))

/** Starts an example with `env`; resolves with its URL once it prints `on http://…`. */
function startExample(
  file: string,
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('examples/many-instances', file)],
    {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start:\n${output}`)), 60_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = / on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve({ url: match[1], child, output: () => output })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}:\n${output}`)))
  })
}

/** A round-robin TCP load balancer in front of `backends` (filled in later); counts connections. */
async function startBalancer(backends: URL[]) {
  const counts = new Map<string, number>()
  let next = 0
  const server: Server = createServer((socket) => {
    const backend = backends[next++ % backends.length] as URL
    counts.set(backend.host, (counts.get(backend.host) ?? 0) + 1)
    const upstream = connect(Number(backend.port), backend.hostname)
    socket.pipe(upstream).pipe(socket)
    const end = () => {
      socket.destroy()
      upstream.destroy()
    }
    socket.on('error', end)
    upstream.on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}`, counts, close: () => server.close() }
}

const PASSWORD = 'pw-in-the-url-only'
let balancer: Awaited<ReturnType<typeof startBalancer>>
let instances: Awaited<ReturnType<typeof startExample>>[] = []
let api: Awaited<ReturnType<typeof startExample>>
let auth: string
const backends: URL[] = []

beforeAll(async () => {
  const url = new URL(await freshDatabase())
  url.password = PASSWORD // trust authentication ignores it; the instances must not print it
  balancer = await startBalancer(backends)
  const env = { DATABASE_URL: url.href, ISSUER: balancer.url }
  instances = await Promise.all([
    startExample('instance.ts', env),
    startExample('instance.ts', env),
  ])
  backends.push(...instances.map((instance) => new URL(instance.url)))
  api = await startExample('api.ts', { ISSUER: balancer.url })
  // The client, created as `gatehouse clients create` would: in the shared database.
  const store = await openStore(url.href)
  const server = createAuthorizationServer({
    issuer: balancer.url,
    store,
    scopes: { read: 'Read your data', write: 'Change your data' },
  })
  const created = await server.admin.createClient({
    id: 'reports',
    grantTypes: ['client_credentials'],
    scopes: ['read'],
  })
  await store.close()
  auth = basic('reports', created.clientSecret as string)
}, 120_000)

afterAll(async () => {
  for (const child of [...instances, api].filter(Boolean)) child.child.kill('SIGTERM')
  balancer?.close()
})

describe('N instances behind a load balancer, an API elsewhere', { timeout: 60_000 }, () => {
  test('tokens from whichever instance answered are verified by the API through the JWKS alone', async () => {
    for (let i = 0; i < 10; i++) {
      const issued = await postForm(
        `${balancer.url}/token`,
        { grant_type: 'client_credentials' },
        { authorization: auth, connection: 'close' },
      )
      expect(issued.status).toBe(200)
      const { access_token, scope } = (await issued.json()) as {
        access_token: string
        scope: string
      }
      expect(scope).toBe('read')
      const me = await fetch(`${api.url}/whoami`, {
        headers: { authorization: `Bearer ${access_token}` },
      })
      expect(me.status).toBe(200)
      expect(await me.json()).toEqual({ subject: 'reports', scopes: ['read'] })
    }
    // Both instances issued tokens (and served the JWKS the API fetched).
    expect([...balancer.counts.values()].every((count) => count >= 5)).toBe(true)
    const refused = await fetch(`${api.url}/whoami`, { headers: { authorization: 'Bearer x.y.z' } })
    expect(refused.status).toBe(401)
  })

  test('every instance publishes the same keys and metadata naming the balancer', async () => {
    const [a, b] = await Promise.all(
      instances.map(async (instance) => ({
        jwks: await (await fetch(`${instance.url}/.well-known/jwks.json`)).json(),
        metadata: await (
          await fetch(`${instance.url}/.well-known/oauth-authorization-server`)
        ).json(),
      })),
    )
    expect(b).toEqual(a)
    expect(a?.metadata.issuer).toBe(balancer.url)
    expect(a?.metadata.token_endpoint).toBe(`${balancer.url}/token`)
  })

  test('the instances print where their store is, without the password', () => {
    for (const instance of instances) {
      expect(instance.output()).toMatch(/store postgres:\/\/gatehouse:\*\*\*@127\.0\.0\.1:\d+\//)
      expect(instance.output()).not.toContain(PASSWORD)
    }
  })
})

test('the README quotes examples/many-instances as it is', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  for (const file of ['instance.ts', 'api.ts']) {
    const source = readFileSync(
      new URL(`../examples/many-instances/${file}`, import.meta.url),
      'utf8',
    )
    expect(readme).toContain(source.trim())
  }
})
