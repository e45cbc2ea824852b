// One authorization-server instance in its own process, on the store DATABASE_URL names: the
// multi-process and fault tests start several on one PostgreSQL database. Prints its URL as a
// JSON line once listening; stops on SIGTERM or when stdin closes.
import { Gatehouse, Security, serve } from 'gatehouse'
import { createAuthorizationServer, openStore } from 'gatehouse/authorization-server'
import { cheapPasswords, INSTANCE_SETTINGS } from './postgres-instances.js'

const databaseUrl = process.env.DATABASE_URL
if (!databaseUrl) throw new Error('DATABASE_URL is required')
const store = await openStore(databaseUrl)
const server = createAuthorizationServer({
  ...INSTANCE_SETTINGS,
  store,
  passwords: cheapPasswords(),
})
const app = new Gatehouse()
app.include(server.router)
app.get(
  '/api/read',
  { inputs: { me: Security(server.currentPrincipal, { scopes: ['read'] }) } },
  ({ me }) => ({ subject: me.subject, scopes: me.scopes }),
)
const running = await serve(app, { port: 0, hostname: '127.0.0.1' })
process.stdout.write(`${JSON.stringify({ url: running.url, pid: process.pid })}\n`)

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  await running.close()
  await store.close()
  process.exit(0)
}
process.once('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.resume()
