import { type ChildProcess, spawn } from 'node:child_process'
import { connect } from 'node:net'

/** A started `npm run` script: the process (npm, leading its own process group) and its output. */
export interface StartedScript<T> {
  readonly child: ChildProcess
  /** What the script printed so far, stdout and stderr together; it keeps growing. */
  output(): string
  /** What `ready` found in the output (a URL, say). */
  readonly ready: T
}

/** The URL a server prints when it listens: `… on http://127.0.0.1:PORT`. */
export const listeningURL = (output: string): string | undefined =>
  /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]

/**
 * `npm run <script> --silent` with `env` over this process's environment, as its own process
 * group (so {@link stopScript} ends npm and the server behind it together). Resolves once
 * `ready(output)` returns a value; rejects with the output when the script exits first or is not
 * ready within `timeoutMs` (then it is killed, so nothing lingers).
 */
export function startScript<T>(
  script: string,
  env: Record<string, string>,
  ready: (output: string) => T | undefined,
  timeoutMs: number,
): Promise<StartedScript<T>> {
  const child = spawn('npm', ['run', script, '--silent'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.kill(-(child.pid as number), 'SIGKILL')
      reject(new Error(`${script} was not ready after ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const found = ready(output)
      if (found !== undefined) {
        clearTimeout(timer)
        resolve({ child, output: () => output, ready: found })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${script} exited with ${code}:\n${output}`))
    })
  })
}

/** SIGTERM to the script's whole process group, resolved once npm has exited. */
export async function stopScript(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  process.kill(-(child.pid as number), 'SIGTERM')
  await exited
}

/**
 * SIGTERM to npm alone, as `docker stop` sends it to a container's first process, resolved once
 * npm has exited. Whatever is left of the process group afterwards (a server npm did not pass the
 * signal to) is killed by {@link killLeftovers}.
 */
export async function stopNpmAlone(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  process.kill(child.pid as number, 'SIGTERM')
  await exited
}

/** SIGKILL to what is left of the script's process group, if anything. */
export function killLeftovers(child: ChildProcess): void {
  try {
    process.kill(-(child.pid as number), 'SIGKILL')
  } catch {
    // Nothing left.
  }
}

/** Whether anything accepts connections on 127.0.0.1:`port` now. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * The authorization-server example's start banner is complete: the try-it command on a first
 * start, the note that the demo exists on a later one.
 */
export const startedBanner = (output: string): true | undefined =>
  /grant_type=client_credentials|exist already/.test(output) ? true : undefined
