import { secretHasherFromKey } from '../../src/authorization-server/keys/secret-hasher.js'
import { createMemoryStore } from '../../src/authorization-server/store/memory-store.js'
import { loginWithPassword } from '../../src/authorization-server/users/password-login.js'
import { LoginThrottle, resolveThrottle } from '../../src/authorization-server/users/throttle.js'
import { createPasswordHasher } from '../../src/index.js'

/**
 * Password logins through the throttle with its default policy, on a memory store holding the
 * user `ada` (password `right`), all from one address at a fixed time. The store is returned so
 * a test can wrap its calls before logging in.
 */
export async function throttledLogins() {
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
  const policy = resolveThrottle({}) as NonNullable<ReturnType<typeof resolveThrottle>>
  const throttle = new LoginThrottle(store, policy, secretHasherFromKey(new Uint8Array(32)))
  const context = { store, passwords, throttle, now: () => 1_000 }
  const login = (password: string, username = 'ada') =>
    loginWithPassword({ username, password, clientAddress: '203.0.113.7' }, context)
  return { store, throttle, login }
}
