import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { sharedCluster } from './helpers/postgres.js'
import { findPostgresBinaries, HOW_TO_INSTALL } from './helpers/postgres-cluster.js'

// The PostgreSQL tests' own set-up: what it says without PostgreSQL, and what it starts with it.
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-bin-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('without PostgreSQL programs the tests fail saying how to get them', () => {
  expect(() => findPostgresBinaries([])).toThrow(HOW_TO_INSTALL)
  expect(() => findPostgresBinaries([dir])).toThrow(/apt-get install postgresql/)
  expect(HOW_TO_INSTALL).toMatch(/GATEHOUSE_POSTGRES_BIN/)
  for (const program of ['initdb', 'pg_ctl']) writeFileSync(join(dir, program), '')
  expect(findPostgresBinaries(['/nonexistent', dir])).toBe(dir)
})

test('the shared cluster is private: its own port and socket directory, durability off', async () => {
  const cluster = await sharedCluster()
  expect(cluster.port).not.toBe(5432)
  const [settings] = await cluster.query<Record<string, string>>(
    "SELECT current_setting('fsync') AS fsync, current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS sockets, current_setting('port') AS port",
  )
  expect(settings).toEqual({
    fsync: 'off',
    listen: '127.0.0.1',
    sockets: cluster.state.dir,
    port: String(cluster.port),
  })
  expect(cluster.state.dir.startsWith(tmpdir())).toBe(true)
})
