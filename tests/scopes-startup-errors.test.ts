import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-scopes-start-'))
let taken: Server
let takenPort = 0
beforeAll(async () => {
  taken = createServer()
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
  takenPort = (taken.address() as { port: number }).port
})
afterAll(async () => {
  await new Promise((resolve) => taken.close(resolve))
  rmSync(dir, { recursive: true, force: true })
})

/** Runs an example of the tutorial with `env`; resolves once it exited (or after 20 s). */
function run(script: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script],
      {
        cwd: root,
        timeout: 20_000,
        env: { ...process.env, HOST: '127.0.0.1', DATABASE_URL: join(dir, 'users.db'), ...env },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    )
  })
}

// `npm start` and `npm run start:cluster` told of a set-up mistake with a stack trace, and the
// cluster replaced a worker that could not start forever, never exiting.
describe('the tutorial refusing what it cannot use: one line on stderr, exit 1', {
  timeout: 60_000,
}, () => {
  test.each([
    ['a bad PORT', { PORT: 'eighty' }, 'PORT must be an integer from 0 to 65535'],
    [
      'a short SECRET_KEY',
      { PORT: '0', SECRET_KEY: 'short' },
      'createJWTCodec: "secret" must be at least 32 bytes',
    ],
    [
      'an unsupported DATABASE_URL',
      { PORT: '0', DATABASE_URL: 'mysql://u:pw@h/db' },
      'DATABASE_URL: the database URL scheme is not supported',
    ],
    ['a port in use', () => ({ PORT: String(takenPort) }), 'cannot listen on HOST=127.0.0.1 PORT='],
  ] as const)('%s (npm start)', async (_what, env, message) => {
    const result = await run('examples/scopes/main.ts', typeof env === 'function' ? env() : env)
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(`scopes tutorial: ${message}`)
    expect(result.stderr).not.toContain('pw@')
  })

  test('a port in use (npm run start:cluster): the primary stops instead of replacing workers', async () => {
    const started = performance.now()
    const result = await run('examples/scopes/cluster.ts', {
      PORT: String(takenPort),
      WORKERS: '2',
    })
    expect(result.code).toBe(1)
    expect(performance.now() - started).toBeLessThan(15_000)
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines.at(-1)).toMatch(/^scopes tutorial: worker \d+ could not start \(1\); stopping$/)
    expect(lines.filter((line) => line.includes('EADDRINUSE')).length).toBeGreaterThanOrEqual(1)
    expect(result.stderr).not.toContain('    at ')
  })

  test('a bad WORKERS (npm run start:cluster)', async () => {
    const result = await run('examples/scopes/cluster.ts', { PORT: '0', WORKERS: 'many' })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe('scopes tutorial: WORKERS must be a positive integer\n')
  })
})
