import { Gatehouse, serve } from 'gatehouse'
import { createAuthorizationServer, openSQLiteStore } from 'gatehouse/authorization-server'
import { announce, listenOptions } from '../../lib/listen.js'
import { AUDIENCE, algorithm, ISSUER, setting } from './common.js'

// Gatehouse's authorization server as an app mounts it, on the embedded SQLite store the bench
// provisioned (client, user), signing with a key of TOKENS_ALG that it makes on first start.
const store = await openSQLiteStore(setting('TOKENS_DATABASE'))
const server = createAuthorizationServer({
  issuer: ISSUER,
  store,
  scopes: { read: 'Read your data' },
  defaultScopes: ['read'],
  audience: AUDIENCE,
  keys: { algorithm: algorithm() },
})
const app = new Gatehouse({ title: 'Bench: tokens' })
app.include(server.router)
const running = await serve(app, listenOptions)
announce(running.port)
