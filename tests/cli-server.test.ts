import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Gatehouse, Security } from 'gatehouse'
import {
  type AuthorizationServerStore,
  createAuthorizationServer,
  openStore,
} from 'gatehouse/authorization-server'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { basic, bearer, claimsOf, headerOf, postForm } from './helpers/authorization-server.js'
import { gatehouse, gatehouseJSON } from './helpers/cli.js'
import { type Send, transports } from './helpers/http.js'

const ISSUER = 'https://auth.example.com'
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-server-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Created with the CLI alone, before any server opened the database. */
interface Provisioned {
  databaseUrl: string
  adaId: string
  serviceSecret: string
  webSecret: string
}

async function provision(name: string): Promise<Provisioned> {
  const databaseUrl = join(dir, `${name}.db`)
  // The first run migrates the new file; the others then run side by side.
  const ada = await gatehouseJSON<{ id: string }>(
    ['users', 'create', 'ada', '--password-stdin', '--scopes', 'read write', '--json'],
    { databaseUrl, input: 'ada: correct horse\n' },
  )
  const [service, web, eve] = await Promise.all([
    gatehouseJSON<{ client_secret: string }>(
      [
        'clients',
        'create',
        'service',
        '--grant-types',
        'client_credentials',
        '--scopes',
        'read',
        '--json',
      ],
      { databaseUrl },
    ),
    gatehouseJSON<{ client_secret: string }>(
      [
        'clients',
        'create',
        'web',
        '--grant-types',
        'password,refresh_token',
        '--scopes',
        'read write',
        '--json',
      ],
      { databaseUrl },
    ),
    gatehouse(['users', 'create', 'eve', '--password-stdin', '--scopes', 'read', '--disabled'], {
      databaseUrl,
      input: 'eve-password',
    }),
  ])
  expect(eve.code).toBe(0)
  return {
    databaseUrl,
    adaId: ada.id,
    serviceSecret: service.client_secret,
    webSecret: web.client_secret,
  }
}

describe.each(transports)('what the CLI made, used by a server ($name)', (transport) => {
  let setup: Provisioned
  let store: AuthorizationServerStore
  let send: Send
  let close: () => Promise<void>
  // The server's clock: real time (the CLI stamps keys with it), moved on by hand.
  let offset = 0
  beforeAll(async () => {
    setup = await provision(transport.name.replace(/\W/g, '-'))
    store = await openStore(setup.databaseUrl)
    const server = createAuthorizationServer({
      issuer: ISSUER,
      store,
      scopes: { read: 'Read your data', write: 'Change your data' },
      defaultScopes: ['read'],
      now: () => Math.floor(Date.now() / 1000) + offset,
    })
    const app = new Gatehouse()
    app.include(server.router)
    app.get(
      '/api/me',
      { inputs: { me: Security(server.currentPrincipal, { scopes: ['read'] }) } },
      ({ me }) => ({ subject: me.subject, scopes: me.scopes }),
    )
    const opened = await transport.open(app)
    send = opened.send
    close = async () => {
      await opened.close()
      await store.close()
    }
  }, 60_000)
  afterAll(() => close?.())

  const token = async (fields: Record<string, string>, authorization: string) => {
    const response = await postForm(send, '/token', fields, { authorization })
    return { status: response.status, body: await response.json() }
  }

  test('a client created by the CLI gets a client_credentials token with its secret', async () => {
    const { status, body } = await token(
      { grant_type: 'client_credentials' },
      basic('service', setup.serviceSecret),
    )
    expect(status).toBe(200)
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'read', expires_in: 900 })
    expect(claimsOf(body.access_token)).toMatchObject({ sub: 'service', client_id: 'service' })
    const api = await send('/api/me', bearer(body.access_token))
    expect(await api.json()).toEqual({ subject: 'service', scopes: ['read'] })
    const wrong = await token(
      { grant_type: 'client_credentials' },
      basic('service', 'x'.repeat(43)),
    )
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
  })

  test('a user created by the CLI logs in with the password grant; a disabled one cannot', async () => {
    const login = (username: string, password: string) =>
      token(
        { grant_type: 'password', username, password, scope: 'read write' },
        basic('web', setup.webSecret),
      )
    const { status, body } = await login('ada', 'ada: correct horse')
    expect(status).toBe(200)
    expect(body).toMatchObject({ scope: 'read write', refresh_token: expect.any(String) })
    expect(claimsOf(body.access_token)).toMatchObject({ sub: setup.adaId, client_id: 'web' })
    const api = await send('/api/me', bearer(body.access_token))
    expect(await api.json()).toEqual({ subject: setup.adaId, scopes: ['read', 'write'] })
    // The password is what was piped in, less the trailing newline.
    expect(await login('ada', 'ada: correct horse\n')).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    })
    expect(await login('eve', 'eve-password')).toMatchObject({
      status: 400,
      // The wrong-password answer: a disabled account never confirms its password.
      body: { error: 'invalid_grant', error_description: 'The username or password is wrong' },
    })
  })

  test('keys rotate: the JWKS shows both keys, old tokens verify, new ones use the new key', async () => {
    const issue = async () =>
      (await token({ grant_type: 'client_credentials' }, basic('service', setup.serviceSecret)))
        .body.access_token as string
    const before = await issue()
    const [first] = await gatehouseJSON<{ kid: string }[]>(['keys', 'list', '--json'], {
      databaseUrl: setup.databaseUrl,
    })
    expect(headerOf(before).kid).toBe(first?.kid)

    const rotated = await gatehouseJSON<{ active: { kid: string }; retired: { kid: string } }>(
      ['keys', 'rotate', '--json'],
      { databaseUrl: setup.databaseUrl },
    )
    expect(rotated.retired.kid).toBe(first?.kid)
    // Servers re-read the keys every minute: two minutes later the new key signs.
    offset += 121
    const jwks = await (await send('/.well-known/jwks.json')).json()
    expect(jwks.keys.map((key: { kid: string }) => key.kid)).toEqual([
      rotated.retired.kid,
      rotated.active.kid,
    ])
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d')
    const after = await issue()
    expect(headerOf(after).kid).toBe(rotated.active.kid)
    const keySet = createLocalJWKSet(jwks)
    for (const jwt of [before, after]) {
      await expect(
        jwtVerify(jwt, keySet, {
          issuer: ISSUER,
          currentDate: new Date((Math.floor(Date.now() / 1000) + offset) * 1000),
        }),
      ).resolves.toBeDefined()
      expect((await send('/api/me', bearer(jwt))).status).toBe(200)
    }
  })
})
