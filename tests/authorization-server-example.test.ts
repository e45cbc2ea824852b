import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import type { RequestView } from 'gatehouse'
import { createMemoryStore } from 'gatehouse/authorization-server'
import { afterAll, describe, expect, test, vi } from 'vitest'
import { createAuthorizationServerApp } from '../examples/authorization-server/app.js'
import { readAuthorizationServerConfig } from '../examples/authorization-server/config.js'
import { SeedFailure, seedDemo } from '../examples/authorization-server/seed.js'
import { hiddenFields } from './helpers/authorization-flow.js'
import { claimsOf } from './helpers/authorization-server.js'
import { describeEngines } from './helpers/http.js'
import {
  isListening,
  killLeftovers,
  startedBanner,
  startScript,
  stopNpmAlone,
  stopScript,
} from './helpers/npm-script.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-as-example-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const databaseFile = join(dir, 'authorization-server.db')

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** `npm run start:authorization-server`; resolves once it printed all it prints at start. */
function start(port: number) {
  const env = { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseFile }
  return startScript('start:authorization-server', env, startedBanner, 60_000)
}

const printed = (output: string, pattern: RegExp) => {
  const value = pattern.exec(output)?.[1]
  expect(value).toEqual(expect.any(String))
  return value as string
}

describe('npm run start:authorization-server', { timeout: 120_000 }, () => {
  test('seeds a demo on first start, runs the README curl session, and keeps it all on restart', async () => {
    const port = await freePort()
    const issuer = `http://127.0.0.1:${port}`
    const first = await start(port)
    let accessToken: string
    try {
      const output = first.output()
      expect(output).toContain(`Gatehouse authorization server on ${issuer}`)
      expect(output).toContain(`API ${issuer}/api`)
      // The hint comes after every client, so none reads as part of it.
      expect(output).toMatch(/client swagger-ui .*\nTry:\n {2}curl -s -u demo-service:/)
      const env = {
        ...process.env,
        ISSUER: issuer,
        PASSWORD: printed(output, /user demo, password (\S+)/),
        APP_SECRET: printed(output, /client demo-app .*, secret (\S+)/),
        SERVICE_SECRET: printed(output, /client demo-service .*, secret (\S+)/),
      }
      const { stdout } = await promisify(execFile)(
        'sh',
        ['examples/authorization-server/curl-session.sh'],
        { env },
      )
      const answers = new Map<string, string>()
      for (const line of stdout.trim().split('\n')) {
        const colon = line.indexOf(': ')
        answers.set(line.slice(0, colon), line.slice(colon + 2))
      }
      const json = (label: string) => JSON.parse(answers.get(label) ?? 'null')
      const demo = await (await import('gatehouse/authorization-server')).openStore(databaseFile)
      const user = await demo.findUserByUsername('demo')
      await demo.close()

      expect(json('password')).toMatchObject({ token_type: 'Bearer', scope: 'read write' })
      expect(json('password').refresh_token).toEqual(expect.any(String))
      expect(claimsOf(json('password').access_token).aud).toBe(`${issuer}/api`)
      expect(json('whoami')).toEqual({
        subject: user?.id,
        client_id: 'demo-app',
        scopes: ['read', 'write'],
      })
      expect(json('client_credentials')).toMatchObject({ scope: 'read admin' })
      expect(claimsOf(json('client_credentials').access_token).sub).toBe('demo-service')
      expect(json('refresh_token').refresh_token).not.toBe(json('password').refresh_token)
      expect(json('introspect')).toMatchObject({ active: true, client_id: 'demo-app' })
      expect(answers.get('revoke')).toBe('HTTP 200')
      expect(json('refresh after revoke')).toMatchObject({ error: 'invalid_grant' })
      expect(json('introspect after revoke')).toEqual({ active: false })
      const callback = new URL(answers.get('callback') as string)
      expect(`${callback.origin}${callback.pathname}`).toBe('http://127.0.0.1:8765/callback')
      expect(callback.searchParams.get('state')).toBe('s-42')
      expect(callback.searchParams.get('iss')).toBe(issuer)
      expect(json('authorization_code')).toMatchObject({ scope: 'read write' })
      accessToken = json('authorization_code').access_token

      // Beside the session: the API's RFC 9728 metadata, its challenges, registration.
      const whoami = await fetch(`${issuer}/api/whoami`)
      expect(whoami.status).toBe(401)
      expect(whoami.headers.get('www-authenticate')).toContain(
        `resource_metadata="${issuer}/.well-known/oauth-protected-resource/api"`,
      )
      const adminOnly = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`demo-service:${env.SERVICE_SECRET}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials&scope=admin',
      })
      const insufficient = await fetch(`${issuer}/api/whoami`, {
        headers: { authorization: `Bearer ${(await adminOnly.json()).access_token}` },
      })
      expect(insufficient.status).toBe(403)
      const registered = await fetch(`${issuer}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: ['https://client.example.org/cb'] }),
      })
      expect(registered.status).toBe(201)
      expect((await registered.json()).scope).toBe('read')
    } finally {
      await stopScript(first.child)
    }

    const second = await start(port)
    try {
      const output = second.output()
      expect(output).toContain('The demo user and clients exist already')
      expect(output).not.toMatch(/secret \S+|password \S+/)
      // The keys live in the file: a token from the first run still works.
      const whoami = await fetch(`${issuer}/api/whoami`, {
        headers: { authorization: `Bearer ${accessToken}` },
      })
      expect(whoami.status).toBe(200)
      // SIGTERM to npm alone (`docker stop`): the script runs the server with `exec`, so the
      // signal reaches it and it shuts down; a shell in between would have died and left it running.
      await stopNpmAlone(second.child)
      expect(second.child.exitCode).toBe(0)
      expect(await isListening(port)).toBe(false)
    } finally {
      killLeftovers(second.child)
    }
    const raw = new Database(databaseFile, { readonly: true })
    try {
      expect(raw.prepare('SELECT username FROM gatehouse_users').all()).toEqual([
        { username: 'demo' },
      ])
      expect(raw.prepare('SELECT count(*) AS n FROM gatehouse_clients').get()).toEqual({ n: 4 })
    } finally {
      raw.close()
    }
  })
})

