import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('../..', import.meta.url))

/** What one run of the CLI did. */
export interface CLIRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** How to run it: its `DATABASE_URL` (`null` unsets it) and what to pipe to its stdin. */
export interface CLIOptions {
  readonly databaseUrl?: string | null
  readonly input?: string | Buffer
  /** Node options before the CLI's own, e.g. an `--import` hook. */
  readonly node?: readonly string[]
}

/**
 * Runs `gatehouse <args>` as a child process (the CLI's source through tsx, as the bin runs
 * its compiled form), stdin closed after `input`, and collects its output.
 */
export function gatehouse(args: readonly string[], options: CLIOptions = {}): Promise<CLIRun> {
  const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: 'production' }
  delete env.DATABASE_URL
  if (typeof options.databaseUrl === 'string') env.DATABASE_URL = options.databaseUrl
  const child = spawn(
    process.execPath,
    [...(options.node ?? []), '--import', 'tsx', 'src/cli/main.ts', ...args],
    {
      cwd: repo,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  child.stdin.on('error', () => {})
  child.stdin.end(options.input ?? '')
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`gatehouse ${args.join(' ')} did not finish:\n${stdout}\n${stderr}`))
    }, 30_000)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Runs the CLI and parses its stdout as JSON, failing with its stderr when it did not succeed. */
export async function gatehouseJSON<T = unknown>(
  args: readonly string[],
  options: CLIOptions = {},
): Promise<T> {
  const run = await gatehouse(args, options)
  if (run.code !== 0)
    throw new Error(`gatehouse ${args.join(' ')} exited ${run.code}: ${run.stderr}`)
  return JSON.parse(run.stdout) as T
}
