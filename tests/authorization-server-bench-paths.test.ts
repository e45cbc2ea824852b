import { createMemoryStore } from 'gatehouse/authorization-server'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { cachedClientStore } from '../src/authorization-server/clients/client-cache.js'
import {
  basic,
  bearer,
  type Fixture,
  ISSUER,
  matrix,
  openFixture,
  postForm,
} from './helpers/authorization-server.js'

// The shortcuts the token path takes for speed (bench scenario `tokens`) keep their promises:
// remembered clients, remembered verified tokens, answers written without a Web Response.

describe('cachedClientStore', () => {
  afterEach(() => vi.restoreAllMocks())

  const counted = async () => {
    const store = createMemoryStore()
    const asked: string[] = []
    const counting = {
      findClient: (id: string) => {
        asked.push(id)
        return store.findClient(id)
      },
    }
    const client = (id: string) => ({
      id,
      secretHash: null,
      name: null,
      grantTypes: ['authorization_code' as const],
      redirectUris: [],
      scopes: [],
      createdAt: 0,
    })
    return { store, asked, clients: cachedClientStore(counting), client }
  }

  test('a found client is remembered for ten seconds of wall time, then asked again', async () => {
    let now = 1_000
    vi.spyOn(performance, 'now').mockImplementation(() => now)
    const { store, asked, clients, client } = await counted()
    await store.createClient(client('web'))
    const first = await clients.findClient('web')
    expect(first?.id).toBe('web')
    now += 9_999
    expect(await clients.findClient('web')).toBe(first)
    expect(asked).toEqual(['web'])
    now += 2
    expect(await clients.findClient('web')).toEqual(first)
    expect(asked).toEqual(['web', 'web'])
  })

  test('unknown ids are never remembered: a client registered a moment later is found', async () => {
    const { store, asked, clients, client } = await counted()
    expect(await clients.findClient('late')).toBeUndefined()
    expect(await clients.findClient('late')).toBeUndefined()
    await store.createClient(client('late'))
    expect((await clients.findClient('late'))?.id).toBe('late')
    expect(asked).toEqual(['late', 'late', 'late'])
  })

  test('at most 1,000 clients are remembered, the oldest dropped first', async () => {
    const { store, asked, clients, client } = await counted()
    for (let i = 0; i <= 1_000; i++) await store.createClient(client(`c${i}`))
    for (let i = 0; i <= 1_000; i++) await clients.findClient(`c${i}`)
    asked.length = 0
    await clients.findClient('c1000')
    await clients.findClient('c1')
    expect(asked).toEqual([])
    await clients.findClient('c0')
    expect(asked).toEqual(['c0'])
  })
})

describe.each(matrix)('the token path, remembered ($name)', ({ transport, store }) => {
  let f: Fixture
  beforeEach(async () => {
    f = await openFixture(transport, store)
  })
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })

  const service = () => ({ authorization: basic('service', f.secrets.service) })
  const clientToken = async (fields: Record<string, string> = {}) => {
    const response = await postForm(
      f.send,
      '/token',
      { grant_type: 'client_credentials', ...fields },
      service(),
    )
    expect(response.status).toBe(200)
    return ((await response.json()) as { access_token: string }).access_token
  }
  const introspect = async (token: string) => {
    const response = await postForm(f.send, '/introspect', { token }, service())
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('pragma')).toBe('no-cache')
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    return (await response.json()) as { active: boolean }
  }

  test('a client that failed as unknown works as soon as it is registered', async () => {
    const form = { grant_type: 'client_credentials' }
    const secret = 'x'.repeat(43)
    const before = await postForm(f.send, '/token', form, { authorization: basic('late', secret) })
    expect(before.status).toBe(401)
    const { clientSecret } = await f.server.admin.createClient({
      id: 'late',
      grantTypes: ['client_credentials'],
      scopes: ['read'],
    })
    const after = await postForm(f.send, '/token', form, {
      authorization: basic('late', clientSecret as string),
    })
    expect(after.status).toBe(200)
    // A remembered client still needs its secret.
    const wrong = await postForm(f.send, '/token', form, { authorization: basic('late', secret) })
    expect(wrong.status).toBe(401)
  })

  test('a remembered verified token is still refused once revoked', async () => {
    const token = await clientToken()
    expect((await introspect(token)).active).toBe(true)
    expect((await f.send('/api/read', bearer(token))).status).toBe(200)
    const revoked = await postForm(f.send, '/revoke', { token }, service())
    expect(revoked.status).toBe(200)
    expect((await introspect(token)).active).toBe(false)
    expect((await f.send('/api/read', bearer(token))).status).toBe(401)
    await expect(f.server.verifier.verify(token)).rejects.toMatchObject({ code: 'token_inactive' })
  })

  test('a remembered verified token expires with its exp', async () => {
    const token = await clientToken()
    expect((await f.server.verifier.verify(token)).subject).toBe('service')
    expect((await f.send('/api/read', bearer(token))).status).toBe(200)
    f.clock.advance(900)
    expect((await introspect(token)).active).toBe(false)
    expect((await f.send('/api/read', bearer(token))).status).toBe(401)
    await expect(f.server.verifier.verify(token)).rejects.toMatchObject({ code: 'token_expired' })
  })

  test('a token verified for one audience is not thereby good for another', async () => {
    const api = 'https://api.example.com'
    const token = await clientToken({ resource: api })
    const verified = await f.server.verifier.verify(token, { audience: [api] })
    expect(verified.payload.aud).toBe(api)
    await expect(f.server.verifier.verify(token)).rejects.toMatchObject({
      code: 'token_claim_invalid',
      claim: 'aud',
    })
    expect((await f.send('/api/read', bearer(token))).status).toBe(401)
    // Remembered, the same object comes back, frozen so no caller can change what others see.
    const again = await f.server.verifier.verify(token, { audience: [api] })
    expect(again).toBe(verified)
    expect(Object.isFrozen(again.scopes) && Object.isFrozen(again.payload)).toBe(true)
    expect(again.payload.iss).toBe(ISSUER)
  })
})