describe('the example configuration', () => {
  test('reads PORT, HOST, DATABASE_URL and ISSUER, refusing what it cannot use', () => {
    expect(readAuthorizationServerConfig({})).toEqual({
      port: 8000,
      host: '127.0.0.1',
      databaseUrl: 'authorization-server.db',
      issuer: undefined,
    })
    expect(
      readAuthorizationServerConfig({
        PORT: '9000',
        HOST: '0.0.0.0',
        DATABASE_URL: 'sqlite:///var/lib/auth.db',
        ISSUER: 'https://auth.example.com/',
      }),
    ).toEqual({
      port: 9000,
      host: '0.0.0.0',
      databaseUrl: 'sqlite:///var/lib/auth.db',
      issuer: 'https://auth.example.com',
    })
    expect(() => readAuthorizationServerConfig({ PORT: 'x' })).toThrow('PORT')
    expect(() => readAuthorizationServerConfig({ ISSUER: 'https://a.example/auth' })).toThrow(
      'ISSUER',
    )
    // Empty is unset, as for the others; only decimal digits are a port.
    expect(readAuthorizationServerConfig({ PORT: '' }).port).toBe(8000)
    expect(() => readAuthorizationServerConfig({ PORT: '0x1250' })).toThrow('PORT')
    expect(() => readAuthorizationServerConfig({ PORT: '1e3' })).toThrow('PORT')
    // Written as the URL parser writes it, or the redirect URIs made from it are refused.
    expect(() => readAuthorizationServerConfig({ ISSUER: 'https://auth.example.com:443' })).toThrow(
      'ISSUER must be written as https://auth.example.com (lower-case host, no default port)',
    )
    expect(() => readAuthorizationServerConfig({ ISSUER: 'https://Auth.example.com' })).toThrow(
      'ISSUER must be written as https://auth.example.com',
    )
    expect(readAuthorizationServerConfig({}).clientAddress).toBeUndefined()
    expect(readAuthorizationServerConfig({}).allowedOrigins).toBeUndefined()
    expect(
      readAuthorizationServerConfig({ ALLOWED_ORIGINS: 'http://localhost:6274, https://a.example' })
        .allowedOrigins,
    ).toEqual(['http://localhost:6274', 'https://a.example'])
    // A browser extension's or a native shell's origin, as browsers send them.
    expect(
      readAuthorizationServerConfig({
        ALLOWED_ORIGINS: 'chrome-extension://abcdefghijklmnop,capacitor://localhost',
      }).allowedOrigins,
    ).toEqual(['chrome-extension://abcdefghijklmnop', 'capacitor://localhost'])
    for (const ALLOWED_ORIGINS of ['https://a.example/', '*', 'https://a.example,', 'a.example'])
      expect(() => readAuthorizationServerConfig({ ALLOWED_ORIGINS }), ALLOWED_ORIGINS).toThrow(
        /^ALLOWED_ORIGINS must be comma-separated origins/,
      )
    expect(
      readAuthorizationServerConfig({ CLIENT_ADDRESS_HEADER: 'X-Forwarded-For' }).clientAddress,
    ).toEqual(expect.any(Function))
    expect(() => readAuthorizationServerConfig({ CLIENT_ADDRESS_HEADER: 'x forwarded' })).toThrow(
      'CLIENT_ADDRESS_HEADER must be a header name',
    )
  })

  test('CLIENT_ADDRESS_PROXIES: the header is believed only from the balancers named', () => {
    const { clientAddress } = readAuthorizationServerConfig({
      CLIENT_ADDRESS_HEADER: 'x-forwarded-for',
      CLIENT_ADDRESS_PROXIES: '10.0.0.5, 2001:db8::1, 10.1.0.0/24',
    })
    const from = (remoteAddress: string, forwarded?: string) =>
      clientAddress?.({
        remoteAddress,
        header: (name: string) => (name === 'x-forwarded-for' ? forwarded : undefined),
      } as unknown as RequestView)
    expect(from('10.0.0.5', '1.2.3.4, 198.51.100.7')).toBe('198.51.100.7')
    expect(from('::ffff:10.0.0.5', '198.51.100.7')).toBe('198.51.100.7')
    expect(from('2001:DB8::1', '198.51.100.8')).toBe('198.51.100.8')
    // However the peer's address is written, and any balancer of a subnet.
    expect(from('2001:db8:0:0:0:0:0:1', '198.51.100.9')).toBe('198.51.100.9')
    expect(from('0:0:0:0:0:ffff:a00:5', '198.51.100.10')).toBe('198.51.100.10')
    expect(from('10.1.0.77', '198.51.100.11')).toBe('198.51.100.11')
    expect(from('10.1.1.77', '198.51.100.11')).toBe('10.1.1.77')
    expect(from('10.0.0.5')).toBe('10.0.0.5')
    // Anyone else reaching the server directly is counted under its own address.
    expect(from('203.0.113.9', '198.51.100.7')).toBe('203.0.113.9')
    expect(() => readAuthorizationServerConfig({ CLIENT_ADDRESS_PROXIES: '10.0.0.5' })).toThrow(
      'CLIENT_ADDRESS_PROXIES needs CLIENT_ADDRESS_HEADER',
    )
    expect(() =>
      readAuthorizationServerConfig({
        CLIENT_ADDRESS_HEADER: 'x-forwarded-for',
        CLIENT_ADDRESS_PROXIES: '10.0.0.0/33',
      }),
    ).toThrow('CLIENT_ADDRESS_PROXIES must be comma-separated IP addresses')
    for (const CLIENT_ADDRESS_PROXIES of ['balancer.internal', '10.0.0.5,', '10.0.0.0/8/1'])
      expect(() =>
        readAuthorizationServerConfig({
          CLIENT_ADDRESS_HEADER: 'x-forwarded-for',
          CLIENT_ADDRESS_PROXIES,
        }),
      ).toThrow('CLIENT_ADDRESS_PROXIES must be comma-separated IP addresses')
  })

  test('a port in use: one line, exit 1, and nothing seeded whose secrets would be lost', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as { port: number }).port
    const database = join(dir, 'port-in-use.db')
    try {
      const run = await promisify(execFile)(
        'node',
        ['build/examples/authorization-server/main.js'],
        { env: { ...process.env, DATABASE_URL: database, PORT: String(port), HOST: '127.0.0.1' } },
      ).then(
        () => ({ code: 0, stdout: '', stderr: '' }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      )
      expect(run.code).toBe(1)
      expect(run.stdout).toBe('')
      expect(run.stderr).toBe(
        `authorization-server: cannot listen on HOST=127.0.0.1 PORT=${port} (EADDRINUSE)\n`,
      )
      const db = new Database(database, { readonly: true })
      try {
        expect(db.prepare('select count(*) as n from gatehouse_users').get()).toEqual({ n: 0 })
      } finally {
        db.close()
      }
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })

  test.each([
    [
      'an ISSUER with a path',
      { ISSUER: 'http://127.0.0.1:8125/auth' },
      /^ISSUER must be an origin/,
    ],
    ['an ISSUER that is no URL', { ISSUER: 'http://exa mple' }, /`issuer` must be a URL/],
    ['a bad PORT', { PORT: 'x' }, /^PORT must be an integer/],
    [
      'a HOST that makes no issuer',
      { HOST: '999.1.1.1', PORT: '8125' },
      /^the issuer http:\/\/999\.1\.1\.1:8125 made from HOST and PORT \(set ISSUER\): /,
    ],
    [
      'a HOST that cannot be bound',
      { HOST: 'nonexistent.invalid' },
      /^cannot listen on HOST=nonexistent\.invalid PORT=0 \(ENOTFOUND\)$/,
    ],
    [
      'an ISSUER with its default port',
      { ISSUER: 'https://auth.example.com:443' },
      /^ISSUER must be written as https:\/\/auth\.example\.com/,
    ],
  ])('%s: one line on stderr and exit 1, no stack trace', async (_name, env, message) => {
    const run = await promisify(execFile)('node', ['build/examples/authorization-server/main.js'], {
      env: { ...process.env, DATABASE_URL: join(dir, 'refused.db'), PORT: '0', ...env },
    }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    const lines = run.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]?.replace(/^authorization-server: /, '')).toMatch(message)
  })
})

