import cluster from 'node:cluster'
import { announce } from '../../lib/listen.js'

// WORKERS processes of `authorization-server.ts` sharing one port (Node's cluster module) and one
// store. The primary reports once every worker listens, counting their memory and CPU as its own.
if (cluster.isPrimary) {
  const workers = Number(process.env.WORKERS)
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error('WORKERS must be a positive integer')
  let listening = 0
  cluster.on('listening', (_worker, address) => {
    if (++listening === workers)
      announce(address.port, {
        children: () =>
          Object.values(cluster.workers ?? {}).flatMap((worker) =>
            worker?.process.pid === undefined ? [] : [worker.process.pid],
          ),
      })
  })
  cluster.on('exit', (worker, code) => {
    console.error(`stores cluster: worker ${worker.process.pid} exited (${code})`)
    process.exit(1)
  })
  process.on('disconnect', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill()
    process.exit(0)
  })
  for (let i = 0; i < workers; i++) cluster.fork()
} else {
  await import('./authorization-server.js')
}
