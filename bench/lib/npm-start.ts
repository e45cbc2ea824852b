import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const repoDir = fileURLToPath(new URL('../..', import.meta.url))

/** Resident memory of a process from /proc, in bytes (0 when it cannot be read). */
function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) * 1024
  } catch {
    return 0
  }
}

/** Every descendant of `pid`, from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)])
    } catch {}
  }
  const found: number[] = []
  const visit = (parent: number) => {
    for (const child of parents.get(parent) ?? []) {
      found.push(child)
      visit(child)
    }
  }
  visit(pid)
  return found
}

/** What `npm start` costs in memory once it listens: the server process, and npm's own around it. */
export interface NpmStartMemory {
  serverBytes: number
  wrapperBytes: number
}

/**
 * Run `npm start` exactly as the README does (build included), wait for its banner, then read the
 * resident memory of the Node server and of the `npm`/`sh` processes that wrap it.
 */
export async function measureNpmStart(
  env: Readonly<Record<string, string>>,
): Promise<NpmStartMemory> {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: repoDir,
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  try {
    await new Promise<void>((resolve, reject) => {
      let output = ''
      const timer = setTimeout(
        () => reject(new Error(`npm start did not listen: ${output}`)),
        60_000,
      )
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        if (/on http:\/\/127\.0\.0\.1:\d+/.test(output)) {
          clearTimeout(timer)
          resolve()
        }
      }
      child.stdout?.on('data', onData)
      child.stderr?.on('data', onData)
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${output}`)))
    })
    // Let start-up garbage settle, as an idle server would.
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    const pid = child.pid as number
    const tree = [pid, ...descendants(pid)]
    const server = tree.find((p) => {
      try {
        const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')
        return /(^|\/)node$/.test(argv[0] ?? '') && argv[1] === 'build/examples/scopes/main.js'
      } catch {
        return false
      }
    })
    if (server === undefined) throw new Error('npm start: no server process found')
    const serverBytes = rssOf(server)
    const total = tree.reduce((sum, p) => sum + rssOf(p), 0)
    return { serverBytes, wrapperBytes: total - serverBytes }
  } finally {
    try {
      process.kill(-(child.pid as number), 'SIGTERM')
    } catch {}
  }
}
