import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'

const run = promisify(execFile)
const EXIT_AFTER = join(import.meta.dirname, '../examples/shared/exit-after.ts')

/** Runs `exitAfter(<shutDown>)` in a real process: its exit code and what it printed. */
async function exitAfterIn(shutDown: string) {
  const script = `import { exitAfter } from ${JSON.stringify(EXIT_AFTER)}; exitAfter(${shutDown})`
  try {
    const { stdout, stderr } = await run(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ])
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

// The examples' signal handlers: a process manager must see a failed tear-down.
describe('the examples exit after shutting down', { timeout: 30_000 }, () => {
  test('0 when the shut-down went well', async () => {
    expect(await exitAfterIn('Promise.resolve()')).toEqual({ code: 0, stdout: '', stderr: '' })
  })

  test('1 when a tear-down failed, naming the error but never its message', async () => {
    const failed = await exitAfterIn(
      "Promise.reject(new TypeError('connect postgres://app:hunter2@db.internal/auth'))",
    )
    expect(failed).toEqual({ code: 1, stdout: '', stderr: 'Shut-down failed (TypeError)\n' })
  })
})
