import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'

/** What a server process printed, and how it ended. */
interface Run {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** Its stdout lines (`listening …` left out). */
  readonly events: string[]
  /** Its logger's calls, one JSON object per line of stderr. */
  readonly logged: unknown[]
}

const children = new Set<ChildProcess>()
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  children.clear()
})

/**
 * Start `helpers/signal-server.ts` with `scenario` as a real process, send it one request whose
 * background task is still running when the answer arrives, then SIGTERM; resolves once it exited.
 */
async function sigtermDuringTask(
  scenario: string,
  signal: (child: ChildProcess) => void = (child) => child.kill('SIGTERM'),
): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'helpers/signal-server.ts'), scenario],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (code, signal) => resolve([code, signal])),
  )
  const printed = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const look = () => {
        const found = pattern.exec(stdout)
        if (found === null) return false
        resolve(found)
        return true
      }
      if (look()) return
      child.stdout.on('data', look)
      void exited.then(() => look() || reject(new Error(`exited first:\n${stdout}\n${stderr}`)))
    })
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  const url = (await printed(/^listening (\S+)$/m))[1] as string
  const answer = await fetch(`${url}/send`, { method: 'POST' })
  expect(await answer.json()).toEqual({ queued: true })
  await printed(/^task started$/m)
  signal(child)
  const [code, endedBy] = await exited
  return {
    code,
    signal: endedBy,
    events: stdout.split('\n').filter((line) => line !== '' && !line.startsWith('listening ')),
    logged: stderr
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line)),
  }
}

/** A shut-down that waited for the task and the cleanup before the tear-down. */
const DRAINED_IN_FULL = [
  'task started',
  'task done, pool open: true',
  'cleanup, pool open: true',
  'teardown',
]

describe('serve() on SIGTERM (a real process)', { timeout: 30_000 }, () => {
  test('waits for the background tasks and cleanups of answered requests, then tears down and exits 0', async () => {
    const run = await sigtermDuringTask('after-response')
    expect(run.events).toEqual(DRAINED_IN_FULL)
    expect(run.logged).toEqual([])
    expect([run.code, run.signal]).toEqual([0, null])
  })

  test('Ctrl-C in a terminal (SIGINT to the process and, from npm, a copy right after) drains too', async () => {
    // The terminal signals the whole foreground group, and npm, whose script execs node, forwards
    // its own copy: one request to stop, not a second signal that would end the process at once.
    const run = await sigtermDuringTask('after-response', (child) => {
      child.kill('SIGINT')
      setTimeout(() => child.kill('SIGINT'), 5)
    })
    expect(run.events).toEqual(DRAINED_IN_FULL)
    expect([run.code, run.signal]).toEqual([0, null])
  })

  test('a second signal later in the shut-down ends the process at once', async () => {
    const started = Date.now()
    const run = await sigtermDuringTask('slow', (child) => {
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGTERM'), 400)
    })
    // Not the ten seconds the drain would have waited for the task.
    expect(Date.now() - started).toBeLessThan(8_000)
    expect(run.events).toEqual(['task started'])
    expect([run.code, run.signal]).toEqual([null, 'SIGTERM'])
  })

  test('a copy is forgiven once: a third signal, however soon, ends the process', async () => {
    const run = await sigtermDuringTask('slow', (child) => {
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGTERM'), 5)
      setTimeout(() => child.kill('SIGTERM'), 40)
    })
    expect(run.events).toEqual(['task started'])
    expect([run.code, run.signal]).toEqual([null, 'SIGTERM'])
  })

  test('work that outlives drainTimeout is logged as abandoned; the tear-down runs, exit 0', async () => {
    const started = Date.now()
    const run = await sigtermDuringTask('abandoned')
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(run.events).toEqual(['task started', 'teardown'])
    expect(run.logged).toEqual([
      {
        message:
          'Shut-down abandoned 1 request still running (being answered, or running background tasks and cleanups) when drainTimeout ran out',
        error: { abandoned: 1 },
      },
    ])
    expect([run.code, run.signal]).toEqual([0, null])
  })

  test("the app's own signal listener (close, then a store) runs to its end before the exit", async () => {
    const run = await sigtermDuringTask('own-cleanup')
    expect(run.events).toEqual([
      'task started',
      'task done, pool open: true',
      'cleanup, pool open: true',
      'teardown',
      'store closed',
    ])
    expect([run.code, run.signal]).toEqual([0, null])
  })

  test('so does one registered before serve()', async () => {
    const run = await sigtermDuringTask('own-cleanup-first')
    expect(run.events.at(-1)).toBe('store closed')
    expect([run.code, run.signal]).toEqual([0, null])
  })

  test('a library that re-sends the signal when it is the only listener (signal-exit) waits too', async () => {
    const run = await sigtermDuringTask('counts-listeners')
    expect(run.events).toEqual(DRAINED_IN_FULL)
    expect([run.code, run.signal]).toEqual([0, null])
  })

  test('a listener of the app that never exits does not keep the process running', async () => {
    const started = Date.now()
    const run = await sigtermDuringTask('listener-stays')
    // The shut-down, then the app's listener's 10 s of grace.
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(run.events).toContain('app heard SIGTERM')
    expect(run.events.at(-1)).toBe('teardown')
    expect([run.code, run.signal]).toEqual([0, null])
  })

  test('a tear-down that throws is logged through the app’s logger and the process exits 1', async () => {
    const run = await sigtermDuringTask('failing-teardown')
    expect(run.events.at(-1)).toBe('teardown')
    // The error goes to the logger as it is; the line that introduces it names no secret.
    expect(run.logged).toEqual([
      {
        message: 'Shut-down on SIGTERM failed',
        error: 'pool did not close: postgres://app:hunter2@db/app',
      },
    ])
    expect([run.code, run.signal]).toEqual([1, null])
  })
})