describe('seeding the demo', () => {
  test('a first start that failed half-way is completed by the next, which shows only the new secrets', async () => {
    const store = createMemoryStore()
    const { server } = createAuthorizationServerApp({ issuer: 'http://127.0.0.1:8001', store })
    // The first start made the user, then the database went away before the clients.
    const failing = Object.create(server, {
      admin: {
        value: Object.create(server.admin, {
          createClient: {
            value: async () => {
              throw new Error('The database is busy')
            },
          },
        }),
      },
    })
    // What it made before is in the failure, whose secret exists nowhere else.
    const failure = await seedDemo(failing).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(SeedFailure)
    expect((failure as SeedFailure).message).toBe('The database is busy')
    expect((failure as SeedFailure).seeded).toEqual({ password: expect.any(String) })
    expect((await store.listUsers()).map((user) => user.username)).toEqual(['demo'])
    expect(await store.listClients()).toEqual([])
    // The user is there, the clients are not: after a short wait for another instance, it repairs.
    const completed = await seedDemo(server, { wait: 200 })
    expect(completed).toEqual({
      appSecret: expect.any(String),
      serviceSecret: expect.any(String),
      swaggerClient: true,
    })
    expect((await store.listClients()).map((client) => client.id).sort()).toEqual([
      'demo-app',
      'demo-service',
      'swagger-ui',
    ])
    expect(await seedDemo(server)).toBeUndefined()
  })
})

