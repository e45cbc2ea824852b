import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)

/** The superuser of a test cluster (trust authentication on 127.0.0.1 and the socket). */
export const SUPERUSER = 'gatehouse'
/** A role that must give its password (scram-sha-256). */
export const PASSWORD_ROLE = { name: 'gatehouse_password', password: 'pw-Zq8!never-in-logs' }
/** A role that may only connect over TLS. */
export const TLS_ROLE = 'gatehouse_tls'

/** Everything needed to reach and control a cluster, from any process. */
export interface ClusterState {
  readonly dir: string
  readonly port: number
  readonly bin: string
  /** The OS user the server runs as, when the tests run as root; `null` otherwise. */
  readonly runAs: string | null
  /** The server's certificate (its own CA), when started with TLS. */
  readonly caFile: string | null
  /** Put before every cluster program (the bench's `taskset -c …`, so its CPUs are not pinned). */
  readonly prefix?: readonly string[] | undefined
}

export const HOW_TO_INSTALL =
  'PostgreSQL is not installed: the PostgreSQL tests start a private server and need its programs ' +
  '(initdb, pg_ctl). Install them (Debian/Ubuntu: `apt-get install postgresql`, as `.ci/run` does; ' +
  'macOS: `brew install postgresql@16`) or set GATEHOUSE_POSTGRES_BIN to the directory holding initdb.'

/** The directory holding `initdb` and `pg_ctl`, or an error saying how to install them. */
export function findPostgresBinaries(candidates: readonly string[] = defaultCandidates()): string {
  const found = candidates.find(
    (dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')),
  )
  if (found === undefined) throw new Error(HOW_TO_INSTALL)
  return found
}

function defaultCandidates(): string[] {
  const dirs: string[] = []
  if (process.env.GATEHOUSE_POSTGRES_BIN) dirs.push(process.env.GATEHOUSE_POSTGRES_BIN)
  // Debian and Ubuntu keep each major version apart; prefer the newest.
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian))
    for (const version of readdirSync(debian).sort((a, b) => Number(b) - Number(a)))
      dirs.push(join(debian, version, 'bin'))
  dirs.push(...(process.env.PATH ?? '').split(delimiter).filter(Boolean))
  return dirs
}

/** A free TCP port on 127.0.0.1 (free a moment ago: `start` retries if it was taken since). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

async function unprivilegedUser(): Promise<{ name: string; uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number((await run('id', ['-u', name])).stdout.trim())
      const gid = Number((await run('id', ['-g', name])).stdout.trim())
      if (uid !== 0) return { name, uid, gid }
    } catch {}
  }
  throw new Error(
    'The tests run as root, and PostgreSQL refuses to: create an unprivileged `postgres` user ' +
      '(the Debian package does) or run the tests as another user.',
  )
}

/**
 * A private PostgreSQL cluster in a temporary directory, on its own port on 127.0.0.1 and a
 * unix socket in that directory, trust authentication, durability off (it is thrown away).
 */
export class PostgresCluster {
  readonly state: ClusterState

  constructor(state: ClusterState) {
    this.state = state
  }

  get port(): number {
    return this.state.port
  }

