import { type AuthorizationServerStore, createMemoryStore } from 'gatehouse/authorization-server'
import { afterEach, describe, expect, test } from 'vitest'
import { basic, type Fixture, openFixture, postForm } from './helpers/authorization-server.js'
import { transports } from './helpers/http.js'

/** A memory store that counts its client lookups. */
function countingStore(): { store: AuthorizationServerStore; lookups: { count: number } } {
  const base = createMemoryStore()
  const lookups = { count: 0 }
  const store: AuthorizationServerStore = {
    ...base,
    findClient(id) {
      lookups.count++
      return base.findClient(id)
    },
  }
  return { store, lookups }
}

// Found clients are remembered for ten seconds and unknown ids always asked of the store, so a
// refused known client was answered without a query and an unknown one after one: on PostgreSQL
// twice as fast, which told which client ids exist. A refused known client now costs the query too.
describe.each(transports)(
  'a refused client costs one store lookup, known or not ($name)',
  (transport) => {
    let f: Fixture
    afterEach(async () => {
      expect(f.logs).toEqual([])
      await f.close()
    })

    test('at /token, /introspect and /revoke, with Basic and in the form', async () => {
      const { store, lookups } = countingStore()
      f = await openFixture(transport, 'memory', { store })
      const token = (authorization: Record<string, string>, fields: Record<string, string> = {}) =>
        postForm(f.send, '/token', { grant_type: 'client_credentials', ...fields }, authorization)
      // Remembered from a success.
      expect((await token({ authorization: basic('service', f.secrets.service) })).status).toBe(200)
      const cases: [string, () => Promise<Response>][] = [
        // Not remembered: the lookup itself asks the store, and nothing more is asked.
        ['known, not remembered, Basic', () => token({ authorization: basic('narrow', 'wrong') })],
        ['unknown, Basic', () => token({ authorization: basic('nobody', 'secret') })],
        ['known, wrong secret, Basic', () => token({ authorization: basic('service', 'wrong') })],
        [
          'known, wrong secret, form',
          () => token({}, { client_id: 'service', client_secret: 'wrong' }),
        ],
        ['unknown, form', () => token({}, { client_id: 'nobody', client_secret: 'wrong' })],
        [
          'introspect, known, wrong secret',
          () =>
            postForm(
              f.send,
              '/introspect',
              { token: 'x' },
              { authorization: basic('service', 'no') },
            ),
        ],
        [
          'revoke, known, wrong secret',
          () =>
            postForm(f.send, '/revoke', { token: 'x' }, { authorization: basic('service', 'no') }),
        ],
        [
          'public client sending a secret',
          () => token({}, { client_id: 'spa', client_secret: 'anything' }),
        ],
      ]
      for (const [what, send] of cases) {
        const before = lookups.count
        const answer = await send()
        expect(answer.status, what).toBe(401)
        expect(lookups.count - before, what).toBe(1)
      }
      // A Basic id that form-decoding changes is looked up in both forms (decoded, as sent),
      // known or not: two lookups each, so the time tells no id apart either.
      const spaced = await f.server.admin.createClient({
        id: 'svc a',
        grantTypes: ['client_credentials'],
        scopes: ['read'],
      })
      const raw = (id: string) => ({
        authorization: `Basic ${Buffer.from(`${id}:wrong`).toString('base64')}`,
      })
      const cost = async (what: string, id: string) => {
        const before = lookups.count
        expect((await token(raw(id))).status, what).toBe(401)
        expect(lookups.count - before, what).toBe(2)
      }
      await cost('known once decoded, wrong secret', 'svc+a')
      await cost('unknown in both forms', 'nope+a')
      // Remembered from a success, its refusal still asks the store as often.
      const secret = spaced.clientSecret as string
      expect((await token({ authorization: basic('svc a', secret) })).status).toBe(200)
      await cost('known, remembered, wrong secret', 'svc+a')
    })
  },
)
