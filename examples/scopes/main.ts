import { serve } from 'gatehouse'
import { exitAfter } from '../shared/exit-after.js'
import { createScopesApp } from './app.js'
import { describeDatabase, readConfig } from './config.js'
import { openUserStore } from './users.js'

const config = readConfig()
const users = await openUserStore(config.database)
const app = createScopesApp({ secretKey: config.secretKey, users })
const server = await serve(app, { port: config.port, hostname: config.host })
// Cluster workers stay quiet; their primary reports once for all of them.
const quiet = process.env.GATEHOUSE_QUIET === '1'
if (config.usingDevelopmentKey && !quiet)
  console.warn("SECRET_KEY is not set: using the tutorial's published development key.")
if (!quiet)
  console.log(
    `Gatehouse scopes tutorial on ${server.url} (docs: ${server.url}/docs, users in ${describeDatabase(config.database)})`,
  )

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    exitAfter(server.close().then(() => users.close()))
  })
}
