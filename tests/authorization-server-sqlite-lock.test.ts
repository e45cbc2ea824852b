import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Gatehouse } from 'gatehouse'
import { createAuthorizationServer, openSQLiteStore } from 'gatehouse/authorization-server'
import { afterAll, expect, test } from 'vitest'
import { basic, ISSUER, postForm } from './helpers/authorization-server.js'
import { describeEachEngine, serveThrough } from './helpers/http.js'

// Another process (the CLI, a migration, another instance) holds the SQLite file's write lock:
// the requests that must write wait for it, and every other request is answered meanwhile.

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-lock-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const file = join(dir, 'auth.db')
const store = await openSQLiteStore(file, { busyTimeout: 3000 })
const server = createAuthorizationServer({ issuer: ISSUER, store, scopes: { read: 'Read' } })
const { clientSecret } = await server.admin.createClient({
  id: 'service',
  grantTypes: ['client_credentials'],
  scopes: ['read'],
})
const app = new Gatehouse({ title: 'Locked' })
app.include(server.router)
app.get('/ping', {}, () => ({ ok: true }))
afterAll(() => store.close())

describeEachEngine('a SQLite write lock held by another process', (engine) => {
  const send = serveThrough(engine, app)

  test('a revocation waits for it without holding up a request that needs no lock', async () => {
    const auth = { authorization: basic('service', clientSecret as string) }
    const issued = await postForm(
      send,
      '/token',
      { grant_type: 'client_credentials', scope: 'read' },
      auth,
    )
    expect(issued.status).toBe(200)
    const { access_token: token } = (await issued.json()) as { access_token: string }
    const before = await postForm(send, '/introspect', { token }, auth)
    expect(await before.json()).toMatchObject({ active: true })
    const other = new Database(file)
    other.exec('BEGIN IMMEDIATE')
    let released = 0
    try {
      const revoking = postForm(send, '/revoke', { token }, auth)
      await new Promise((resolve) => setTimeout(resolve, 50))
      const pinged = performance.now()
      expect((await send('/ping')).status).toBe(200)
      expect(performance.now() - pinged).toBeLessThan(500)
      await new Promise((resolve) => setTimeout(resolve, 200))
      other.exec('ROLLBACK')
      released = performance.now()
      const revoked = await revoking
      expect(revoked.status).toBe(200)
      // Landed soon after the lock went, not when the busy timeout ran out.
      expect(performance.now() - released).toBeLessThan(1000)
    } finally {
      if (released === 0) other.exec('ROLLBACK')
      other.close()
    }
    const introspected = await postForm(send, '/introspect', { token }, auth)
    expect(await introspected.json()).toEqual({ active: false })
  })
})
