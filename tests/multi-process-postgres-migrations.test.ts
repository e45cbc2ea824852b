import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { freshDatabase, sharedCluster } from './helpers/postgres.js'
import type { PostgresCluster } from './helpers/postgres-cluster.js'

// Instances starting together on a fresh database must migrate it exactly once: Kysely's
// migrator holds a PostgreSQL advisory lock while it migrates, and the others wait for it.
const PROCESSES = 3
const DATABASES = 8

interface Worker {
  child: ChildProcess
  /** Sends a URL; resolves with what opening the store there gave. */
  open(url: string): Promise<{ ok: boolean; message?: string }>
}

function startWorker(): Promise<Worker> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'helpers/postgres-migrate-worker.ts')],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  const waiting: ((line: string) => void)[] = []
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`migration worker exited with ${code}`)))
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line === 'ready')
        resolve({
          child,
          open(url) {
            child.stdin?.write(`${url}\n`)
            return new Promise((answer) => waiting.push((reply) => answer(JSON.parse(reply))))
          },
        })
      else waiting.shift()?.(line)
    })
  })
}

let cluster: PostgresCluster
let workers: Worker[]
beforeAll(async () => {
  cluster = await sharedCluster()
  workers = await Promise.all(Array.from({ length: PROCESSES }, startWorker))
}, 90_000)
afterAll(() => {
  for (const worker of workers ?? []) worker.child.stdin?.end()
})

test(`${PROCESSES} processes migrating each of ${DATABASES} fresh databases at once all succeed, and each migration ran once`, {
  timeout: 120_000,
}, async () => {
  for (let i = 0; i < DATABASES; i++) {
    const url = await freshDatabase()
    const outcomes = await Promise.all(workers.map((worker) => worker.open(url)))
    expect(outcomes).toEqual(Array.from({ length: PROCESSES }, () => ({ ok: true })))
    const database = new URL(url).pathname.slice(1)
    const runs = await cluster.query<{ name: string; count: string }>(
      'SELECT name, count(*) AS count FROM gatehouse_migrations GROUP BY name ORDER BY name',
      database,
    )
    expect(runs.length).toBeGreaterThan(0)
    expect(runs.every((run) => run.count === '1')).toBe(true)
    const users = await cluster.query("SELECT to_regclass('gatehouse_users') AS t", database)
    expect(users).toEqual([{ t: 'gatehouse_users' }])
  }
})
