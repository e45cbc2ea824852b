import {
  type AuthorizationServer,
  type AuthorizationServerStore,
  openStore,
} from 'gatehouse/authorization-server'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { freshDatabase } from './helpers/postgres.js'
import {
  adminServer,
  basic,
  type Instance,
  pkce,
  postForm,
  startInstance,
} from './helpers/postgres-instances.js'

// Two authorization-server processes (real `serve()` servers) on one PostgreSQL database: every
// state change that must hold across processes is raced or observed from both.
const ROUNDS = 50
const REDIRECT = 'https://app.example.com/cb'

let store: AuthorizationServerStore
let admin: AuthorizationServer
let a: Instance
let b: Instance
let auth: string
let ada: string

beforeAll(async () => {
  const databaseUrl = await freshDatabase()
  // Both processes start together on the fresh database: they migrate and create keys at once.
  ;[a, b] = await Promise.all([startInstance(databaseUrl), startInstance(databaseUrl)])
  store = await openStore(databaseUrl)
  admin = adminServer(store)
  const web = await admin.admin.createClient({
    id: 'web',
    grantTypes: ['authorization_code', 'refresh_token', 'password'],
    redirectUris: [REDIRECT],
    scopes: ['read', 'write'],
  })
  auth = basic('web', web.clientSecret as string)
  ada = (await admin.admin.createUser({ username: 'ada', password: 'ada-pw', scopes: ['read'] })).id
  await admin.admin.createUser({ username: 'bob', password: 'bob-pw', scopes: ['read'] })
}, 90_000)

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()])
  await store?.close()
})

const token = (instance: Instance, fields: Record<string, string>) =>
  postForm(`${instance.url}/token`, fields, { authorization: auth })
const login = async (instance: Instance, username = 'ada', password = 'ada-pw') => {
  const response = await token(instance, { grant_type: 'password', username, password })
  expect(response.status).toBe(200)
  return (await response.json()) as { access_token: string; refresh_token: string }
}
const refresh = (instance: Instance, refreshToken: string) =>
  token(instance, { grant_type: 'refresh_token', refresh_token: refreshToken })
const read = (instance: Instance, accessToken: string) =>
  fetch(`${instance.url}/api/read`, { headers: { authorization: `Bearer ${accessToken}` } })

/** Both processes refuse the grant's tokens: the access token (401) and the refresh token. */
async function expectRevokedEverywhere(tokens: { access_token: string; refresh_token: string }) {
  for (const instance of [a, b]) {
    expect((await read(instance, tokens.access_token)).status).toBe(401)
    const again = await refresh(instance, tokens.refresh_token)
    expect(again.status).toBe(400)
    expect((await again.json()).error).toBe('invalid_grant')
  }
}

/** The two answers of a race, the success first; exactly one of them succeeded. */
async function oneWinner(race: [Response, Response]) {
  const statuses = race.map((r) => r.status).sort()
  expect(statuses).toEqual([200, 400])
  const [winner, loser] = race[0].status === 200 ? race : [race[1], race[0]]
  expect((await loser.json()).error).toBe('invalid_grant')
  return (await winner.json()) as { access_token: string; refresh_token: string }
}

describe('two processes on one PostgreSQL database', { timeout: 180_000 }, () => {
  test('both serve, with the same keys', async () => {
    const [jwksA, jwksB] = await Promise.all(
      [a, b].map(async (instance) => (await fetch(`${instance.url}/.well-known/jwks.json`)).json()),
    )
    expect(jwksA.keys).toHaveLength(1)
    expect(jwksB).toEqual(jwksA)
    const tokens = await login(a)
    expect((await read(b, tokens.access_token)).status).toBe(200)
  })

  test(`racing one refresh token from both, ${ROUNDS} rounds: one success each, and a replay leaves the family revoked in both`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const first = await login(round % 2 === 0 ? a : b)
      const winner = await oneWinner(
        await Promise.all([refresh(a, first.refresh_token), refresh(b, first.refresh_token)]),
      )
      expect(winner.refresh_token).not.toBe(first.refresh_token)
      const replay = await refresh(round % 2 === 0 ? b : a, first.refresh_token)
      expect(replay.status).toBe(400)
      await expectRevokedEverywhere(winner)
      expect((await read(a, first.access_token)).status).toBe(401)
    }
  })

  test('a token rotated in one process and replayed in the other revokes the family in both', async () => {
    for (let round = 0; round < 10; round++) {
      const [here, there] = round % 2 === 0 ? [a, b] : [b, a]
      const first = await login(here)
      const rotated = await refresh(here, first.refresh_token)
      expect(rotated.status).toBe(200)
      const second = (await rotated.json()) as { access_token: string; refresh_token: string }
      expect((await read(there, second.access_token)).status).toBe(200)
      const replay = await refresh(there, first.refresh_token)
      expect(replay.status).toBe(400)
      expect((await replay.json()).error_description).toMatch(/already used/)
      await expectRevokedEverywhere(second)
    }
  })

  test(`racing one authorization code from both, ${ROUNDS} rounds: one success each, and the second redemption revokes what the first issued, in both`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { verifier, challenge } = pkce()
      const code = await admin.issueAuthorizationCode({
        clientId: 'web',
        userId: ada,
        redirectUri: REDIRECT,
        scopes: ['read'],
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
      })
      const redeem = (instance: Instance) =>
        token(instance, {
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
        })
      const winner = await oneWinner(await Promise.all([redeem(a), redeem(b)]))
      await expectRevokedEverywhere(winner)
    }
  })

  test('failed logins count in both processes towards one throttle', async () => {
    // Five failures (the default allowance) spread over both; the sixth attempt is delayed.
    for (let attempt = 0; attempt < 5; attempt++) {
      const failed = await token(attempt % 2 === 0 ? a : b, {
        grant_type: 'password',
        username: 'bob',
        password: 'wrong',
      })
      expect(failed.status).toBe(400)
    }
    for (const instance of [a, b]) {
      const delayed = await token(instance, {
        grant_type: 'password',
        username: 'bob',
        password: 'bob-pw',
      })
      expect(delayed.status).toBe(429)
      expect(Number(delayed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    }
  })

  test('a token revoked through one process is refused by the other', async () => {
    const tokens = await login(a)
    expect((await read(b, tokens.access_token)).status).toBe(200)
    const revoked = await postForm(
      `${a.url}/revoke`,
      { token: tokens.access_token },
      { authorization: auth },
    )
    expect(revoked.status).toBe(200)
    expect((await read(b, tokens.access_token)).status).toBe(401)
    expect((await read(a, tokens.access_token)).status).toBe(401)

    const other = await login(b)
    await postForm(`${b.url}/revoke`, { token: other.refresh_token }, { authorization: auth })
    await expectRevokedEverywhere(other)
  })

  test('nothing went wrong on the way: no process logged a fault', () => {
    for (const instance of [a, b]) expect(instance.errors()).not.toMatch(/error|fault|exception/i)
  })
})
