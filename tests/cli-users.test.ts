import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPasswordHasher } from 'gatehouse'
import { openStore } from 'gatehouse/authorization-server'
import { afterAll, describe, expect, test } from 'vitest'
import { gatehouse, gatehouseJSON } from './helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-users-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const freshDatabase = () => join(dir, `users-${++files}.db`)

interface ListedUser {
  id: string
  username: string
  scopes: string[]
  disabled: boolean
  has_password: boolean
  created_at: string
}

/** The stored password hash of a user, read from the store itself. */
async function storedHash(file: string, username: string): Promise<string | null | undefined> {
  const store = await openStore(file)
  try {
    return (await store.findUserByUsername(username))?.passwordHash
  } finally {
    await store.close()
  }
}

describe('gatehouse users create / users list', { timeout: 60_000 }, () => {
  test('creates a user from a password on stdin (one trailing newline dropped), migrating a new file', async () => {
    const databaseUrl = freshDatabase()
    const created = await gatehouse(
      ['users', 'create', 'ada', '--password-stdin', '--scopes', 'read  write'],
      { databaseUrl, input: 'correct horse battery\n' },
    )
    expect(created.code).toBe(0)
    expect(created.stderr).toBe('')
    expect(created.stdout).toMatch(/^created user ada \(id [0-9a-f-]{36}\)\n$/)
    const hash = await storedHash(databaseUrl, 'ada')
    expect(hash).toMatch(/^\$argon2id\$/)
    const passwords = createPasswordHasher()
    expect(await passwords.verify('correct horse battery', hash)).toBe(true)
    expect(await passwords.verify('correct horse battery\n', hash)).toBe(false)

    const listed = await gatehouseJSON<ListedUser[]>(['users', 'list', '--json'], { databaseUrl })
    expect(listed).toEqual([
      {
        id: created.stdout.match(/id ([0-9a-f-]{36})/)?.[1],
        username: 'ada',
        scopes: ['read', 'write'],
        disabled: false,
        has_password: true,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      },
    ])
  })

  test('typed at a terminal: a prompt, nothing echoed, Enter ends it, Backspace erases', async () => {
    const databaseUrl = freshDatabase()
    // util-linux `script` runs the CLI on a pseudo-terminal and forwards what is written to it.
    const command = [process.execPath, '--import', 'tsx', 'src/cli/main.ts']
      .concat(['users', 'create', 'tty-ada', '--password-stdin'])
      .join(' ')
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'production' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let screen = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      screen += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
    // Typed only once the prompt shows, so the terminal is no longer echoing.
    await expect.poll(() => screen, { timeout: 20_000 }).toContain('Password (not shown')
    child.stdin.write('typed secretX\u007f!\r')
    expect(await exited).toBe(0)
    expect(screen).toMatch(/created user tty-ada/)
    expect(screen).not.toContain('typed secret')
    const hash = await storedHash(databaseUrl, 'tty-ada')
    expect(await createPasswordHasher().verify('typed secret!', hash)).toBe(true)
  })

  test('--json, --disabled, and a password with spaces kept but for the last newline (CRLF)', async () => {
    const databaseUrl = freshDatabase()
    const answer = await gatehouseJSON<Record<string, unknown>>(
      ['users', 'create', 'eve', '--password-stdin', '--disabled', '--json'],
      { databaseUrl, input: ' two  words \r\n' },
    )
    expect(answer).toEqual({ id: expect.any(String), username: 'eve', scopes: [], disabled: true })
    expect(Object.keys(answer)).toEqual(['id', 'username', 'scopes', 'disabled'])
    const hash = await storedHash(databaseUrl, 'eve')
    expect(await createPasswordHasher().verify(' two  words ', hash)).toBe(true)
    const [eve] = await gatehouseJSON<ListedUser[]>(['users', 'list', '--json'], { databaseUrl })
    expect(eve).toMatchObject({ username: 'eve', disabled: true, has_password: true })
  })

  test('lists users as a table, by username, without hashes', async () => {
    const databaseUrl = freshDatabase()
    const empty = await gatehouse(['users', 'list'], { databaseUrl })
    expect(empty).toMatchObject({ code: 0, stdout: '' })
    expect(empty.stderr).toMatch(/no users yet/)
    expect(await gatehouseJSON(['users', 'list', '--json'], { databaseUrl })).toEqual([])
    for (const name of ['zoe', 'bob'])
      expect(
        (
          await gatehouse(['users', 'create', name, '--password-stdin', '--scopes', 'read'], {
            databaseUrl,
            input: `${name}-password`,
          })
        ).code,
      ).toBe(0)
    const table = await gatehouse(['users', 'list'], { databaseUrl })
    expect(table.code).toBe(0)
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^USERNAME\s+ID\s+SCOPES\s+STATE\s+PASSWORD\s+CREATED$/)
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(['bob', 'zoe'])
    expect(lines[1]).toMatch(/^bob\s+[0-9a-f-]{36}\s+read\s+active\s+yes\s+\d{4}-/)
    const json = await gatehouse(['users', 'list', '--json'], { databaseUrl })
    for (const output of [table.stdout, json.stdout]) {
      expect(output).not.toMatch(/hash|argon2|\$2[aby]\$/i)
      expect(output).not.toContain('bob-password')
    }
  })

  test('a taken username exits 3 and changes nothing', async () => {
    const databaseUrl = freshDatabase()
    const args = ['users', 'create', 'ada', '--password-stdin']
    expect((await gatehouse(args, { databaseUrl, input: 'first-password' })).code).toBe(0)
    const before = await storedHash(databaseUrl, 'ada')
    const again = await gatehouse(args, { databaseUrl, input: 'second-password' })
    expect(again.code).toBe(3)
    expect(again.stdout).toBe('')
    expect(again.stderr).toBe('gatehouse: a user named "ada" already exists\n')
    expect(await storedHash(databaseUrl, 'ada')).toBe(before)
    expect(
      await gatehouseJSON<unknown[]>(['users', 'list', '--json'], { databaseUrl }),
    ).toHaveLength(1)
  })

  test("a name that differs from a user's only by Unicode normalisation is that user", async () => {
    const databaseUrl = freshDatabase()
    const composed = 'zo\u00eb'
    const create = (username: string) =>
      gatehouse(['users', 'create', username, '--password-stdin'], { databaseUrl, input: 'pw' })
    expect((await create('zoe\u0308')).code).toBe(0)
    const again = await create(composed)
    expect(again.code).toBe(3)
    expect(again.stderr).toBe(`gatehouse: a user named "${composed}" already exists\n`)
    const users = await gatehouseJSON<{ username: string }[]>(['users', 'list', '--json'], {
      databaseUrl,
    })
    expect(users.map((user) => user.username)).toEqual([composed])
  })

  const refused: [string, string[], string, RegExp][] = [
    ['no --password-stdin', ['users', 'create', 'ada'], 'pw', /--password-stdin is required/],
    [
      'an empty password',
      ['users', 'create', 'ada', '--password-stdin'],
      '\n',
      /password on standard input is empty/,
    ],
    [
      'a password over 1,024 characters',
      ['users', 'create', 'ada', '--password-stdin'],
      'x'.repeat(1025),
      /password is longer than 1024 characters/,
    ],
    ['no username', ['users', 'create', '--password-stdin'], 'pw', /missing <username>/],
    [
      'a username with a space',
      ['users', 'create', 'ada lovelace', '--password-stdin'],
      'pw',
      /<username> must not contain spaces, control or invisible format characters/,
    ],
    ...(
      [
        ['a zero-width space', 'ad\u200ba'],
        ['a right-to-left override', '\u202eadmin'],
        ['U+FFFD (bytes that were not UTF-8)', '\ufffd'],
        // Shown as nothing, so `ada` and `ada` plus one of them would look alike.
        ['a Hangul filler', 'ada\u3164'],
        ['a combining grapheme joiner', 'ad\u034fa'],
        ['a blank braille pattern', 'ada\u2800'],
        ['a Hangul filler after an emoji', '\u2764\ufe0f\u3164'],
      ] as const
    ).map(([what, username]): [string, string[], string, RegExp] => [
      what,
      ['users', 'create', username, '--password-stdin'],
      'pw',
      /<username> must not contain spaces, control or invisible format characters, or U\+FFFD/,
    ]),
    [
      'an unknown option',
      ['users', 'create', 'ada', '--password-stdin', '--admin'],
      'pw',
      /unknown option --admin/,
    ],
    [
      'a repeated option',
      ['users', 'create', 'ada', '--password-stdin', '--scopes', 'a', '--scopes', 'b'],
      'pw',
      /--scopes is given more than once/,
    ],
    [
      'an option without its value',
      ['users', 'create', 'ada', '--password-stdin', '--scopes'],
      'pw',
      /--scopes needs a value/,
    ],
    [
      'comma-separated scopes',
      ['users', 'create', 'ada', '--password-stdin', '--scopes', 'read,write'],
      'pw',
      /--scopes is space-separated/,
    ],
    [
      'tab-separated scopes',
      ['users', 'create', 'ada', '--password-stdin', '--scopes', 'read\twrite'],
      'pw',
      /--scopes is separated by spaces only/,
    ],
    [
      'an option followed by another',
      ['users', 'create', 'ada', '--password-stdin', '--scopes', '--json'],
      'pw',
      /--scopes needs a value/,
    ],
    [
      'an invalid scope',
      ['users', 'create', 'ada', '--password-stdin', '--scopes', 'read "quoted"'],
      'pw',
      /unknown or invalid scope/,
    ],
    [
      'a value for a flag',
      ['users', 'create', 'ada', '--password-stdin', '--disabled=yes'],
      'pw',
      /--disabled takes no value/,
    ],
    ...(
      [
        ['a NUL', 'pass\u0000word'],
        ['a tab', 'pass\tword'],
        ['an escape sequence', '\u001b[31mpassword'],
        ['a line break inside', ' two\r\nlines \r\n'],
        ['a C1 control', 'pass\u0085word'],
      ] as const
    ).map(([what, password]): [string, string[], string, RegExp] => [
      `a password with ${what}`,
      ['users', 'create', 'ada', '--password-stdin'],
      password,
      /<password> must not hold control characters/,
    ]),
    [
      'a password that is not UTF-8',
      ['users', 'create', 'ada', '--password-stdin'],
      '\xff',
      /not valid UTF-8/,
    ],
  ]
  test.each(refused)('%s: usage error 2, nothing created', async (_, args, input, message) => {
    const databaseUrl = freshDatabase()
    const run = await gatehouse(args, {
      databaseUrl,
      input: input === '\xff' ? Buffer.from([0xff, 0xfe]) : input,
    })
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(message)
    expect(run.stderr).toMatch(/Run "gatehouse users create --help" for usage\.\n$/)
    // Refused before DATABASE_URL was touched: no file created, nothing migrated.
    expect(existsSync(databaseUrl)).toBe(false)
  })

  test.each([['--password hunter2-secret'], ['--password=hunter2-secret'], ['-p hunter2-secret']])(
    'a password on the command line (%s) is refused without being repeated',
    async (given) => {
      const databaseUrl = freshDatabase()
      const run = await gatehouse(['users', 'create', 'ada', ...given.split(' ')], { databaseUrl })
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(
        /secrets are never taken on the command line; pipe the password to --password-stdin/,
      )
      expect(run.stderr).not.toContain('hunter2')
      expect(await gatehouseJSON(['users', 'list', '--json'], { databaseUrl })).toEqual([])
    },
  )

  test('an extra argument (a password typed in the wrong place) is refused without being repeated', async () => {
    const run = await gatehouse(['users', 'create', 'ada', 'hunter2-secret', '--password-stdin'], {
      databaseUrl: freshDatabase(),
      input: 'pw',
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/too many arguments: users create takes <username>/)
    expect(run.stderr).not.toContain('hunter2')
  })
})
