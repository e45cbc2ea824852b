import { serve } from 'gatehouse'
import { exitAfter } from '../shared/exit-after.js'
import { exitWith as exitWithLine, listenFailure } from '../shared/exit-with.js'
import { createScopesApp } from './app.js'
import { describeDatabase, readConfig, type ScopesConfig } from './config.js'
import { openUserStore } from './users.js'

/** A set-up mistake (a bad PORT, SECRET_KEY or DATABASE_URL): one line, exit 1, no stack trace. */
const exitWith: (error: unknown) => never = exitWithLine('scopes tutorial')

let config: ScopesConfig
try {
  config = readConfig()
} catch (error) {
  exitWith(error)
}
const users = await openUserStore(config.database).catch(exitWith)
let app: ReturnType<typeof createScopesApp>
try {
  app = createScopesApp({ secretKey: config.secretKey, users })
} catch (error) {
  await users.close()
  exitWith(error)
}
const server = await serve(app, { port: config.port, hostname: config.host }).catch(
  async (error: unknown) => {
    await users.close()
    exitWith(listenFailure(config.host, config.port, error))
  },
)
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