const ISSUER = 'http://127.0.0.1:8000'
const example = createAuthorizationServerApp({ issuer: ISSUER, store: createMemoryStore() })
const seeded = seedDemo(example.server)

describe('the example OpenAPI document', () => {
  test('shows the token form per grant and the three flows with their URLs and scopes, and validates', async () => {
    const document = example.app.openapi() as unknown as {
      paths: Record<string, Record<string, Record<string, unknown>>>
      components: { securitySchemes: Record<string, { flows?: unknown }> }
    }
    await expectValidOpenAPI(document)
    // Its endpoints answer OAuth errors, never a 422: no unused validation-error components.
    expect(JSON.stringify(document)).not.toContain('ValidationError')
    const token = document.paths['/token']?.post as {
      requestBody: { content: Record<string, { schema: { oneOf: Record<string, unknown>[] } }> }
    }
    const forms = token.requestBody.content['application/x-www-form-urlencoded']?.schema.oneOf
    expect(forms?.map((form) => [form.title, form.required])).toEqual([
      [
        'Authorization code grant (RFC 6749 §4.1.3, PKCE RFC 7636)',
        ['grant_type', 'code', 'code_verifier'],
      ],
      ['Client credentials grant (RFC 6749 §4.4)', ['grant_type']],
      [
        'Resource owner password credentials grant (RFC 6749 §4.3)',
        ['grant_type', 'username', 'password'],
      ],
      ['Refresh token grant (RFC 6749 §6)', ['grant_type', 'refresh_token']],
    ])
    const scopes = {
      read: 'Read your data',
      write: 'Change your data',
      admin: 'Administer the API (only for clients allowed it)',
    }
    expect(document.components.securitySchemes.OAuth2?.flows).toEqual({
      authorizationCode: {
        authorizationUrl: `${ISSUER}/authorize`,
        tokenUrl: `${ISSUER}/token`,
        refreshUrl: `${ISSUER}/token`,
        scopes,
      },
      password: { tokenUrl: `${ISSUER}/token`, refreshUrl: `${ISSUER}/token`, scopes },
      clientCredentials: { tokenUrl: `${ISSUER}/token`, scopes },
    })
    expect(document.paths['/api/whoami']?.get?.security).toEqual([{ OAuth2: ['read'] }])
    // The OAuth endpoints answer bad input as RFC 6749 errors, never the framework's 422.
    for (const path of ['/token', '/revoke', '/introspect', '/register']) {
      const responses = document.paths[path]?.post?.responses as Record<string, unknown>
      expect(Object.keys(responses)).not.toContain('422')
      if (path !== '/register')
        expect(Object.keys(responses)).toEqual(expect.arrayContaining(['400', '401']))
    }
    const authorize = document.paths['/authorize']?.get as {
      parameters: { name: string }[]
      responses: Record<string, unknown>
      security: unknown
    }
    expect(authorize.parameters.map((p) => p.name)).toEqual([
      'response_type',
      'client_id',
      'redirect_uri',
      'scope',
      'state',
      'code_challenge',
      'code_challenge_method',
      'resource',
      'prompt',
    ])
    expect(authorize.security).toEqual([])
    expect(Object.keys(authorize.responses)).toEqual(['200', '302', '400'])
    const form = document.paths['/authorize']?.post as { responses: Record<string, unknown> }
    expect(Object.keys(form.responses).sort()).toEqual(['200', '303', '400', '403', '429'])
    expect(JSON.stringify(document)).not.toContain('null')
  })
})

