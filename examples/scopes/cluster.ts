import cluster from 'node:cluster'
import { availableParallelism } from 'node:os'
import { exitWith as exitWithLine } from '../shared/exit-with.js'
import { readConfig, type ScopesConfig } from './config.js'
import { openUserStore } from './users.js'

const exitWith: (error: unknown) => never = exitWithLine('scopes tutorial')

/**
 * The tutorial app on every core: one primary process forks `WORKERS` (default: one per core) Node
 * processes that share one port. Access tokens are self-contained JWTs, so any worker verifies any
 * token; users live in one SQLite file in WAL mode, or in PostgreSQL (`DATABASE_URL=postgres://…`).
 */
const workers = Number(process.env.WORKERS || availableParallelism())
if (!Number.isInteger(workers) || workers < 1) exitWith('WORKERS must be a positive integer')

if (cluster.isPrimary) {
  // Workers accept connections themselves from the shared socket. With Node's default round-robin
  // the primary accepts them and passes each to a worker; one passed to a worker that dies before
  // taking it is neither closed nor passed on, and its client waits until it gives up.
  cluster.schedulingPolicy = cluster.SCHED_NONE
  let config: ScopesConfig
  try {
    config = readConfig()
  } catch (error) {
    exitWith(error)
  }
  // Create and seed the database once, before the workers race to open it.
  await (await openUserStore(config.database).catch(exitWith)).close()
  // Every worker, first or replacement, stays quiet: the primary speaks once for all of them.
  const fork = () => cluster.fork({ GATEHOUSE_QUIET: '1' })
  let stopping = false
  let listening = 0
  // Workers that have listened once. While none ever has, one that dies is a start-up that
  // cannot work (the port in use, a bad SECRET_KEY): replacing it would fail forever. Once the
  // cluster has served, a replacement that dies early (the database away a moment) is tried
  // again, a second later.
  const started = new Set<number>()
  cluster.on('listening', (worker, address) => {
    started.add(worker.id)
    if (++listening !== workers) return
    if (config.usingDevelopmentKey)
      console.warn("SECRET_KEY is not set: using the tutorial's published development key.")
    console.log(
      `Gatehouse scopes tutorial on http://${address.address}:${address.port} (${workers} workers)`,
    )
  })
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return
    if (started.size === 0) {
      // Its own line on stderr said why; the others would fail alike.
      stopping = true
      for (const other of Object.values(cluster.workers ?? {})) other?.kill('SIGTERM')
      exitWith(`worker ${worker.process.pid} could not start (${signal ?? code}); stopping`)
    }
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`)
    if (started.has(worker.id)) fork()
    else setTimeout(() => stopping || fork(), 1000)
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM')
    })
  }
  for (let i = 0; i < workers; i++) fork()
} else {
  await import('./main.js')
}
