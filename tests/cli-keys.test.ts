import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type AuthorizationServerStore, openStore } from 'gatehouse/authorization-server'
import { afterAll, describe, expect, test } from 'vitest'
import type { CommandContext } from '../src/cli/command.js'
import { keysRotate } from '../src/cli/commands/keys-rotate.js'
import { CLIError } from '../src/cli/errors.js'
import { gatehouse, gatehouseJSON } from './helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-keys-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const freshDatabase = () => join(dir, `keys-${++files}.db`)

interface ListedKey {
  kid: string
  algorithm: string
  active: boolean
  created_at: string
  retired_at: string | null
  expires_at: string | null
}
const seconds = (iso: string | null) => (iso === null ? Number.NaN : Date.parse(iso) / 1000)
const KEY_FIELDS = ['kid', 'algorithm', 'active', 'created_at', 'retired_at', 'expires_at']

describe('gatehouse keys rotate / keys list', { timeout: 60_000 }, () => {
  test('on a new database: list is empty, rotate makes the first key', async () => {
    const databaseUrl = freshDatabase()
    expect(await gatehouseJSON(['keys', 'list', '--json'], { databaseUrl })).toEqual([])
    const table = await gatehouse(['keys', 'list'], { databaseUrl })
    expect(table).toMatchObject({ code: 0, stdout: '' })
    expect(table.stderr).toMatch(/no signing keys yet/)

    const first = await gatehouseJSON<{ active: ListedKey; retired: ListedKey | null }>(
      ['keys', 'rotate', '--json'],
      { databaseUrl },
    )
    expect(first.retired).toBeNull()
    expect(Object.keys(first.active)).toEqual(KEY_FIELDS)
    expect(first.active).toMatchObject({ algorithm: 'EdDSA', active: true, retired_at: null })
    expect(first.active.kid).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(await gatehouseJSON(['keys', 'list', '--json'], { databaseUrl })).toEqual([first.active])
  })

  test('rotate retires the active key, published for the token lifetime plus three minutes', async () => {
    const databaseUrl = freshDatabase()
    const first = await gatehouseJSON<{ active: ListedKey }>(['keys', 'rotate', '--json'], {
      databaseUrl,
    })
    const second = await gatehouseJSON<{ active: ListedKey; retired: ListedKey }>(
      ['keys', 'rotate', '--json'],
      { databaseUrl },
    )
    expect(second.retired.kid).toBe(first.active.kid)
    expect(second.retired.active).toBe(false)
    expect(seconds(second.retired.expires_at) - seconds(second.retired.retired_at)).toBe(900 + 180)
    expect(second.active.kid).not.toBe(first.active.kid)
    expect(second.active.algorithm).toBe('EdDSA')

    const third = await gatehouseJSON<{ active: ListedKey; retired: ListedKey }>(
      ['keys', 'rotate', '--access-token-ttl', '3600', '--algorithm', 'RS256', '--json'],
      { databaseUrl },
    )
    expect(third.retired.kid).toBe(second.active.kid)
    expect(seconds(third.retired.expires_at) - seconds(third.retired.retired_at)).toBe(3600 + 180)
    expect(third.active.algorithm).toBe('RS256')
    // Without --algorithm the active key's is kept.
    const fourth = await gatehouseJSON<{ active: ListedKey }>(['keys', 'rotate', '--json'], {
      databaseUrl,
    })
    expect(fourth.active.algorithm).toBe('RS256')

    const listed = await gatehouseJSON<ListedKey[]>(['keys', 'list', '--json'], { databaseUrl })
    // Oldest first; keys made within the same second may list in either order.
    expect(Object.fromEntries(listed.map((key) => [key.kid, [key.algorithm, key.active]]))).toEqual(
      {
        [first.active.kid]: ['EdDSA', false],
        [second.active.kid]: ['EdDSA', false],
        [third.active.kid]: ['RS256', false],
        [fourth.active.kid]: ['RS256', true],
      },
    )
    const created = listed.map((key) => seconds(key.created_at))
    expect(created).toEqual([...created].sort((a, b) => a - b))
    const store = await openStore(databaseUrl)
    const stored = await store.listKeys()
    await store.close()
    // Never a private part: the JSON has exactly the listed fields, the table neither.
    const table = await gatehouse(['keys', 'list'], { databaseUrl })
    for (const key of stored.filter((k) => k.purpose === 'signing')) {
      const { d } = JSON.parse(key.privateJWK) as { d: string }
      expect(table.stdout).not.toContain(d)
    }
    for (const key of listed) expect(Object.keys(key)).toEqual(KEY_FIELDS)
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^KID\s+ALGORITHM\s+STATE\s+CREATED\s+RETIRED\s+PUBLISHED_UNTIL$/)
    expect(lines).toHaveLength(5)
    expect(lines.find((line) => line.startsWith(fourth.active.kid))).toMatch(
      new RegExp(`^${fourth.active.kid}\\s+RS256\\s+active\\s+\\S+\\s+-\\s+-$`),
    )
    // The hashing key is not a signing key and is never listed.
    expect(listed.some((key) => key.algorithm === 'HMAC-SHA256')).toBe(false)
  })

  test('text output names the new and the retired key', async () => {
    const databaseUrl = freshDatabase()
    const first = await gatehouse(['keys', 'rotate'], { databaseUrl })
    expect(first.stdout).toMatch(/^active key [A-Za-z0-9_-]{43} \(EdDSA\)\n$/)
    const second = await gatehouse(['keys', 'rotate'], { databaseUrl })
    expect(second.stdout).toMatch(
      /^active key \S+ \(EdDSA\)\nretired key \S+, published until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/,
    )
  })

  test.each([
    [['--algorithm', 'none'], /--algorithm must be one of EdDSA, ES256, RS256, HS256/],
    [['--access-token-ttl', '0'], /--access-token-ttl must be a whole number from 1 to/],
    [['--access-token-ttl', '15m'], /--access-token-ttl must be a whole number/],
    [['--access-token-ttl', '-5'], /--access-token-ttl must be a whole number from 1 to 31536000/],
    [['extra'], /keys rotate takes no arguments/],
  ])('rotate %j: usage error 2, no key made', async (args, message) => {
    const databaseUrl = freshDatabase()
    const run = await gatehouse(['keys', 'rotate', ...args], { databaseUrl })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(await gatehouseJSON(['keys', 'list', '--json'], { databaseUrl })).toEqual([])
  })
})

