import cluster from 'node:cluster'
import { availableParallelism } from 'node:os'
import { readConfig } from './config.js'
import { openUserStore } from './users.js'

/**
 * The tutorial app on every core: one primary process forks `WORKERS` (default: one per core) Node
 * processes that share one port. Access tokens are self-contained JWTs, so any worker verifies any
 * token; users live in one SQLite file in WAL mode, or in PostgreSQL (`DATABASE_URL=postgres://…`).
 */
const workers = Number(process.env.WORKERS ?? availableParallelism())
if (!Number.isInteger(workers) || workers < 1) throw new Error('WORKERS must be a positive integer')

if (cluster.isPrimary) {
  // Workers accept connections themselves from the shared socket. With Node's default round-robin
  // the primary accepts them and passes each to a worker; one passed to a worker that dies before
  // taking it is neither closed nor passed on, and its client waits until it gives up.
  cluster.schedulingPolicy = cluster.SCHED_NONE
  const config = readConfig()
  // Create and seed the database once, before the workers race to open it.
  await (await openUserStore(config.database)).close()
  // Every worker, first or replacement, stays quiet: the primary speaks once for all of them.
  const fork = () => cluster.fork({ GATEHOUSE_QUIET: '1' })
  let stopping = false
  let listening = 0
  cluster.on('listening', (_worker, address) => {
    if (++listening !== workers) return
    if (config.usingDevelopmentKey)
      console.warn("SECRET_KEY is not set: using the tutorial's published development key.")
    console.log(
      `Gatehouse scopes tutorial on http://${address.address}:${address.port} (${workers} workers)`,
    )
  })
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`)
    fork()
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
