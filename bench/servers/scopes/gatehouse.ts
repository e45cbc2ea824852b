import { serve } from 'gatehouse'
import { createScopesApp } from '../../../examples/scopes/app.js'
import { readConfig, sqliteFileOf } from '../../../examples/scopes/config.js'
import { openSQLiteUserStore } from '../../../examples/scopes/users.js'
import { announce, listenOptions } from '../../lib/listen.js'

// The tutorial app exactly as `npm start` (examples/scopes/main.ts) runs it, on the bench's port,
// secret and temporary database.
const config = readConfig()
const users = openSQLiteUserStore(sqliteFileOf(config))
const app = createScopesApp({ secretKey: config.secretKey, users })
const server = await serve(app, listenOptions)
announce(server.port)