describeEngines('the example app', example.app, (send) => {
  test('the API answers 401 naming its RFC 9728 metadata, which names the server', async () => {
    await seeded
    const response = await send('/api/whoami')
    expect(response.status).toBe(401)
    const challenge = response.headers.get('www-authenticate') as string
    expect(challenge).toContain(
      `resource_metadata="${ISSUER}/.well-known/oauth-protected-resource/api"`,
    )
    const metadata = await (await send('/.well-known/oauth-protected-resource/api')).json()
    expect(metadata).toMatchObject({
      resource: `${ISSUER}/api`,
      authorization_servers: [ISSUER],
      scopes_supported: expect.arrayContaining(['read']),
    })
  })

  test("Swagger UI's client starts a login at /authorize", async () => {
    await seeded
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: 'swagger-ui',
      redirect_uri: `${ISSUER}/docs/oauth2-redirect`,
      scope: 'read',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    })
    const page = await send(`/authorize?${query}`)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('to continue to <strong>Swagger UI</strong>')
    expect(hiddenFields(html).step).toBe('login')
    // Plain-http localhost issuer: the cookies are neither Secure nor __Host-, and go only to
    // /authorize: a loopback client's listener on another port (its /callback) never gets them.
    expect(page.headers.getSetCookie()[0]).toMatch(
      /^gatehouse-csrf=[^;]+; Path=\/authorize; HttpOnly; SameSite=Lax$/,
    )
  })
})