describe('gatehouse secret', { timeout: 60_000 }, () => {
  test('32 random bytes as base64url by default, needing no database', async () => {
    const [a, b] = await Promise.all([gatehouse(['secret']), gatehouse(['secret'])])
    for (const run of [a, b]) {
      expect(run.code).toBe(0)
      expect(run.stderr).toBe('')
      expect(run.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/)
      expect(Buffer.from(run.stdout.trim(), 'base64url')).toHaveLength(32)
    }
    expect(a.stdout).not.toBe(b.stdout)
  })

  test('--hex and --bytes', async () => {
    const run = await gatehouse(['secret', '--hex', '--bytes', '64'])
    expect(run.stdout).toMatch(/^[0-9a-f]{128}\n$/)
  })

  test.each([[['--bytes', '16']], [['--bytes', '2000']], [['--bytes']], [['--base32']]])(
    'secret %j: usage error 2',
    async (args) => {
      const run = await gatehouse(['secret', ...args])
      expect(run.code).toBe(2)
      expect(run.stdout).toBe('')
      expect(run.stderr).toMatch(/^gatehouse: .+\nRun "gatehouse secret --help" for usage\.\n$/)
    },
  )
})

describe('keys rotate losing a race', () => {
  test('exit 5 (run again), as for a lock another process holds, not an unexpected error', async () => {
    const store = await openStore(freshDatabase())
    try {
      await keysRotate.run({ options: {}, positionals: [] }, cliContext(store))
      // Another process rotated between this one's read and its write: the store says so.
      const raced = Object.create(store, { rotateKey: { value: async () => false } })
      const error = await keysRotate.run({ options: {}, positionals: [] }, cliContext(raced)).then(
        () => undefined,
        (caught: unknown) => caught,
      )
      expect(error).toBeInstanceOf(CLIError)
      expect([(error as CLIError).exitCode, (error as CLIError).message]).toEqual([
        5,
        'another process changed the signing keys meanwhile; run again',
      ])
    } finally {
      await store.close()
    }
  })
})

function cliContext(store: AuthorizationServerStore): CommandContext {
  return {
    out: () => {},
    note: () => {},
    stdin: (async function* () {})(),
    store: async () => store,
    now: () => Math.floor(Date.now() / 1000),
  }
}
