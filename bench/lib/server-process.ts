import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readdir, rename, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ServerMessage, StatsRequest } from './listen.js'
import type { Pinning } from './pinning.js'
import type { Target } from './scenario.js'

const benchDir = fileURLToPath(new URL('..', import.meta.url))
const repoDir = fileURLToPath(new URL('../..', import.meta.url))
const live = new Set<ChildProcess>()

// However the bench ends, no server outlives it.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

export interface ServerStats {
  readonly rssBytes: number
  /** User plus system CPU time the process has used since it started. */
  readonly cpuMicros: number
}

/** A target's server, running in its own Node process on 127.0.0.1. */
export interface ServerProcess {
  readonly target: Target
  readonly pid: number
  readonly url: string
  stats(): Promise<ServerStats>
  stop(): Promise<void>
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Keep the main thread's profile as `bench/results/<label>.cpuprofile`; any other is dropped. */
async function keepProfile(dir: string, pid: number, label: string): Promise<void> {
  const main = (await readdir(dir)).find((name) => name.includes(`.${pid}.0.`))
  if (main)
    await rename(path.join(dir, main), path.join(benchDir, 'results', `${label}.cpuprofile`))
  await rm(dir, { recursive: true, force: true })
}

export interface StartOptions {
  /** Put on the server CPU (or every CPU, for unpinned targets) when pinning is on. */
  readonly pinning?: Pinning
  /** Added to the server's environment. */
  readonly env?: Readonly<Record<string, string>>
  /** Profile with `BENCH_PROFILE=1` (the default); off for helper servers. */
  readonly profile?: boolean
  readonly timeoutMs?: number
}

/**
 * Start `node build/bench/<server>.js` (behind `taskset` when pinning) and wait for it to report
 * its port over IPC. With `BENCH_PROFILE=1` the server is profiled and the profile saved as
 * `bench/results/<label>.cpuprofile` when it stops.
 */
export async function startServer(
  target: Target,
  label: string,
  options: StartOptions = {},
): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 30_000
  const profileDir =
    process.env.BENCH_PROFILE && options.profile !== false
      ? await mkdtemp(path.join(os.tmpdir(), 'gatehouse-bench-'))
      : undefined
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []
  // Compiled JavaScript (`npm run build:bench`, done by bench/run.ts): no TypeScript loader runs in
  // a measured process, as none runs in production.
  const script = path.join(repoDir, 'build', 'bench', target.server.replace(/\.ts$/, '.js'))
  const node = [process.execPath, ...profile, script]
  // `taskset` execs node, so the child's pid is the server's (the profile is named after it).
  const [command, ...args] = [...(options.pinning?.prefix(target.pinned !== false) ?? []), ...node]
  const child = spawn(command as string, args, {
    cwd: repoDir,
    env: { ...process.env, ...options.env, PORT: '0', NODE_ENV: 'production' },
    stdio: ['ignore', target.quiet ? 'ignore' : 'inherit', 'inherit', 'ipc'],
  })
  live.add(child)
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      live.delete(child)
      reject(new Error(`server "${target.name}" exited (${signal ?? `code ${code}`})`))
    })
  })
  exited.catch(() => {})

  const next = <T extends ServerMessage['type']>(type: T) =>
    Promise.race([
      new Promise<Extract<ServerMessage, { type: T }>>((resolve) => {
        const onMessage = (message: ServerMessage) => {
          if (message.type !== type) return
          child.off('message', onMessage)
          resolve(message as Extract<ServerMessage, { type: T }>)
        }
        child.on('message', onMessage)
      }),
      exited,
    ])

  let port: number
  try {
    ;({ port } = await withTimeout(next('listening'), timeoutMs, `starting "${target.name}"`))
  } catch (error) {
    // A server that never listens (a cluster whose workers keep crashing, say) must not linger.
    child.kill('SIGKILL')
    throw error
  }
  const pid = child.pid as number
  return {
    target,
    pid,
    url: `http://127.0.0.1:${port}`,
    async stats() {
      const reply = next('stats')
      child.send({ type: 'stats' } satisfies StatsRequest)
      const { rssBytes, cpuMicros } = await withTimeout(reply, 5_000, `stats of "${target.name}"`)
      return { rssBytes, cpuMicros }
    },
    async stop() {
      if (live.has(child)) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
        child.disconnect()
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
        await gone
        clearTimeout(timer)
      }
      if (profileDir) await keepProfile(profileDir, pid, label)
    },
  }
}

/**
 * Run `work` with the servers that started, then stop every one of them, also when one failed to
 * start (that failure is thrown) or `work` threw.
 */
export async function withServers(
  starting: readonly Promise<ServerProcess>[],
  work: (servers: readonly ServerProcess[]) => Promise<void>,
): Promise<void> {
  const started = await Promise.allSettled(starting)
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  try {
    for (const result of started) if (result.status === 'rejected') throw result.reason
    await work(servers)
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
  }
}

/** {@link withServers} for one server: started, used, stopped (also when `work` throws). */
export function withServer(
  starting: Promise<ServerProcess>,
  work: (server: ServerProcess) => Promise<void>,
): Promise<void> {
  return withServers([starting], ([server]) => work(server as ServerProcess))
}
