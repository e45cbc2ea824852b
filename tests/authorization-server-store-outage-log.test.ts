import { Gatehouse, ServiceUnavailableError } from 'gatehouse'
import {
  type AuthorizationServerStore,
  createAuthorizationServer,
  createMemoryStore,
} from 'gatehouse/authorization-server'
import { describe, expect, test } from 'vitest'
import { basic, ISSUER, postForm, testPasswords } from './helpers/authorization-server.js'
import { captureLogger, transports } from './helpers/http.js'

// A store that cannot answer gives the client a 503 and the operator a line saying why (the
// driver's reason), at most once every ten seconds however many calls fail, never the token.

/** A memory store whose token lookups fail as a database that refuses connections does. */
function refusingStore(): AuthorizationServerStore {
  const base = createMemoryStore()
  return new Proxy(base, {
    get(target, property) {
      const value = Reflect.get(target, property)
      if (property !== 'findRefreshToken' || typeof value !== 'function') return value
      return async () => {
        throw new ServiceUnavailableError(1, 'The database is busy', {
          cause: new Error('connect ECONNREFUSED 127.0.0.1:5432'),
        })
      }
    },
  })
}

describe.each(transports)('a store outage ($name)', (transport) => {
  test('is logged once with its reason, not once per request', async () => {
    const store = refusingStore()
    const server = createAuthorizationServer({
      issuer: ISSUER,
      store,
      scopes: { read: 'Read' },
      passwords: testPasswords,
    })
    const { clientSecret } = await server.admin.createClient({
      id: 'api',
      grantTypes: ['client_credentials'],
      scopes: ['read'],
    })
    const logger = captureLogger()
    const app = new Gatehouse({ logger })
    app.include(server.router)
    const opened = await transport.open(app)
    try {
      const auth = { authorization: basic('api', clientSecret as string) }
      const token = 'an-opaque-token-that-is-looked-up'
      for (let i = 0; i < 3; i++) {
        const answer = await postForm(opened.send, '/introspect', { token }, auth)
        expect(answer.status).toBe(503)
        expect((await answer.json()).error).toBe('temporarily_unavailable')
      }
      expect(logger.calls).toEqual([
        ['The database is busy (POST /introspect): connect ECONNREFUSED 127.0.0.1:5432', undefined],
      ])
      expect(JSON.stringify(logger.calls)).not.toContain(token)
    } finally {
      await opened.close()
      await store.close()
    }
  })
})
