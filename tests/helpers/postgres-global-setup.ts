import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { type ClusterState, PostgresCluster } from './postgres-cluster.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the run's shared PostgreSQL cluster announces itself (see `postgres.ts`). */
    postgresRunDir: string
  }
}

/**
 * Vitest global set-up: a directory for the run's one PostgreSQL cluster. The first test file
 * that needs PostgreSQL starts it (so runs without such files pay nothing); this tears it down.
 */
export default function setup(project: TestProject): () => Promise<void> {
  const runDir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-run-'))
  project.provide('postgresRunDir', runDir)
  return async () => {
    const stateFile = join(runDir, 'cluster.json')
    if (existsSync(stateFile)) {
      const state = JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState
      await new PostgresCluster(state).destroy()
    }
    rmSync(runDir, { recursive: true, force: true })
  }
}
