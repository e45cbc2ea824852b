import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createAuthorizationServer, openStore } from 'gatehouse/authorization-server'
import { PostgresCluster } from '../../tests/helpers/postgres-cluster.js'
import { type Measurement, withCPU } from '../lib/load.js'
import { type ResultRow, summarise } from '../lib/report.js'
import type { Scenario, Target } from '../lib/scenario.js'
import { type ServerProcess, startServer } from '../lib/server-process.js'
import { BENCH_CLIENT, BENCH_USER, STORE_SERVER_SETTINGS } from '../servers/stores/settings.js'
import { type ChainLoad, type ChainRequest, runChains } from './stores-load.js'

const TARGETS = [
  { engine: 'sqlite', processes: 1 },
  { engine: 'sqlite', processes: 2 },
  { engine: 'postgres', processes: 1 },
  { engine: 'postgres', processes: 2 },
] as const
const KINDS = ['issue', 'refresh'] as const
type Kind = (typeof KINDS)[number]

interface Running {
  readonly name: string
  readonly server: ServerProcess
  /** The load of each kind, on this target's own client and user. */
  readonly loads: Record<Kind, (connections: number, duration: number) => ChainLoad>
}

const form = (fields: Record<string, string>, authorization: string): ChainRequest => ({
  method: 'POST',
  path: '/token',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
  body: new URLSearchParams(fields).toString(),
})

/** Creates the bench's client and user in the store at `databaseUrl`; the client's Basic header. */
async function seed(databaseUrl: string): Promise<string> {
  const store = await openStore(databaseUrl)
  try {
    const server = createAuthorizationServer({ ...STORE_SERVER_SETTINGS, store })
    const client = await server.admin.createClient({ ...BENCH_CLIENT, scopes: ['read'] })
    await server.admin.createUser({ ...BENCH_USER, scopes: ['read'] })
    const secret = client.clientSecret as string
    return `Basic ${Buffer.from(`${BENCH_CLIENT.id}:${encodeURIComponent(secret)}`).toString('base64')}`
  } finally {
    await store.close()
  }
}

/**
 * The authorization server's two store-bound hot paths on each store and process count, in one
 * run: `POST /token` with `client_credentials` (a client read, an EdDSA signature) and with
 * `refresh_token` (a rotation: a write transaction per request, every connection carrying its own
 * token chain). SQLite is one file in WAL mode; PostgreSQL a private cluster started for the run
 * (durability settings of a throwaway test cluster: fsync off).
 */
export const stores: Scenario = {
  name: 'stores',
  description:
    'client_credentials tokens/s and refresh rotations/s, SQLite and PostgreSQL, 1 and 2 processes',
  plannedSeconds: (config) =>
    TARGETS.length * KINDS.length * config.rounds * (config.warmup + config.duration) + 20,
  async run({ config, pinning, log }) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-bench-stores-'))
    // Not pinned: PostgreSQL gets every CPU back, as unpinned servers do.
    const cluster = await PostgresCluster.create({ prefix: pinning.prefix(false) })
    const running: Running[] = []
    try {
      for (const { engine, processes } of TARGETS) {
        const name = `${engine}-${processes}p`
        const databaseUrl =
          engine === 'sqlite' ? path.join(dir, `${name}.db`) : await cluster.createDatabase()
        const authorization = await seed(databaseUrl)
        // One process on the server CPU like every pinned target; two share every CPU.
        const target: Target = {
          name,
          server:
            processes === 1
              ? 'servers/stores/authorization-server.ts'
              : 'servers/stores/cluster.ts',
          pinned: processes === 1,
        }
        const server = await startServer(target, `stores-${name}`, {
          pinning,
          env: { DATABASE_URL: databaseUrl, WORKERS: String(processes) },
        })
        // Each connection's current refresh token, kept from run to run. Each chain starts with a
        // password login, one after another (not measured: many at once would meet the hasher's
        // bounded queue, answered 503).
        const chains: string[] = []
        for (let connection = 0; connection < config.connections; connection++)
          chains.push(await passwordLogin(server.url, authorization))
        running.push({
          name,
          server,
          loads: {
            issue: (connections, duration) => ({
              connections,
              duration,
              next: () => form({ grant_type: 'client_credentials' }, authorization),
            }),
            refresh: (connections, duration) => ({
              connections,
              duration,
              next: (connection) =>
                form(
                  { grant_type: 'refresh_token', refresh_token: chains[connection] as string },
                  authorization,
                ),
              answered: (connection, body) => {
                chains[connection] = (body as { refresh_token: string }).refresh_token
              },
            }),
          },
        })
      }

      const samples = new Map(KINDS.map((kind) => [kind, new Map<string, Measurement[]>()]))
      for (let round = 1; round <= config.rounds; round++) {
        log(`  round ${round}/${config.rounds}`)
        for (const target of running)
          for (const kind of KINDS) {
            const load = target.loads[kind]
            check(
              target.name,
              kind,
              await runChains(target.server.url, load(config.connections, config.warmup)),
            )
            const run = await withCPU(target.server, () =>
              runChains(target.server.url, load(config.connections, config.duration)),
            )
            check(target.name, kind, run.value)
            const measurement: Measurement = {
              rps: run.value.requests / run.value.duration,
              p50Ms: run.value.p50Ms,
              p99Ms: run.value.p99Ms,
              serverCPUPercent: run.serverCPUPercent,
              loadCPUPercent: run.loadCPUPercent,
              otherCPUPercent: run.otherCPUPercent,
            }
            const byTarget = samples.get(kind) as Map<string, Measurement[]>
            byTarget.set(target.name, [...(byTarget.get(target.name) ?? []), measurement])
            log(
              `    ${`${kind} ${target.name}`.padEnd(22)}${Math.round(measurement.rps).toLocaleString('en-US').padStart(8)}/s, p99 ${measurement.p99Ms.toFixed(1)} ms`,
            )
          }
      }

      const rows: ResultRow[] = []
      for (const kind of KINDS) {
        const rssOf = new Map<string, number>()
        for (const target of running)
          rssOf.set(target.name, (await target.server.stats()).rssBytes / 2 ** 20)
        rows.push(
          ...summarise(
            `stores-${kind}`,
            'sqlite-1p',
            samples.get(kind) as Map<string, Measurement[]>,
            (name) => ({
              method: 'POST',
              path: '/token',
              rss_mb: Math.round((rssOf.get(name) ?? 0) * 10) / 10,
              pinned: pinning.active && name.endsWith('-1p'),
            }),
          ),
        )
      }
      return rows
    } finally {
      for (const target of running) await target.server.stop()
      await cluster.destroy()
      await rm(dir, { recursive: true, force: true })
    }
  },
}

/** A password login of the bench's user: its refresh token. */
async function passwordLogin(url: string, authorization: string): Promise<string> {
  const request = form({ grant_type: 'password', ...BENCH_USER }, authorization)
  const response = await fetch(`${url}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  })
  const body = (await response.json()) as { refresh_token?: string }
  if (response.status !== 200 || body.refresh_token === undefined)
    throw new Error(`stores: the password login answered ${response.status}`)
  return body.refresh_token
}

function check(target: string, kind: Kind, result: Awaited<ReturnType<typeof runChains>>): void {
  if (result.failures > 0)
    throw new Error(
      `stores: ${kind} on ${target}: ${result.failures} failed, first: ${result.firstFailure}`,
    )
  if (result.requests === 0) throw new Error(`stores: ${kind} on ${target}: no answer`)
}
