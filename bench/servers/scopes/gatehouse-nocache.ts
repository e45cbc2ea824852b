import { serve } from 'gatehouse'
import { createScopesApp } from '../../../examples/scopes/app.js'
import { readConfig, sqliteFileOf } from '../../../examples/scopes/config.js'
import { openSQLiteUserStore } from '../../../examples/scopes/users.js'
import { announce, listenOptions } from '../../lib/listen.js'

// The tutorial app with the JWT codec's verified-token cache turned off: every request checks the
// HMAC and the claims, exactly like the hand-written servers do.
const config = readConfig()
const users = openSQLiteUserStore(sqliteFileOf(config))
const app = createScopesApp({ secretKey: config.secretKey, users, jwtCacheSize: 0 })
const server = await serve(app, listenOptions)
announce(server.port)
