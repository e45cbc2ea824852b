import cluster from 'node:cluster'
import { availableParallelism } from 'node:os'
import { readConfig } from './config.js'
import { openSQLiteUserStore } from './users.js'

/**
 * The tutorial app on every core: one primary process forks `WORKERS` (default: one per core) Node
 * processes that share one port (Node's cluster module distributes connections). Access tokens are
 * self-contained JWTs, so any worker verifies any token; users live in one SQLite file in WAL mode.
 */
const workers = Number(process.env.WORKERS ?? availableParallelism())
if (!Number.isInteger(workers) || workers < 1) throw new Error('WORKERS must be a positive integer')

if (cluster.isPrimary) {
  // Create and seed the database once, before the workers race to open it.
  openSQLiteUserStore(readConfig().databaseFile).close()
  let stopping = false
  let listening = 0
  cluster.on('listening', (_worker, address) => {
    if (++listening === workers)
      console.log(
        `Gatehouse scopes tutorial on http://${address.address}:${address.port} (${workers} workers)`,
      )
  })
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`)
    cluster.fork()
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM')
    })
  }
  for (let i = 0; i < workers; i++) cluster.fork({ GATEHOUSE_QUIET: '1' })
} else {
  await import('./main.js')
}
