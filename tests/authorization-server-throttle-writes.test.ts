import { describe, expect, test } from 'vitest'
import { secretHasherFromKey } from '../src/authorization-server/keys/secret-hasher.js'
import { createMemoryStore } from '../src/authorization-server/store/memory-store.js'
import { loginWithPassword } from '../src/authorization-server/users/password-login.js'
import { LoginThrottle, resolveThrottle } from '../src/authorization-server/users/throttle.js'
import { createPasswordHasher } from '../src/index.js'

// A successful login only writes to the throttle counters when it has failures to forget: on a
// SQLite or PostgreSQL store each write is a commit, and most logins have nothing to clear.
describe('throttle writes of a successful login', () => {
  async function setUp() {
    const store = createMemoryStore()
    const passwords = createPasswordHasher()
    await store.createUser({
      id: 'u1',
      username: 'ada',
      passwordHash: await passwords.hash('right'),
      scopes: [],
      disabled: false,
      createdAt: 0,
    })
    const clears: string[] = []
    const clearThrottle = store.clearThrottle.bind(store)
    store.clearThrottle = async (key: string) => {
      clears.push(key)
      return clearThrottle(key)
    }
    const policy = resolveThrottle({}) as NonNullable<ReturnType<typeof resolveThrottle>>
    const throttle = new LoginThrottle(store, policy, secretHasherFromKey(new Uint8Array(32)))
    const context = { store, passwords, throttle, now: () => 1_000 }
    const login = (password: string) =>
      loginWithPassword({ username: 'ada', password, clientAddress: '203.0.113.7' }, context)
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
