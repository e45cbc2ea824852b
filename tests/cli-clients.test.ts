import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAdministration, openStore } from 'gatehouse/authorization-server'
import { afterAll, describe, expect, test } from 'vitest'
import { gatehouse, gatehouseJSON } from './helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-clients-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const freshDatabase = () => join(dir, `clients-${++files}.db`)

const listClients = (databaseUrl: string) =>
  gatehouseJSON<Record<string, unknown>[]>(['clients', 'list', '--json'], { databaseUrl })

describe('gatehouse clients create / clients list', { timeout: 60_000 }, () => {
  test('--json prints the client id and a 256-bit secret once; only its hash is stored', async () => {
    const databaseUrl = freshDatabase()
    const run = await gatehouse(
      [
        'clients',
        'create',
        'reports',
        '--grant-types',
        'client_credentials',
        '--scopes',
        'read admin',
        '--json',
      ],
      { databaseUrl },
    )
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    const answer = JSON.parse(run.stdout)
    expect(Object.keys(answer)).toEqual(['client_id', 'client_secret'])
    expect(answer.client_id).toBe('reports')
    expect(answer.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(run.stdout).toBe(`${JSON.stringify(answer)}\n`)

    const store = await openStore(databaseUrl)
    try {
      const client = await store.findClient('reports')
      expect(client).toMatchObject({
        grantTypes: ['client_credentials'],
        scopes: ['read', 'admin'],
        redirectUris: [],
        name: null,
      })
      expect(client?.secretHash).toEqual(expect.any(String))
      expect(client?.secretHash).not.toContain(answer.client_secret)
    } finally {
      await store.close()
    }
    const list = await gatehouse(['clients', 'list', '--json'], { databaseUrl })
    expect(list.stdout).not.toContain(answer.client_secret)
    expect(JSON.parse(list.stdout)).toEqual([
      {
        client_id: 'reports',
        name: null,
        public: false,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        scopes: ['read', 'admin'],
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        self_registered: false,
      },
    ])
  })

  test('a public client gets no secret; redirect URIs and grant types are comma-separated', async () => {
    const databaseUrl = freshDatabase()
    const answer = await gatehouseJSON(
      [
        'clients',
        'create',
        'spa',
        '--public',
        '--grant-types',
        'authorization_code, refresh_token',
        '--redirect-uris',
        'http://127.0.0.1:5173/cb,https://app.example.com/cb',
        '--scopes',
        'read',
        '--name',
        'Single page app',
        '--json',
      ],
      { databaseUrl },
    )
    expect(answer).toEqual({ client_id: 'spa' })
    expect(await listClients(databaseUrl)).toEqual([
      expect.objectContaining({
        client_id: 'spa',
        name: 'Single page app',
        public: true,
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: ['http://127.0.0.1:5173/cb', 'https://app.example.com/cb'],
      }),
    ])
  })

  test('without --json: id and secret on stdout, the "shown once" note on stderr; list as a table', async () => {
    const databaseUrl = freshDatabase()
    const run = await gatehouse(
      ['clients', 'create', 'web', '--grant-types', 'password', '--scopes', 'read'],
      { databaseUrl },
    )
    expect(run.code).toBe(0)
    const [idLine, secretLine, ...rest] = run.stdout.split('\n')
    expect(idLine).toBe('client_id      web')
    const secret = secretLine?.match(/^client_secret {2}([A-Za-z0-9_-]{43})$/)?.[1]
    expect(secret).toBeDefined()
    expect(rest).toEqual([''])
    expect(run.stderr).toMatch(/it is not shown again/)
    const publicRun = await gatehouse(
      [
        ...['clients', 'create', 'app', '--public', '--grant-types', 'authorization_code'],
        ...['--redirect-uris', 'http://127.0.0.1:9/cb', '--scopes', 'read write'],
      ],
      { databaseUrl },
    )
    expect(publicRun.stdout).toBe('client_id      app\n')
    expect(publicRun.stderr).toMatch(/public client: it has no secret/)

    const table = await gatehouse(['clients', 'list'], { databaseUrl })
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(
      /^CLIENT_ID\s+TYPE\s+GRANT_TYPES\s+SCOPES\s+REDIRECT_URIS\s+NAME\s+CREATED$/,
    )
    expect(lines[1]).toMatch(
      /^app\s+public\s+authorization_code\s+read write\s+http:\/\/127\.0\.0\.1:9\/cb\s+-\s+\d{4}-/,
    )
    expect(lines[2]).toMatch(/^web\s+confidential\s+password\s+read\s+-\s+-\s+\d{4}-/)
    expect(table.stdout).not.toContain(secret)
    const empty = await gatehouse(['clients', 'list'], { databaseUrl: freshDatabase() })
    expect(empty).toMatchObject({ code: 0, stdout: '' })
    expect(empty.stderr).toMatch(/no clients yet/)
  })

  test('a taken client id exits 3, prints no secret and keeps the first', async () => {
    const databaseUrl = freshDatabase()
    const args = [
      'clients',
      'create',
      'svc',
      '--grant-types',
      'client_credentials',
      '--scopes',
      'read',
      '--json',
    ]
    const first = await gatehouseJSON<{ client_secret: string }>(args, { databaseUrl })
    const again = await gatehouse(args, { databaseUrl })
    expect(again.code).toBe(3)
    expect(again.stdout).toBe('')
    expect(again.stderr).toBe('gatehouse: a client with id "svc" already exists\n')
    const store = await openStore(databaseUrl)
    const client = await store.findClient('svc')
    await store.close()
    expect(client?.createdAt).toEqual(expect.any(Number))
    expect(await listClients(databaseUrl)).toHaveLength(1)
    expect(first.client_secret).toHaveLength(43)
  })

  test("a user's id is refused as a client id: exit 3, no secret, no client", async () => {
    const databaseUrl = freshDatabase()
    const store = await openStore(databaseUrl)
    const user = await createAdministration({ store }).createUser({ username: 'ada' })
    await store.close()
    // In upper case too: a resource server may compare a UUID subject in any case.
    for (const id of [user.id, user.id.toUpperCase()]) {
      const args = ['clients', 'create', id, '--grant-types', 'client_credentials']
      const refused = await gatehouse([...args, '--scopes', 'read', '--json'], { databaseUrl })
      expect(refused.code).toBe(3)
      expect(refused.stdout).toBe('')
      expect(refused.stderr).toBe(
        `gatehouse: a user has the id "${id}"; a client needs another, since its own tokens carry its id as their subject\n`,
      )
    }
    expect(await listClients(databaseUrl)).toHaveLength(0)
  })

  test('a bad value for a taken id is a usage error (2) naming the value, not a conflict', async () => {
    const databaseUrl = freshDatabase()
    const args = [
      'clients',
      'create',
      'x1',
      '--grant-types',
      'authorization_code',
      '--scopes',
      'read',
    ]
    await gatehouseJSON([...args, '--redirect-uris', 'https://a.example/cb', '--json'], {
      databaseUrl,
    })
    const again = await gatehouse([...args, '--redirect-uris', 'javascript:alert(1)'], {
      databaseUrl,
    })
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/^gatehouse: .*--redirect-uris: .*script or local scheme\n/)
  })

  const create = ['clients', 'create', 'c1']
  const refused: [string, string[], RegExp][] = [
    ['no --grant-types', [...create, '--json'], /--grant-types is required/],
    [
      'an unknown grant type',
      [...create, '--grant-types', 'implicit'],
      /unknown grant type "implicit"; use some of authorization_code, client_credentials, password, refresh_token/,
    ],
    ['an empty --grant-types', [...create, '--grant-types', ','], /--grant-types is empty/],
    [
      'no --scopes (it could never get a token)',
      [...create, '--grant-types', 'client_credentials'],
      /--scopes must name at least one scope: a client with none could never get a token/,
    ],
    [
      'a public client_credentials client',
      [...create, '--public', '--grant-types', 'client_credentials'],
      /a public client cannot use client_credentials/,
    ],
    [
      'a plain-http redirect URI',
      [
        ...create,
        '--grant-types',
        'authorization_code',
        '--redirect-uris',
        'http://app.example.com/cb',
      ],
      /http redirect URIs are allowed for localhost only/,
    ],
    [
      'a relative redirect URI',
      [...create, '--grant-types', 'authorization_code', '--redirect-uris', '/cb'],
      /must be an absolute URI/,
    ],
    [
      'a redirect URI with a newline',
      [
        ...create,
        '--grant-types',
        'authorization_code',
        '--redirect-uris',
        'https://a.example/c\nb',
      ],
      /--redirect-uris: a redirect URI must not contain control characters or whitespace/,
    ],
    // Not trimmed away into another URI: refused as the README says.
    ...['\u00a0', '\u2028', '\t'].map((glued): [string, string[], RegExp] => [
      `a redirect URI ending in U+${glued.codePointAt(0)?.toString(16).padStart(4, '0')}`,
      [
        ...create,
        '--grant-types',
        'authorization_code',
        '--redirect-uris',
        `https://a.example/cb${glued}`,
      ],
      /--redirect-uris: a redirect URI must not contain control characters or whitespace/,
    ]),
    [
      'a redirect URI with credentials',
      [
        ...create,
        '--grant-types',
        'authorization_code',
        '--redirect-uris',
        'https://u:p@a.example/cb',
      ],
      /--redirect-uris: a redirect URI must not carry credentials/,
    ],
    ...[
      ['a broken percent-encoding', 'https://a.example/cb?x=%zz', /must percent-encode/],
      ['port 0', 'http://localhost:0/cb', /must not use port 0/],
      ['the out-of-band value', 'urn:ietf:wg:oauth:2.0:oob', /must not be the out-of-band/],
    ].map(([name, uri, message]): [string, string[], RegExp] => [
      `a redirect URI with ${name as string}`,
      [...create, '--grant-types', 'authorization_code', '--redirect-uris', uri as string],
      message as RegExp,
    ]),
    [
      'a redirect URI the parser would rewrite',
      [...create, '--grant-types', 'authorization_code', '--redirect-uris', 'https://A.example/cb'],
      /exact form it is used in: https:\/\/a\.example\/cb/,
    ],
    [
      'a name with a control character',
      [...create, '--grant-types', 'password', '--name', 'a\u001b[31mred'],
      /--name must be 1 to 200 printable characters/,
    ],
    [
      'an empty name',
      [...create, '--grant-types', 'password', '--name', ''],
      /--name must be 1 to 200 printable characters/,
    ],
    [
      'refresh_token alone',
      [...create, '--grant-types', 'refresh_token'],
      /--grant-types refresh_token needs authorization_code or password/,
    ],
    [
      'authorization_code without --redirect-uris',
      [...create, '--grant-types', 'authorization_code'],
      /--redirect-uris is required with the authorization_code grant/,
    ],
    [
      'a client id that is not printable ASCII',
      ['clients', 'create', 'café', '--grant-types', 'password'],
      /<client_id> must be 1 to 255 printable ASCII characters/,
    ],
    ['no client id', ['clients', 'create', '--grant-types', 'password'], /missing <client_id>/],
    [
      'a client secret on the command line',
      [...create, '--grant-types', 'password', '--client-secret', 's3cr3t-value'],
      /secrets are never taken on the command line/,
    ],
  ]
  test.each(refused)('%s: usage error 2, nothing registered', async (_, args, message) => {
    const databaseUrl = freshDatabase()
    const run = await gatehouse(args, { databaseUrl })
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(message)
    expect(run.stderr).toMatch(/Run "gatehouse clients create --help" for usage\.\n$/)
    expect(run.stderr).not.toContain('s3cr3t')
    // Refused before DATABASE_URL was touched: no file created, nothing migrated.
    expect(existsSync(databaseUrl)).toBe(false)
  })
})
