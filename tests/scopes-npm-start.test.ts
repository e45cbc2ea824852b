import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, test } from 'vitest'
import { listeningURL, startScript, stopScript } from './helpers/npm-script.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-start-'))
const databaseFile = join(dir, 'users.db')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Run `npm start` (or another script) on a free port and resolve with its URL once listening. */
async function npmStart(script = 'start', extraEnv: Record<string, string> = {}) {
  const env = { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseFile, ...extraEnv }
  const started = await startScript(script, env, listeningURL, 30_000)
  return { ...started, url: started.ready }
}

describe('npm start', { timeout: 60_000 }, () => {
  test('serves the tutorial app and seeds the SQLite file once', async () => {
    const first = await npmStart()
    try {
      expect(existsSync(databaseFile)).toBe(true)
      const token = await fetch(`${first.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=johndoe&password=secret&scope=me',
      })
      expect(token.status).toBe(200)
      const { access_token } = await token.json()
      const me = await fetch(`${first.url}/users/me/`, {
        headers: { authorization: `Bearer ${access_token}` },
      })
      expect(await me.json()).toMatchObject({ username: 'johndoe' })
      expect(first.output()).toContain('SECRET_KEY is not set')
      expect(first.output()).not.toContain(
        '09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7',
      )
    } finally {
      await stopScript(first.child)
    }

    // A second start reuses the file: no duplicate seeding, data kept.
    const second = await npmStart()
    try {
      const status = await fetch(`${second.url}/docs`)
      expect(status.status).toBe(200)
    } finally {
      await stopScript(second.child)
    }
    const db = new Database(databaseFile, { readonly: true })
    const rows = db.prepare('SELECT username, disabled FROM users ORDER BY username').all()
    db.close()
    expect(rows).toEqual([
      { username: 'alice', disabled: 1 },
      { username: 'johndoe', disabled: 0 },
    ])
  })

  test('npm run start:cluster serves the same app from several processes on one port', async () => {
    const cluster = await npmStart('start:cluster', { WORKERS: '2' })
    try {
      expect(cluster.output()).toContain('(2 workers)')
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${cluster.url}/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'username=johndoe&password=secret&scope=me',
          }),
        ),
      )
      const tokens = await Promise.all(answers.map(async (r) => (await r.json()).access_token))
      // Any worker verifies a token another worker issued: they share only the key and the file.
      for (const token of tokens) {
        const me = await fetch(`${cluster.url}/users/me/`, {
          headers: { authorization: `Bearer ${token}` },
        })
        expect(me.status).toBe(200)
      }
    } finally {
      await stopScript(cluster.child)
    }
  })
})
