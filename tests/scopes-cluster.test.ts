import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cluster-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** `examples/scopes/cluster.ts` with two workers on a free port, once its primary says it listens. */
async function startCluster(): Promise<{
  child: ChildProcess
  port: number
  output: () => string
}> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/scopes/cluster.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      WORKERS: '2',
      DATABASE_URL: join(dir, 'users.db'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the cluster did not listen:\n${output}`)),
      30_000,
    )
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /on http:\/\/127\.0\.0\.1:(\d+) \(2 workers\)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`the cluster exited with ${code}:\n${output}`)))
  })
  return { child, port, output: () => output }
}

/** The pids of the primary's worker processes, from `/proc` (a worker's parent is the primary). */
function workerPids(primary: number): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return []
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      return parent === primary && command.includes('cluster.ts') ? [Number(entry)] : []
    } catch {
      return [] // gone meanwhile
    }
  })
}

/** `GET /openapi.json` on a new connection: how long it took, answered or failed. */
function request(port: number): Promise<number> {
  const started = performance.now()
  return new Promise((resolve) => {
    const done = () => resolve(performance.now() - started)
    const outgoing = get(
      { host: '127.0.0.1', port, path: '/openapi.json', agent: false },
      (res) => {
        res.resume()
        res.on('end', done)
        res.on('error', done)
      },
    )
    outgoing.on('error', done)
    // Far beyond "a few seconds": the test then fails on the duration, never on its own timeout.
    outgoing.setTimeout(20_000, () => outgoing.destroy())
  })
}

const waitFor = async (what: string, condition: () => boolean, ms = 20_000) => {
  const until = Date.now() + ms
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('npm run start:cluster when a worker dies', { timeout: 90_000 }, () => {
  test('no request hangs while workers are killed under load, and replacements stay quiet', async () => {
    const cluster = await startCluster()
    const primary = cluster.child.pid as number
    try {
      const durations: number[] = []
      let pending = 0
      let running = true
      // Twenty clients, each opening a new connection per request: some are always being accepted.
      const clients = Array.from({ length: 20 }, async () => {
        while (running) {
          pending++
          durations.push(await request(cluster.port))
          pending--
        }
      })
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
      await pause(1_000)
      const [first, second] = workerPids(primary)
      process.kill(first as number, 'SIGKILL')
      await waitFor(
        'a replacement worker',
        () => workerPids(primary).length === 2 && !workerPids(primary).includes(first as number),
      )
      await pause(1_000)
      process.kill(second as number, 'SIGTERM')
      await waitFor('a second replacement', () => !workerPids(primary).includes(second as number))
      await pause(1_000)
      running = false
      await waitFor('the last requests', () => pending === 0, 10_000)
      await Promise.all(clients)

      expect(durations.length).toBeGreaterThan(100)
      // Answered or refused, every request ended within a few seconds.
      expect(Math.max(...durations)).toBeLessThan(3_000)
      const output = cluster.output()
      expect(output).toContain('(SIGKILL); starting another')
      expect(output).toContain('(0); starting another')
      // One banner and one key warning, from the primary; none from the four workers.
      expect(output.match(/Gatehouse scopes tutorial on/g)).toHaveLength(1)
      expect(output.match(/SECRET_KEY is not set/g)).toHaveLength(1)
      expect(output).not.toContain('docs:')
    } finally {
      const exited = new Promise((resolve) => cluster.child.once('exit', resolve))
      cluster.child.kill('SIGTERM')
      await exited
    }
  })
})
