import { afterEach, describe, expect, test } from 'vitest'
import {
  basic,
  type Fixture,
  matrix,
  openFixture,
  postForm,
} from './helpers/authorization-server.js'
import { nodeServer } from './helpers/http.js'

const throttle = { usernameAttempts: 3, addressAttempts: 5, baseDelay: 2, maxDelay: 8, window: 60 }

describe.each(matrix)('login throttling ($name)', ({ transport, store }) => {
  let f: Fixture
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })

  const attempt = (username: string, password: string, address = '203.0.113.1') =>
    postForm(
      f.send,
      '/token',
      { grant_type: 'password', username, password },
      { authorization: basic('web', f.secrets.web), 'x-test-address': address },
    )
  const fail = async (username: string, address?: string) => {
    const response = await attempt(username, 'wrong', address)
    expect(response.status).toBe(400)
  }
  const expectThrottled = async (response: Response, retryAfter: number) => {
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe(String(retryAfter))
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: `Too many failed login attempts; retry in ${retryAfter} second${retryAfter === 1 ? '' : 's'}`,
    })
  }

  test('per username and address: a delay doubling with each failure, even for the right password', async () => {
    // A generous address allowance, so only the pair's counter is at work.
    f = await openFixture(transport, store, { throttle: { ...throttle, addressAttempts: 100 } })
    for (let i = 0; i < 3; i++) await fail('ada', '198.51.100.1')
    await expectThrottled(await attempt('ada', 'ada-password', '198.51.100.1'), 2)
    f.clock.advance(2)
    await fail('ada', '198.51.100.1')
    await expectThrottled(await attempt('ada', 'ada-password', '198.51.100.1'), 4)
    f.clock.advance(3)
    await expectThrottled(await attempt('ada', 'ada-password', '198.51.100.1'), 1)
    f.clock.advance(1)
    expect((await attempt('ada', 'ada-password', '198.51.100.1')).status).toBe(200)
    // The success cleared the pair's counter: the next failure is not delayed.
    await fail('ada', '198.51.100.1')
    expect((await attempt('ada', 'wrong', '198.51.100.1')).status).toBe(400)
  })

  test('a burst sent at once is checked one at a time: it meets the delay after the allowance', async () => {
    f = await openFixture(transport, store, { throttle: { ...throttle, addressAttempts: 100 } })
    // Twenty wrong guesses and the right password, all in flight together.
    const burst = await Promise.all([
      ...Array.from({ length: 20 }, () => attempt('ada', 'wrong', '198.51.100.7')),
      attempt('ada', 'ada-password', '198.51.100.7'),
    ])
    const statuses = burst.map((response) => response.status)
    // Only the allowance (3) is checked; everything after it waits out the delay, the right
    // password included (it came last).
    expect(statuses.filter((status) => status === 400)).toHaveLength(3)
    expect(statuses.filter((status) => status === 429)).toHaveLength(18)
    expect(statuses.at(-1)).toBe(429)
  })

  test('a spray of many usernames at once from one address is checked only up to its allowance', async () => {
    f = await openFixture(transport, store, { throttle })
    // Each username its own pair, so nothing serializes them but the address's allowance (5).
    const burst = await Promise.all(
      Array.from({ length: 16 }, (_, n) => attempt(`guess-${n}`, 'wrong', '198.51.100.8')),
    )
    const statuses = burst.map((response) => response.status)
    expect(statuses.filter((status) => status === 400)).toHaveLength(5)
    expect(statuses.filter((status) => status === 429)).toHaveLength(11)
    // Once the delay is over, a burst gets one checked guess; the rest meet the next delay.
    for (let round = 0; round < 2; round++) {
      f.clock.advance(throttle.maxDelay + 1)
      const again = await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          attempt(`again-${round}-${n}`, 'wrong', '198.51.100.8'),
        ),
      )
      expect(again.filter((response) => response.status === 400)).toHaveLength(1)
      expect(again.filter((response) => response.status === 429)).toHaveLength(9)
    }
    // The same burst from an address with two failures left gets two checks.
    for (let i = 0; i < 3; i++) await fail(`before-${i}`, '198.51.100.9')
    const second = await Promise.all(
      Array.from({ length: 8 }, (_, n) => attempt(`other-${n}`, 'wrong', '198.51.100.9')),
    )
    expect(second.filter((response) => response.status === 400)).toHaveLength(2)
    // Another address is not held up by either.
    expect((await attempt('ada', 'ada-password', '198.51.100.10')).status).toBe(200)
  })

  test('IPv6 addresses are counted by their /64: a new address of the same subscriber is no fresh start', async () => {
    f = await openFixture(transport, store, { throttle })
    const statuses: number[] = []
    for (let n = 1; n <= 7; n++)
      statuses.push(
        (await attempt(`spray-${n}`, 'wrong', `2001:db8:1:2::${n.toString(16)}`)).status,
      )
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429])
    // Written another way, the same /64 still; another /64 is another subscriber.
    expect((await attempt('x', 'wrong', '2001:0db8:0001:0002:ffff:0:0:1')).status).toBe(429)
    expect((await attempt('ada', 'ada-password', '2001:db8:1:3::1')).status).toBe(200)
    // IPv4, and IPv4 written as IPv6, are one address each.
    expect((await attempt('ada', 'ada-password', '::ffff:192.0.2.1')).status).toBe(200)
  })

  test("another address's failures do not delay an address without any", async () => {
    f = await openFixture(transport, store, { throttle })
    for (let i = 0; i < 3; i++) await fail('ada', '198.51.100.1')
    await expectThrottled(await attempt('ada', 'ada-password', '198.51.100.1'), 2)
    expect((await attempt('ada', 'ada-password', '198.51.100.9')).status).toBe(200)
    // Nor did that success clear the first address's counter.
    await expectThrottled(await attempt('ada', 'ada-password', '198.51.100.1'), 2)
  })

  test('attempts refused while delayed are not counted, and no delay exceeds maxDelay', async () => {
    // A generous address allowance, so only the pair's counter is at work.
    f = await openFixture(transport, store, { throttle: { ...throttle, addressAttempts: 100 } })
    for (let i = 0; i < 3; i++) await fail('bob')
    for (let i = 0; i < 10; i++) await expectThrottled(await attempt('bob', 'wrong'), 2)
    f.clock.advance(2)
    expect((await attempt('bob', 'bob-password')).status).toBe(200)

    const waits: number[] = []
    for (let round = 0; round < 8; round++) {
      await fail('bob')
      const response = await attempt('bob', 'wrong')
      if (response.status === 429) {
        const wait = Number(response.headers.get('retry-after'))
        waits.push(wait)
        await response.body?.cancel()
        f.clock.advance(wait)
      } else expect(response.status).toBe(400)
    }
    expect(waits).toEqual([2, 4, 8, 8, 8, 8, 8])
    await fail('bob')
    await expectThrottled(await attempt('bob', 'bob-password'), 8)
  })

  test('per address, across usernames; another address is not affected', async () => {
    f = await openFixture(transport, store, { throttle })
    for (const username of ['u1', 'u2', 'u3', 'u4', 'u5']) await fail(username, '192.0.2.7')
    await expectThrottled(await attempt('ada', 'ada-password', '192.0.2.7'), 2)
    expect((await attempt('ada', 'ada-password', '192.0.2.8')).status).toBe(200)
    // A success elsewhere does not clear the address: it would let an attacker reset it.
    await expectThrottled(await attempt('bob', 'bob-password', '192.0.2.7'), 2)
  })

  test('unknown usernames are throttled exactly like known ones', async () => {
    f = await openFixture(transport, store, { throttle })
    for (let i = 0; i < 3; i++) await fail('nobody-here')
    await expectThrottled(await attempt('nobody-here', 'x'), 2)
  })

  test('without a client address, the attempts for a username share one counter', async () => {
    // As under `app.fetch` with no address to go by: nothing tells the owner from a guesser.
    f = await openFixture(transport, store, { throttle, clientAddress: () => undefined })
    for (let i = 0; i < 3; i++) await fail('ada', `198.51.100.${i}`)
    await expectThrottled(await attempt('ada', 'ada-password', '198.51.100.9'), 2)
    f.clock.advance(2)
    expect((await attempt('ada', 'ada-password')).status).toBe(200)
    // Nor is there an address counter: five usernames' failures (addressAttempts) delay no other.
    for (const username of ['u1', 'u2', 'u3', 'u4', 'u5']) await fail(username)
    expect((await attempt('bob', 'bob-password')).status).toBe(200)
  })

  test('counters are forgotten a window after the last failure', async () => {
    f = await openFixture(transport, store, { throttle })
    for (let i = 0; i < 3; i++) await fail('ada')
    f.clock.advance(60)
    await fail('ada')
    await fail('ada')
    expect((await attempt('ada', 'ada-password')).status).toBe(200)
  })

  test('throttle: false never delays', async () => {
    f = await openFixture(transport, store, { throttle: false })
    for (let i = 0; i < 8; i++) await fail('ada')
    expect((await attempt('ada', 'ada-password')).status).toBe(200)
  })
})

describe('login throttling on a real socket, by the peer address', () => {
  let f: Fixture
  afterEach(async () => {
    await f.close()
  })

  test('without a clientAddress option the socket address is counted', async () => {
    f = await openFixture(nodeServer, 'memory', {
      throttle: { ...throttle, usernameAttempts: 100 },
      clientAddress: undefined,
    })
    for (let i = 0; i < 5; i++) {
      const response = await postForm(
        f.send,
        '/token',
        { grant_type: 'password', username: `user-${i}`, password: 'wrong' },
        { authorization: basic('web', f.secrets.web), 'x-test-address': `10.0.0.${i}` },
      )
      expect(response.status).toBe(400)
    }
    const response = await postForm(
      f.send,
      '/token',
      { grant_type: 'password', username: 'ada', password: 'ada-password' },
      { authorization: basic('web', f.secrets.web) },
    )
    // The header is ignored: all five came from 127.0.0.1.
    expect(response.status).toBe(429)
  })
})
