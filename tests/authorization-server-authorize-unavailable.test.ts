import { ServiceUnavailableError } from 'gatehouse'
import { type AuthorizationServerStore, createMemoryStore } from 'gatehouse/authorization-server'
import { afterEach, describe, expect, test } from 'vitest'
import {
  authorizeQuery,
  browser,
  hiddenFields,
  pkce,
  SAME_ORIGIN,
} from './helpers/authorization-flow.js'
import { type Fixture, openFixture } from './helpers/authorization-server.js'
import { transports } from './helpers/http.js'

/** A memory store that answers as a locked or stopped database does while `down` is set. */
function unreliableStore(): { store: AuthorizationServerStore; down: { value: boolean } } {
  const base = createMemoryStore()
  const down = { value: false }
  const store = new Proxy(base, {
    get(target, property) {
      const value = Reflect.get(target, property)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        if (down.value) throw new ServiceUnavailableError(2, 'The database is busy')
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { store, down }
}

// The login and consent pages are for a person in a browser: a database that cannot answer right
// now is a page saying so, with Retry-After, never a JSON body.
describe.each(transports)('/authorize while the store cannot answer ($name)', (transport) => {
  let f: Fixture
  afterEach(async () => {
    await f.close()
  })

  const expectBusyPage = async (answer: Response) => {
    expect(answer.status).toBe(503)
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(answer.headers.get('retry-after')).toBe('2')
    expect(answer.headers.get('cache-control')).toBe('no-store')
    const html = await answer.text()
    expect(html).toContain('The service is busy. Try again in a moment.')
    expect(html).not.toContain('detail')
  }

  test('the authorization request and the login form get a 503 page', async () => {
    const { store, down } = unreliableStore()
    f = await openFixture(transport, 'memory', { store })
    const b = browser(f.send)
    const { challenge } = pkce()
    down.value = true
    await expectBusyPage(await b.get(`/authorize?${authorizeQuery(challenge)}`))

    down.value = false
    const page = await b.get(`/authorize?${authorizeQuery(challenge)}`)
    expect(page.status).toBe(200)
    const fields = hiddenFields(await page.text())
    down.value = true
    const login = await b.post(
      '/authorize',
      { ...fields, username: 'ada', password: 'ada-password' },
      SAME_ORIGIN,
    )
    await expectBusyPage(login)
    down.value = false
    expect(f.logs).toEqual([])
  })
})
