import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { FloodOutcome, FloodSpec } from './flood-client.js'

const client = fileURLToPath(new URL('./flood-client.ts', import.meta.url))

/**
 * Run a login flood from a child process (on the load generator's CPU, which it inherits) and
 * resolve with how its requests were answered once its `seconds` are over.
 */
export function runFlood(spec: FloodSpec): Promise<FloodOutcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', client], {
    env: { ...process.env, FLOOD: JSON.stringify(spec) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    let outcome: FloodOutcome | undefined
    child.once('message', (message) => {
      outcome = message as FloodOutcome
    })
    child.once('exit', (code, signal) =>
      outcome
        ? resolve(outcome)
        : reject(new Error(`login flood client exited (${signal ?? `code ${code}`})`)),
    )
    // However the bench ends, the flood does not outlive it.
    process.once('exit', () => child.kill('SIGKILL'))
  })
}
