import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createPasswordHasher } from 'gatehouse'
import {
  type AuthorizationServer,
  type AuthorizationServerStore,
  createAuthorizationServer,
} from 'gatehouse/authorization-server'

/** What every instance (and a test's own in-process one) is configured with. */
export const INSTANCE_SETTINGS = {
  issuer: 'https://auth.example.com',
  scopes: { read: 'Read your data', write: 'Change your data' },
  defaultScopes: ['read'],
  // A delay far longer than a slow machine takes between a test's failed logins and the attempt
  // that must meet it (1 s, the default, ran out once on a loaded CI machine).
  throttle: { baseDelay: 60 },
}

/** Cheap Argon2id costs: the tests check behaviour, not hashing strength. */
export const cheapPasswords = () =>
  createPasswordHasher({ memoryCost: 1024, timeCost: 1, workers: 1 })

/** An in-process server over `store`, configured as the instances are: for set-up and checks. */
export function adminServer(store: AuthorizationServerStore): AuthorizationServer {
  return createAuthorizationServer({ ...INSTANCE_SETTINGS, store, passwords: cheapPasswords() })
}

/** A running `tests/helpers/postgres-server.ts` process. */
export interface Instance {
  readonly url: string
  readonly pid: number
  readonly child: ChildProcess
  /** Everything it wrote to stdout and stderr so far. */
  output(): string
  /** What it wrote to stderr so far (a logged fault would be there). */
  errors(): string
  stop(): Promise<void>
}

/** Starts an instance on `databaseUrl` and resolves once it listens. */
export function startInstance(databaseUrl: string): Promise<Instance> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'postgres-server.ts')],
    { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['pipe', 'pipe', 'pipe'] },
  )
  let output = ''
  let errors = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
    errors += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance did not start:\n${output}`)), 60_000)
    child.once('exit', (code) => reject(new Error(`instance exited with ${code}:\n${output}`)))
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      output += `${line}\n`
      if (!line.startsWith('{"url"')) return
      clearTimeout(timer)
      const { url, pid } = JSON.parse(line) as { url: string; pid: number }
      resolve({
        url,
        pid,
        child,
        output: () => output,
        errors: () => errors,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM')
            const killer = setTimeout(() => child.kill('SIGKILL'), 5000)
            await exited
            clearTimeout(killer)
          }
        },
      })
    })
  })
}

/** A PKCE verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = createHash('sha256').update(String(Math.random())).digest('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/** `Authorization: Basic` for a client (id and secret form-encoded first, RFC 6749 §2.3.1). */
export function basic(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`
}

/** A form POST to `url`. */
export function postForm(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  })
}
