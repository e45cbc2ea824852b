import { execFile, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'
import { gatehouse } from './helpers/cli.js'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const COMMANDS = [
  'users create <username>',
  'users list',
  'clients create <client_id>',
  'clients list',
  'keys rotate',
  'keys list',
  'secret',
]

describe('gatehouse --help and friends', { timeout: 60_000 }, () => {
  test('--help, -h and help list every command, the environment and the exit codes', async () => {
    const runs = await Promise.all([['--help'], ['-h'], ['help']].map((args) => gatehouse(args)))
    for (const run of runs) {
      expect(run.code).toBe(0)
      expect(run.stderr).toBe('')
      expect(run.stdout).toBe(runs[0]?.stdout)
    }
    const text = runs[0]?.stdout ?? ''
    expect(text).toMatch(/^gatehouse: manage the users, clients and signing keys/)
    for (const command of COMMANDS) expect(text).toMatch(new RegExp(`\\n {2}${command} +\\S`))
    expect(text).toContain('DATABASE_URL')
    expect(text).toContain('or a postgres://')
    expect(text).not.toContain('not supported yet')
    expect(text).toMatch(/2 bad arguments, 3 already exists/)
  })

  test('no command: the overview on stderr, usage error 2', async () => {
    const run = await gatehouse([])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/^gatehouse: manage/)
  })

  test.each([
    ['users create', ['--password-stdin', '--scopes "a b"', '--disabled', '--json']],
    ['users list', ['--json']],
    [
      'clients create',
      [
        '--grant-types g1,g2',
        '--public',
        '--redirect-uris u1,u2',
        '--scopes "a b"',
        '--name text',
        '--json',
      ],
    ],
    ['clients list', ['--json']],
    ['keys rotate', ['--algorithm alg', '--access-token-ttl <seconds>', '--json']],
    ['keys list', ['--json']],
    ['secret', ['--bytes <n>', '--hex']],
  ])(
    '%s --help: usage and every option, even with other arguments missing',
    async (name, options) => {
      const run = await gatehouse([...name.split(' '), '--help'], { databaseUrl: null })
      expect(run.code).toBe(0)
      expect(run.stderr).toBe('')
      expect(run.stdout).toMatch(new RegExp(`^Usage: gatehouse ${name}`))
      for (const option of options) expect(run.stdout).toContain(`  ${option}  `)
      expect(run.stdout).toContain('-h, --help')
      const short = await gatehouse([...name.split(' '), '-h'], { databaseUrl: null })
      expect(short.stdout).toBe(run.stdout)
    },
  )

  test('a group: its commands with --help, usage error 2 without one', async () => {
    const help = await gatehouse(['keys', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: gatehouse keys <command>/)
    expect(help.stdout).toMatch(/keys rotate +Retire/)
    expect(help.stdout).toMatch(/keys list +List/)
    const bare = await gatehouse(['clients'])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toBe(
      'gatehouse: clients needs one of: create, list\nRun "gatehouse clients --help" for usage.\n',
    )
    const wrong = await gatehouse(['users', 'delete', 'ada'])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toMatch(/users needs one of: create, list/)
  })

  test('a first word that names nothing: usage error 2, never repeating what may be a secret', async () => {
    const cases: [string[], string][] = [
      [['--password=hunter2'], '--password is not an option: secrets are never taken'],
      [['--client-secret=hunter2'], '--client-secret is not an option: secrets are never taken'],
      [['hunter2'], 'unknown command (the commands are users, clients, keys, secret)'],
      [['--frobnicate'], 'unknown option --frobnicate'],
      [['--colour=hunter2'], 'unknown option --colour'],
      [['-x!hunter2'], 'unknown option'],
    ]
    for (const [args, message] of cases) {
      const run = await gatehouse(args)
      expect(run.code).toBe(2)
      expect(run.stdout).toBe('')
      expect(run.stderr).toBe(
        `gatehouse: ${message}${message.endsWith('taken') ? ' on the command line' : ''}\nRun "gatehouse --help" for usage.\n`,
      )
      expect(run.stderr).not.toContain('hunter2')
    }
  })

  test('after a command too, an unknown option that may be a password is not repeated', async () => {
    for (const pasted of ['--Tr0ub4dor&3', '--correct horse battery staple', '--hunter2']) {
      const run = await gatehouse(['users', 'create', 'ada', '--password-stdin', pasted])
      expect(run.code, pasted).toBe(2)
      expect(run.stderr).toMatch(/^gatehouse[^\n]*: unknown option\n/)
      expect(run.stderr).not.toContain(pasted.slice(2, 8))
    }
    const named = await gatehouse(['users', 'list', '--frobnicate'])
    expect(named.stderr).toMatch(/unknown option --frobnicate/)
    // A password beginning with -h is no call for help, which would exit 0.
    const hunter = await gatehouse(['users', 'create', 'ada', '--password-stdin', '-hunter2'])
    expect(hunter.code).toBe(2)
    expect(hunter.stdout).toBe('')
    expect(hunter.stderr).not.toContain('unter2')
  })

  // `gatehouse clients list | head -1`: the reader closes the pipe before the output is written.
  test('a reader that closes its end early ends the command quietly, exit 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--help'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout.destroy()
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect(stderr).toBe('')
    expect(code).toBe(0)
    // A command that fails keeps its exit code when its message has nowhere to go.
    const failing = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'nope'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    failing.stdout.destroy()
    failing.stderr.destroy()
    expect(await new Promise((resolve) => failing.on('close', resolve))).toBe(2)
  })

  test('--version prints the package version', async () => {
    const run = await gatehouse(['--version'])
    expect(run).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' })
  })

  test('the package bin is the compiled CLI with a shebang; npm run gatehouse builds and runs it', async () => {
    expect(pkg.bin).toEqual({ gatehouse: './dist/cli/main.js' })
    const { stdout } = await promisify(execFile)(
      'npm',
      ['run', '-s', 'gatehouse', '--', '--version'],
      {
        cwd: new URL('..', import.meta.url),
      },
    )
    expect(stdout).toBe(`${pkg.version}\n`)
    const compiled = readFileSync(new URL('../dist/cli/main.js', import.meta.url), 'utf8')
    expect(compiled.startsWith('#!/usr/bin/env node\n')).toBe(true)
    const run = await promisify(execFile)(process.execPath, [
      new URL('../dist/cli/main.js', import.meta.url).pathname,
      'secret',
    ])
    expect(run.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/)
  })
})
