import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Gatehouse, ServiceUnavailableError } from 'gatehouse'
import {
  type AuthorizationServerStore,
  createAuthorizationServer,
  createMemoryStore,
  openSQLiteStore,
} from 'gatehouse/authorization-server'
import { afterAll, describe, expect, test } from 'vitest'
import { basic, ISSUER, postForm, testPasswords } from './helpers/authorization-server.js'
import { captureLogger, transports } from './helpers/http.js'

// A store that cannot answer gives the client a 503 and the operator a line saying why (the
// driver's reason), at most once every ten seconds however many calls fail, never the token.

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-outage-log-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

/** A memory store whose token lookups fail with `error`. */
function failingStore(error: Error): AuthorizationServerStore {
  const base = createMemoryStore()
  return new Proxy(base, {
    get(target, property) {
      const value = Reflect.get(target, property)
      if (property !== 'findRefreshToken' || typeof value !== 'function') return value
      return async () => {
        throw error
      }
    },
  })
}

async function serverOn(store: AuthorizationServerStore) {
  const server = createAuthorizationServer({
    issuer: ISSUER,
    store,
    scopes: { read: 'Read' },
    passwords: testPasswords,
  })
  const { clientSecret } = await server.admin.createClient({
    id: 'api',
    grantTypes: ['client_credentials'],
    scopes: ['read'],
  })
  const logger = captureLogger()
  const app = new Gatehouse({ logger })
  app.include(server.router)
  return { app, logger, auth: { authorization: basic('api', clientSecret as string) } }
}

describe.each(transports)('a store outage ($name)', (transport) => {
  test('SQLite locked by another process: logged once with its reason, not once per request', async () => {
    const file = join(dir, `locked-${++files}.db`)
    const store = await openSQLiteStore(file, { busyTimeout: 50 })
    const { app, logger, auth } = await serverOn(store)
    const opened = await transport.open(app)
    const other = new Database(file)
    try {
      const issued = await postForm(
        opened.send,
        '/token',
        { grant_type: 'client_credentials', scope: 'read' },
        auth,
      )
      const token = ((await issued.json()) as { access_token: string }).access_token
      // Revoking it writes, which the other process's lock holds up.
      other.exec('BEGIN IMMEDIATE')
      for (let i = 0; i < 3; i++) {
        const answer = await postForm(opened.send, '/revoke', { token }, auth)
        expect(answer.status).toBe(503)
        expect((await answer.json()).error).toBe('temporarily_unavailable')
      }
      expect(logger.calls).toEqual([
        ['The database is busy (POST /revoke): database is locked', undefined],
      ])
      expect(JSON.stringify(logger.calls)).not.toContain(token)
    } finally {
      other.exec('ROLLBACK')
      other.close()
      await opened.close()
      await store.close()
    }
  })

  test('a refused connection on every address of the host: each reason, joined', async () => {
    // What Node reports when `localhost` is both ::1 and 127.0.0.1: no message of its own.
    const refused = new AggregateError(
      [
        new Error('connect ECONNREFUSED ::1:5432'),
        new Error('connect ECONNREFUSED 127.0.0.1:5432'),
      ],
      '',
    )
    const store = failingStore(
      new ServiceUnavailableError(1, 'The database is busy', { cause: refused, logCause: true }),
    )
    const { app, logger, auth } = await serverOn(store)
    const opened = await transport.open(app)
    try {
      const answer = await postForm(opened.send, '/introspect', { token: 'opaque' }, auth)
      expect(answer.status).toBe(503)
      expect(logger.calls).toEqual([
        [
          'The database is busy (POST /introspect): connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432',
          undefined,
        ],
      ])
    } finally {
      await opened.close()
    }
  })

  test("an app's own 503 with a cause is not logged: only the store's ask for it", async () => {
    const store = failingStore(
      new ServiceUnavailableError(1, 'Maintenance', {
        cause: new Error('GET https://status.example/?api_key=do-not-log failed'),
      }),
    )
    const { app, logger, auth } = await serverOn(store)
    const opened = await transport.open(app)
    try {
      const answer = await postForm(opened.send, '/introspect', { token: 'opaque' }, auth)
      expect(answer.status).toBe(503)
      expect(logger.calls).toEqual([])
    } finally {
      await opened.close()
    }
  })
})
