import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createScopesApp } from '../../examples/scopes/app.js'
import { DEVELOPMENT_SECRET_KEY } from '../../examples/scopes/config.js'
import { openSQLiteUserStore } from '../../examples/scopes/users.js'
import { nodeServer, type Transport } from './http.js'

/**
 * The tutorial app with its users in a fresh SQLite file, served through `engine` (by default a
 * real server on 127.0.0.1); `url` is the origin its paths resolve against.
 */
export async function startScopesApp(engine: Transport = nodeServer) {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-scopes-'))
  const users = openSQLiteUserStore(join(dir, 'users.db'))
  const app = createScopesApp({ secretKey: DEVELOPMENT_SECRET_KEY, users })
  const opened = await engine.open(app)
  return {
    app,
    users,
    url: opened.origin,
    send: opened.send,
    async close() {
      await opened.close()
      users.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** POST /token with the password form. */
export function login(
  send: (path: string, init?: RequestInit) => Promise<Response>,
  username: string,
  password: string,
  scope = '',
): Promise<Response> {
  return send('/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password, scope }).toString(),
  })
}
