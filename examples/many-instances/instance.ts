import { Gatehouse, serve } from 'gatehouse'
import {
  createAuthorizationServer,
  openStore,
  redactDatabaseURL,
} from 'gatehouse/authorization-server'
import { clientAddressFromEnv } from '../shared/client-address.js'
import { exitAfter } from '../shared/exit-after.js'
import { portFromEnv } from '../shared/port.js'

// One of N identical authorization-server instances behind a load balancer. Each gets the same
// DATABASE_URL (one PostgreSQL database) and the same ISSUER (the balancer's public URL); they
// share nothing else. Keys, clients, users, refresh-token families, codes, revocations and
// throttle counters live in the database, so any instance answers any request.
const databaseUrl = process.env.DATABASE_URL ?? 'authorization-server.db'
const issuer = process.env.ISSUER ?? 'http://127.0.0.1:8000'
const port = portFromEnv('PORT', process.env.PORT, 8001)
// The address the balancer saw (CLIENT_ADDRESS_HEADER=x-forwarded-for, from the balancers named
// in CLIENT_ADDRESS_PROXIES), for login throttling. Read before the database is touched.
const clientAddress = clientAddressFromEnv(process.env)
// Migrated on first start, once, however many instances start together (an advisory lock).
const store = await openStore(databaseUrl)
const server = createAuthorizationServer({
  issuer,
  store,
  scopes: { read: 'Read your data', write: 'Change your data' },
  defaultScopes: ['read'],
  // The `aud` of the tokens: the API that verifies them elsewhere.
  audience: process.env.AUDIENCE ?? `${issuer}/api`,
  clientAddress,
})
const app = new Gatehouse({ title: 'Authorization server', version: '1.0.0' })
app.include(server.router)

const running = await serve(app, {
  port,
  hostname: process.env.HOST ?? '127.0.0.1',
})
// Never the password: the URL is redacted.
console.log(
  `instance on ${running.url} (issuer ${issuer}, store ${redactDatabaseURL(databaseUrl)})`,
)

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    exitAfter(running.close().then(() => store.close()))
  })
