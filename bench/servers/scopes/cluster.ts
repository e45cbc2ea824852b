import cluster from 'node:cluster'
import { announce } from '../../lib/listen.js'

// examples/scopes/cluster.ts as `npm run start:cluster` runs it (WORKERS from the environment).
// The primary reports to the bench once every worker listens, counting the workers' memory and CPU
// as its own; the workers, forked from this file, only run the example.
if (cluster.isPrimary) {
  const workers = Number(process.env.WORKERS)
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
}
await import('../../../examples/scopes/cluster.js')
