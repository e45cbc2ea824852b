import { describe, expect, test } from 'vitest'
import { throttledLogins } from './helpers/throttled-login.js'

// A successful login only writes to the throttle counters when it has failures to forget: on a
// SQLite or PostgreSQL store each write is a commit, and most logins have nothing to clear.
describe('throttle writes of a successful login', () => {
  async function setUp() {
    const { store, login } = await throttledLogins()
    const clears: string[] = []
    const clearThrottle = store.clearThrottle.bind(store)
    store.clearThrottle = async (key: string) => {
      clears.push(key)
      return clearThrottle(key)
    }
    return { clears, login }
  }

  test('no earlier failure: no write', async () => {
    const { clears, login } = await setUp()
    expect((await login('right')).ok).toBe(true)
    expect(clears).toEqual([])
  })

  test("after a failure: the pair's counter is cleared, once (not the address's or account's)", async () => {
    const { clears, login } = await setUp()
    expect((await login('wrong')).ok).toBe(false)
    expect((await login('right')).ok).toBe(true)
    expect(clears).toHaveLength(1)
    expect(clears[0]).toMatch(/^pair:/)
    expect((await login('right')).ok).toBe(true)
    expect(clears).toHaveLength(1)
  })
})
