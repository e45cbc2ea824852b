import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { inject } from 'vitest'
import { type ClusterState, PostgresCluster } from './postgres-cluster.js'

let shared: Promise<PostgresCluster> | undefined

/**
 * The run's one PostgreSQL cluster, shared by every test file: the first file to ask starts it
 * (the others wait for it), the global set-up stops it after the run. Without PostgreSQL
 * installed this fails saying how to install it. Never stop it from a test: other files use it
 * at the same time (start a private `PostgresCluster.create()` for that).
 */
export function sharedCluster(): Promise<PostgresCluster> {
  shared ??= joinOrStart()
  return shared
}

/** A fresh, empty database on the shared cluster: its URL. */
export async function freshDatabase(
  options: { owner?: string; params?: Record<string, string> } = {},
): Promise<string> {
  return (await sharedCluster()).createDatabase(options)
}

async function joinOrStart(): Promise<PostgresCluster> {
  const runDir = inject('postgresRunDir')
  if (!runDir) throw new Error('tests/helpers/postgres-global-setup.ts is not in vitest.config.ts')
  const stateFile = join(runDir, 'cluster.json')
  const failedFile = join(runDir, 'failed.txt')
  let starter = false
  try {
    mkdirSync(join(runDir, 'starting'))
    starter = true
  } catch {}
  if (starter) {
    try {
      const cluster = await PostgresCluster.create({ tls: true })
      writeFileSync(`${stateFile}.tmp`, JSON.stringify(cluster.state))
      renameSync(`${stateFile}.tmp`, stateFile)
      return cluster
    } catch (error) {
      writeFileSync(failedFile, (error as Error).message)
      throw error
    }
  }
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(50)) {
    if (existsSync(stateFile))
      return new PostgresCluster(JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState)
    if (existsSync(failedFile)) throw new Error(readFileSync(failedFile, 'utf8'))
  }
  throw new Error('The shared PostgreSQL cluster did not start within 90 s')
}