test("the README's code for this example is the example's own code", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const start = readme.indexOf('## Authorization server')
  const section = readme.slice(start, readme.indexOf('\n## ', start))
  const read = (file: string) =>
    readFileSync(new URL(`../examples/authorization-server/${file}`, import.meta.url), 'utf8')
  expect(section).toContain(`\`\`\`sh\n${read('curl-session.sh')}\`\`\``)
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '')
  const sources = read('app.ts') + read('own-login.ts')
  const lines = blocks
    .slice(1)
    .flatMap((block) => block.split('\n'))
    .filter((l) => l.trim() !== '')
  expect(lines.length).toBeGreaterThan(40)
  for (const line of lines) expect(sources, line).toContain(line.trim())
})

// Behind a load balancer every socket peer is the balancer: without CLIENT_ADDRESS_HEADER one
// guesser's failures delayed every user's logins (README: run the examples behind one).
const behindBalancer = createAuthorizationServerApp({
  issuer: ISSUER,
  store: createMemoryStore(),
  clientAddress: readAuthorizationServerConfig({ CLIENT_ADDRESS_HEADER: 'x-forwarded-for' })
    .clientAddress,
})
const balancerSeed = seedDemo(behindBalancer.server)

describeEngines(
  'the example behind a load balancer (CLIENT_ADDRESS_HEADER)',
  behindBalancer.app,
  (send, engine) => {
    test("a guesser's failures delay only the address the balancer saw for it", async () => {
      const seed = await balancerSeed
      // One app for both engines: each its own addresses.
      const net = engine.name === 'serve' ? '203.0.113' : '198.51.100'
      const login = (password: string, forwardedFor: string) =>
        send('/token', {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`demo-app:${seed?.appSecret}`).toString('base64')}`,
            'x-forwarded-for': forwardedFor,
          },
          body: new URLSearchParams({
            grant_type: 'password',
            username: 'demo',
            password,
          }).toString(),
        })
      const guesses: number[] = []
      // The clock held still: the first delay is one second, which a loaded CI host could let
      // pass between the sixth and seventh guesses (timers and the hashing threads run on).
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() })
      try {
        // A spoofed first entry changes nothing: the balancer's own (last) one counts.
        for (let n = 0; n < 7; n++)
          guesses.push((await login('guess', `10.9.9.${n}, ${net}.66`)).status)
        expect(guesses.slice(0, 5)).toEqual([400, 400, 400, 400, 400])
        expect(guesses.slice(5)).toEqual([429, 429])
        expect((await login(seed?.password as string, `${net}.1`)).status).toBe(200)
      } finally {
        vi.useRealTimers()
      }
    })
  },
)

// ALLOWED_ORIGINS: browser clients on other origins (a single-page app, MCP Inspector) may call
// the token, registration and metadata endpoints and the API, and read their challenges.
const INSPECTOR = 'http://localhost:6274'
const withCORS = createAuthorizationServerApp({
  issuer: ISSUER,
  store: createMemoryStore(),
  allowedOrigins: readAuthorizationServerConfig({ ALLOWED_ORIGINS: ` ${INSPECTOR} ` })
    .allowedOrigins,
})

describeEngines('the example with ALLOWED_ORIGINS', withCORS.app, (send) => {
  test('answers the preflights of the origins named, and marks the answers', async () => {
    for (const path of ['/token', '/register']) {
      const preflight = await send(path, {
        method: 'OPTIONS',
        headers: {
          origin: INSPECTOR,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      })
      expect(preflight.status, path).toBeLessThan(300)
      expect(preflight.headers.get('access-control-allow-origin')).toBe(INSPECTOR)
    }
    const registered = await send('/register', {
      method: 'POST',
      headers: { origin: INSPECTOR, 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: ['http://localhost:6274/oauth/callback'],
        token_endpoint_auth_method: 'none',
      }),
    })
    expect(registered.status).toBe(201)
    expect(registered.headers.get('access-control-allow-origin')).toBe(INSPECTOR)
    const challenged = await send('/api/whoami', { headers: { origin: INSPECTOR } })
    expect(challenged.status).toBe(401)
    expect(challenged.headers.get('access-control-expose-headers')).toMatch(/www-authenticate/i)
  })

  test('refuses the preflights of other origins', async () => {
    const preflight = await send('/token', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBe(403)
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
  })
})
