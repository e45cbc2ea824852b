import { afterEach, describe, expect, test } from 'vitest'
import {
  basic,
  type Fixture,
  matrix,
  openFixture,
  postForm,
} from './helpers/authorization-server.js'

// Issue #10 point 5: throttling must slow guessers without letting one lock the owner out.
describe.each(matrix)('login throttling against lock-out ($name)', ({ transport, store }) => {
  let f: Fixture
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })

  const attempt = (username: string, password: string, address: string) =>
    postForm(
      f.send,
      '/token',
      { grant_type: 'password', username, password },
      { authorization: basic('web', f.secrets.web), 'x-test-address': address },
    )
  /** The status and Retry-After of an attempt, its body read. */
  const outcome = async (username: string, password: string, address: string) => {
    const response = await attempt(username, password, address)
    await response.body?.cancel()
    return [response.status, response.headers.get('retry-after')] as const
  }

  test('a slow guesser from one address never keeps the owner out of another', async () => {
    // The defaults' delays, with an account allowance the guesser crosses: the owner's address has
    // no failures of its own, so it is checked even while the account counter is over it.
    f = await openFixture(transport, store, {
      throttle: { usernameAttempts: 5, maxDelay: 300, window: 900, accountAttempts: 5 },
    })
    let signIns = 0
    let refused = 0
    // Six hours: a wrong password every 30 s from one address, the owner every 10 minutes.
    for (let second = 0; second < 6 * 3600; second += 30) {
      const [status] = await outcome('ada', 'wrong', '203.0.113.66')
      if (status === 429) refused++
      else expect(status).toBe(400)
      if (second % 600 === 300) {
        expect(await outcome('ada', 'ada-password', '198.51.100.10')).toEqual([200, null])
        signIns++
      }
      f.clock.advance(30)
    }
    expect(signIns).toBe(36)
    // The guesser itself was held to about one guess per maxDelay.
    expect(refused).toBeGreaterThan(600)
  }, 60_000)

  test('one address guessing gets 429 with Retry-After after usernameAttempts failures', async () => {
    f = await openFixture(transport, store, {
      throttle: { usernameAttempts: 3, baseDelay: 2, maxDelay: 8, window: 60 },
    })
    for (let i = 0; i < 3; i++)
      expect(await outcome('bob', 'wrong', '203.0.113.5')).toEqual([400, null])
    const response = await attempt('bob', 'bob-password', '203.0.113.5')
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('2')
    expect((await response.json()).error).toBe('temporarily_unavailable')
  })

  /**
   * Four addresses fail once each for `username`, crossing `accountAttempts` (4) though each is
   * under `usernameAttempts` (3); what the addresses get next.
   */
  async function distributed(username: string) {
    const seen: (readonly [number, string | null])[] = []
    for (let i = 1; i <= 4; i++) seen.push(await outcome(username, 'wrong', `10.0.0.${i}`))
    // An address that failed waits maxDelay after its own failure, whatever it sends.
    seen.push(await outcome(username, 'wrong', '10.0.0.1'))
    f.clock.advance(3)
    seen.push(await outcome(username, 'wrong', '10.0.0.2'))
    // A fresh address is checked once, then waits like the others.
    seen.push(await outcome(username, 'wrong', '10.0.0.5'))
    seen.push(await outcome(username, 'wrong', '10.0.0.5'))
    // After maxDelay an address has one more guess.
    f.clock.advance(5)
    seen.push(await outcome(username, 'wrong', '10.0.0.1'))
    seen.push(await outcome(username, 'wrong', '10.0.0.1'))
    return seen
  }
  const limits = { usernameAttempts: 3, accountAttempts: 4, baseDelay: 2, maxDelay: 8, window: 60 }

  test('many addresses against one username are slowed by the account counter', async () => {
    f = await openFixture(transport, store, { throttle: limits })
    expect(await distributed('ada')).toEqual([
      [400, null],
      [400, null],
      [400, null],
      [400, null],
      [429, '8'],
      [429, '5'],
      [400, null],
      [429, '8'],
      [400, null],
      [429, '8'],
    ])
    // The owner, from an address without failures, is checked and signs in; that clears neither
    // the account counter nor the guessers' counters.
    expect(await outcome('ada', 'ada-password', '198.51.100.10')).toEqual([200, null])
    expect(await outcome('ada', 'ada-password', '10.0.0.5')).toEqual([429, '3'])
    // The account counter holds for its fixed period: in the next one, the pairs' own
    // allowances apply again (10.0.0.3 has one failure of three, then backs off from baseDelay).
    const now = f.clock.now()
    f.clock.advance(Math.ceil((now + 1) / 60) * 60 - now)
    expect(await outcome('ada', 'wrong', '10.0.0.3')).toEqual([400, null])
    expect(await outcome('ada', 'wrong', '10.0.0.3')).toEqual([400, null])
    expect(await outcome('ada', 'wrong', '10.0.0.3')).toEqual([429, '2'])
  })

  test('unknown usernames meet the account counter exactly like known ones', async () => {
    f = await openFixture(transport, store, { throttle: limits })
    const known = await distributed('ada')
    await f.close()
    f = await openFixture(transport, store, { throttle: limits })
    expect(await distributed('nobody-here')).toEqual(known)
  })

  test('a success clears its own address’s counter for the username, not another’s', async () => {
    f = await openFixture(transport, store, {
      throttle: {
        usernameAttempts: 3,
        addressAttempts: 100,
        baseDelay: 2,
        maxDelay: 8,
        window: 60,
      },
    })
    for (let i = 0; i < 3; i++) await outcome('ada', 'wrong', '198.51.100.10')
    f.clock.advance(2)
    for (let i = 0; i < 3; i++) await outcome('ada', 'wrong', '203.0.113.66')
    expect(await outcome('ada', 'ada-password', '198.51.100.10')).toEqual([200, null])
    expect(await outcome('ada', 'ada-password', '203.0.113.66')).toEqual([429, '2'])
    // Cleared: the owner's address has its whole allowance again.
    for (let i = 0; i < 3; i++)
      expect(await outcome('ada', 'wrong', '198.51.100.10')).toEqual([400, null])
    expect(await outcome('ada', 'ada-password', '198.51.100.10')).toEqual([429, '2'])
  })
})