  /** Creates and starts a cluster; `tls` adds a certificate for 127.0.0.1 and `ssl = on`. */
  static async create(
    options: { tls?: boolean; prefix?: readonly string[] } = {},
  ): Promise<PostgresCluster> {
    const bin = findPostgresBinaries()
    const user = await unprivilegedUser()
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-pg-'))
    try {
      if (user) await chown(dir, user.uid, user.gid)
      let caFile: string | null = null
      if (options.tls) caFile = await makeCertificate(dir, user)
      const cluster = new PostgresCluster({
        dir,
        port: 0,
        bin,
        runAs: user?.name ?? null,
        caFile,
        prefix: options.prefix,
      })
      await cluster.#as(join(bin, 'initdb'), [
        '-D',
        join(dir, 'data'),
        '-U',
        SUPERUSER,
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--no-locale',
        '--no-sync',
      ])
      await writeFile(join(dir, 'data', 'pg_hba.conf'), HBA)
      if (user) await chown(join(dir, 'data', 'pg_hba.conf'), user.uid, user.gid)
      for (let attempt = 1; ; attempt++) {
        const started = new PostgresCluster({ ...cluster.state, port: await freePort() })
        try {
          await started.start()
          await started.#createRoles()
          return started
        } catch (error) {
          if (attempt === 3) throw error
        }
      }
    } catch (error) {
      await rm(dir, { recursive: true, force: true })
      throw error
    }
  }

  /** Runs a cluster program, as the unprivileged user when the tests run as root. */
  async #as(program: string, args: string[]): Promise<string> {
    const [command, ...rest] = [
      ...(this.state.prefix ?? []),
      ...(this.state.runAs ? ['runuser', '-u', this.state.runAs, '--'] : []),
      program,
      ...args,
    ]
    try {
      const { stdout } = await run(command as string, rest, { timeout: 60_000 })
      return stdout
    } catch (error) {
      const log = join(this.state.dir, 'server.log')
      const tail = existsSync(log)
        ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n')
        : ''
      throw new Error(`${program} failed: ${(error as Error).message}\n${tail}`)
    }
  }

  /** Starts the server (again) and waits until it accepts connections. */
  async start(): Promise<void> {
    const { dir, port, caFile } = this.state
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=300',
      '-c shared_buffers=32MB',
      ...(caFile
        ? ['-c ssl=on', `-c ssl_cert_file=${dir}/server.crt`, `-c ssl_key_file=${dir}/server.key`]
        : []),
    ]
    await this.#as(join(this.state.bin, 'pg_ctl'), [
      '-D',
      join(dir, 'data'),
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      settings.join(' '),
      'start',
    ])
  }

  /** Stops the server: `fast` ends sessions cleanly, `immediate` as a crash would. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.#as(join(this.state.bin, 'pg_ctl'), [
      '-D',
      join(this.state.dir, 'data'),
      '-m',
      mode,
      '-w',
      'stop',
    ])
  }

  /** Stops the server if it runs and removes its directory. */
  async destroy(): Promise<void> {
    if (existsSync(join(this.state.dir, 'data', 'postmaster.pid')))
      await this.stop('immediate').catch(() => {})
    await rm(this.state.dir, { recursive: true, force: true })
  }

  /** A `postgres://` URL of `database` as `user` (default the superuser), with parameters. */
  url(database: string, params: Record<string, string> = {}, user = SUPERUSER): string {
    const query = new URLSearchParams(params).toString()
    return `postgres://${user}@127.0.0.1:${this.port}/${database}${query ? `?${query}` : ''}`
  }

  /** Runs SQL as the superuser. */
  async query<R extends Record<string, unknown>>(
    text: string,
    database = 'postgres',
    values: unknown[] = [],
  ): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url(database) })
    await client.connect()
    try {
      return (await client.query<R>(text, values)).rows
    } finally {
      await client.end()
    }
  }

  /** Creates an empty database and returns its URL. */
  async createDatabase(
    options: { owner?: string; params?: Record<string, string> } = {},
  ): Promise<string> {
    const name = `gatehouse_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
    const owner = options.owner ?? SUPERUSER
    await this.query(`CREATE DATABASE ${name} OWNER ${owner}`)
    return this.url(name, options.params, owner)
  }

  async #createRoles(): Promise<void> {
    await this.query(
      `CREATE ROLE ${PASSWORD_ROLE.name} LOGIN PASSWORD '${PASSWORD_ROLE.password}'; CREATE ROLE ${TLS_ROLE} LOGIN`,
    )
  }
}

/** The password role must authenticate; the TLS role may only come over TLS; others are trusted. */
const HBA = `local all all trust
host all ${PASSWORD_ROLE.name} 127.0.0.1/32 scram-sha-256
hostssl all ${TLS_ROLE} 127.0.0.1/32 trust
host all ${TLS_ROLE} 127.0.0.1/32 reject
host all all 127.0.0.1/32 trust
`

/** A self-signed certificate for 127.0.0.1 and localhost; clients trust it as their CA. */
async function makeCertificate(
  dir: string,
  user: { uid: number; gid: number } | null,
): Promise<string> {
  const key = join(dir, 'server.key')
  const crt = join(dir, 'server.crt')
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=gatehouse test server',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    key,
    '-out',
    crt,
  ])
  await chmod(key, 0o600)
  if (user) for (const file of [key, crt]) await chown(file, user.uid, user.gid)
  return crt
}
