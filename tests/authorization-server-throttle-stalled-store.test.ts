import { describe, expect, test } from 'vitest'
import { ServiceUnavailableError } from '../src/index.js'
import { throttledLogins } from './helpers/throttled-login.js'

// Attempts for one username from one address run one at a time. When the store stalls (a frozen
// database: each call fails after its timeout), those queued behind a failed one must fail with it,
// not each start their own calls once the one before has timed out (the k-th after k timeouts).
describe('login attempts queued behind one the store failed', () => {
  const STALL_MS = 300

  async function setUp(stalls: (key: string) => boolean = () => true) {
    const { store, throttle, login } = await throttledLogins()
    let stalled = true
    let calls = 0
    const readThrottle = store.readThrottle.bind(store)
    store.readThrottle = async (key, now) => {
      calls++
      if (!stalled || !stalls(key)) return readThrottle(key, now)
      await new Promise((resolve) => setTimeout(resolve, STALL_MS))
      throw new ServiceUnavailableError(1, 'The database is busy')
    }
    return {
      login,
      store,
      throttle,
      calls: () => calls,
      recover: () => {
        stalled = false
      },
    }
  }

  test('fail together, within one stall, with the store’s 503', async () => {
    const { login, calls, recover } = await setUp()
    const started = performance.now()
    const settled = await Promise.all(
      Array.from({ length: 5 }, () =>
        login('wrong').then(
          () => ({ ms: performance.now() - started, error: undefined }),
          (error: unknown) => ({ ms: performance.now() - started, error }),
        ),
      ),
    )
    for (const { error } of settled) expect(error).toBeInstanceOf(ServiceUnavailableError)
    // One stall for all of them (they waited in turn: 300, 600, … 1,500 ms).
    expect(Math.max(...settled.map(({ ms }) => ms))).toBeLessThan(2 * STALL_MS)
    // Only the first asked the store; the others were failed by its failure.
    expect(calls()).toBe(1)
    // Once the store answers again, the next attempt is checked as usual.
    recover()
    expect(await login('right')).toMatchObject({ ok: true })
  })

  test('of an address at its limit (checked one at a time), those waiting fail with the one that ran', async () => {
    // Only the attempts' own reads stall: the address's look at its counter answers.
    const { login, store, throttle, calls } = await setUp((key) => key.startsWith('pair:'))
    const address = throttle.keys('x', '203.0.113.7').address as string
    for (let i = 0; i < 20; i++) await store.recordFailure(address, 1_000, 900)
    const started = performance.now()
    const settled = await Promise.all(
      ['ada', 'bob', 'cy', 'dee'].map((username) =>
        login('wrong', username).then(
          () => ({ ms: performance.now() - started, error: undefined }),
          (error: unknown) => ({ ms: performance.now() - started, error }),
        ),
      ),
    )
    for (const { error } of settled) expect(error).toBeInstanceOf(ServiceUnavailableError)
    expect(Math.max(...settled.map(({ ms }) => ms))).toBeLessThan(2 * STALL_MS)
    // The four looked at the address's counter; one went on to its own (stalled) read.
    expect(calls()).toBe(5)
  })

  test("one username's 429 is its own: the next in line from the address is checked", async () => {
    // Nothing stalls here: the address is two failures short of its delays (two checked at a
    // time, the third waiting), and x's own failures have it delayed.
    const { login, store, throttle, recover } = await setUp()
    recover()
    const keys = throttle.keys('x', '203.0.113.7')
    for (let i = 0; i < 18; i++) await store.recordFailure(keys.address as string, 1_000, 900)
    for (let i = 0; i < 5; i++) await store.recordFailure(keys.pair, 1_000, 900)
    const [x, ada, bob] = await Promise.allSettled([
      login('wrong', 'x'),
      login('right', 'ada'),
      login('wrong', 'bob'),
    ])
    expect(x.status === 'rejected' && (x.reason as { status?: number }).status).toBe(429)
    expect(ada).toMatchObject({ status: 'fulfilled', value: { ok: true } })
    expect(bob).toMatchObject({ status: 'fulfilled', value: { ok: false } })
  })
})
