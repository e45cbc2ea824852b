import cluster from 'node:cluster'
import { Gatehouse, serve } from 'gatehouse'
import { createAuthorizationServer, openStore } from 'gatehouse/authorization-server'
import { announce, listenOptions } from '../../lib/listen.js'
import { STORE_SERVER_SETTINGS } from './settings.js'

// The authorization server (EdDSA tokens) on the store DATABASE_URL names: a SQLite file or a
// PostgreSQL database. Run alone, or as a worker of `cluster.ts`.
const databaseUrl = process.env.DATABASE_URL
if (!databaseUrl) throw new Error('DATABASE_URL is required')
const store = await openStore(databaseUrl)
const server = createAuthorizationServer({ ...STORE_SERVER_SETTINGS, store })
const app = new Gatehouse()
app.include(server.router)
const running = await serve(app, listenOptions)
// A cluster's primary reports for its workers.
if (cluster.isPrimary) announce(running.port)
