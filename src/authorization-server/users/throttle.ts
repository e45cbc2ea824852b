import { refuseUnknownOptions } from '../../core/declare/known-options.js'
import { isGatehouseError } from '../../core/errors/index.js'
import { LoginThrottledError } from '../errors.js'
import type { SecretHasher } from '../keys/secret-hasher.js'
import type { ThrottleStore } from '../store/store.js'
import { addressKey } from './address-key.js'

/** How failed logins slow down further attempts. */
export interface ThrottleOptions {
  /** Failures for one username from one client address before that pair is delayed; default 5. */
  usernameAttempts?: number | undefined
  /** Failures per client address (all usernames together) before delays; default 20. */
  addressAttempts?: number | undefined
  /**
   * Failures for one username from all addresses together, within one `window`-long period,
   * past which every address that has failed for it waits `maxDelay` after its own last failure
   * (addresses that have not are checked as usual); default 50.
   */
  accountAttempts?: number | undefined
  /** The first delay in seconds, doubled with every further failure; default 1. */
  baseDelay?: number | undefined
  /** The longest delay in seconds: no lock-out lasts longer; default 300. */
  maxDelay?: number | undefined
  /** A counter is forgotten this many seconds after its last failure; default 900. */
  window?: number | undefined
}

export type ThrottlePolicy = { readonly [K in keyof ThrottleOptions]-?: number }

const THROTTLE_OPTIONS = new Set([
  'usernameAttempts',
  'addressAttempts',
  'accountAttempts',
  'baseDelay',
  'maxDelay',
  'window',
])

/** Checks option values once; a `TypeError` names the faulty one. */
export function resolveThrottle(
  options: ThrottleOptions | false | undefined,
): ThrottlePolicy | undefined {
  if (options === false) return undefined
  if (options !== undefined && (options === null || typeof options !== 'object'))
    throw new TypeError('createAuthorizationServer: `throttle` must be an object or false')
  refuseUnknownOptions(
    'createAuthorizationServer',
    options ?? {},
    THROTTLE_OPTIONS,
    'option',
    'throttle.',
  )
  const policy: ThrottlePolicy = {
    usernameAttempts: 5,
    addressAttempts: 20,
    accountAttempts: 50,
    baseDelay: 1,
    maxDelay: 300,
    window: 900,
    ...(definedOnly(options ?? {}) as Partial<ThrottlePolicy>),
  }
  for (const [name, value] of Object.entries(policy))
    if (!Number.isSafeInteger(value) || value < 1)
      throw new TypeError(
        `createAuthorizationServer: \`throttle.${name}\` must be a positive integer`,
      )
  if (policy.maxDelay < policy.baseDelay)
    throw new TypeError(
      'createAuthorizationServer: `throttle.maxDelay` must be at least `throttle.baseDelay`',
    )
  if (policy.window < policy.maxDelay)
    throw new TypeError(
      'createAuthorizationServer: `throttle.window` must be at least `throttle.maxDelay`',
    )
  return policy
}

/** The store keys of one login's counters (hashed: they hold no usernames or addresses). */
export interface ThrottleKeys {
  /** This username from this address (or from an unknown address). */
  readonly pair: string
  /** This username from every address; the period's number is appended to it when counted. */
  readonly username: string
  /** This address, all usernames together; absent when the address is unknown. */
  readonly address?: string
}

/**
 * Login throttling with exponential backoff, counted in the store so every process sees the same
 * counters. An attempt while delayed is refused before the password is checked and is not
 * counted, so an attacker cannot extend a delay past `maxDelay`; delays end by themselves.
 *
 * Why a username's backoff is per address: counted per username alone, anyone who knows a
 * username could re-arm its delay with one wrong password every few minutes and keep its owner
 * out for good. Counted per (username, address), a guesser only delays itself, and the owner's
 * own address stays clean. A guesser with many addresses is slowed by the account counter: past
 * `accountAttempts` failures in the period, each address that failed for the username gets one
 * guess per `maxDelay`. That rule never refuses an address without failures of its own for the
 * username: such an attempt is the owner's as likely as an attacker's, and refusing it would hand
 * back the lock-out. So a fresh address costs the attacker one checked guess, the owner signing in
 * from home is always checked, and an owner who mistypes during an attack waits at most
 * `maxDelay`. The account counter covers a fixed period instead of expiring `window` after its
 * last failure, so it measures a rate: a guesser slower than `accountAttempts` per period never
 * reaches it however long it keeps going, and it starts again at zero when the period ends.
 * Without an address nothing tells the owner from a guesser: the username's attempts share one
 * pair, as when usernames alone were counted.
 */
export class LoginThrottle {
  readonly #store: ThrottleStore
  readonly #policy: ThrottlePolicy
  readonly #hasher: SecretHasher
  /** The last attempt of each username and address running in this process: how it ends. */
  readonly #running = new Map<string, Promise<unknown>>()
  /** Attempts of each address being checked in this process, and who waits for one to end. */
  readonly #addresses = new Map<string, { inside: number; running: number; waiting: Waiter[] }>()

  constructor(store: ThrottleStore, policy: ThrottlePolicy, hasher: SecretHasher) {
    this.#store = store
    this.#policy = policy
    this.#hasher = hasher
  }

  /**
   * Runs `attempt` once the attempts of the same username and address already running in this
   * process have finished, so each is checked against the failures counted before it: a burst of
   * guesses sent at once would otherwise all pass `check` before the first failure is counted.
   * (Across processes, as many run at once as there are processes.) One that threw (the store
   * unavailable: a 503) fails those queued behind it with the same error at once: each would
   * otherwise start its own store calls only once the one before had timed out, the k-th
   * answering after k timeouts.
   */
  async oneAtATime<T>(keys: ThrottleKeys, attempt: () => Promise<T>): Promise<T> {
    const before = this.#running.get(keys.pair)
    const result = before === undefined ? attempt() : before.then(attempt)
    this.#running.set(keys.pair, result)
    try {
      return await result
    } finally {
      if (this.#running.get(keys.pair) === result) this.#running.delete(keys.pair)
    }
  }

  /**
   * Runs `attempt` once fewer of the address's attempts are being checked in this process than it
   * has failures left before its delays begin (at least one): a burst spraying many usernames
   * from one address (each its own pair, so not serialized by {@link oneAtATime}) would otherwise
   * all be checked before the first failure is counted. An address with a clean record still has
   * all its `addressAttempts` checked at once; one at or past its limit, one at a time, so when a
   * delay ends a burst gets one checked guess and the rest meet the next delay. Waiters queue in
   * order and the one at the front alone looks again at the counter, once a slot frees.
   */
  async admitted<T>(keys: ThrottleKeys, now: () => number, attempt: () => Promise<T>): Promise<T> {
    const address = keys.address
    if (address === undefined) return attempt()
    let slot = this.#addresses.get(address)
    if (slot === undefined) {
      slot = { inside: 0, running: 0, waiting: [] }
      this.#addresses.set(address, slot)
    }
    const current = slot
    // Counted from here to the end, waiting or running: the entry lives while anyone is inside.
    current.inside++
    try {
      // Behind others already waiting: in order, whatever the counter says now.
      if (current.waiting.length > 0) await waitIn(current.waiting, 'push')
      for (;;) {
        let counted: Awaited<ReturnType<ThrottleStore['readThrottle']>>
        try {
          counted = await this.#store.readThrottle(address, now())
        } catch (error) {
          // The store failed this one (a 503): those waiting fail with it at once, as in
          // `oneAtATime`, rather than each asking it again after another timeout.
          failAll(current.waiting, error)
          throw error
        }
        const allowance = Math.max(1, this.#policy.addressAttempts - (counted?.failures ?? 0))
        if (current.running < allowance) break
        await waitIn(current.waiting, 'unshift')
      }
      current.running++
      // The next in line may fit too (a clean address runs its allowance at once).
      current.waiting.shift()?.()
      let result: T
      try {
        result = await attempt()
      } catch (error) {
        current.running--
        // Only the store's outage is everyone's: a 429 is this username's, and the next in line
        // (another username from the same address) is checked on its own.
        if (isStoreOutage(error)) failAll(current.waiting, error)
        else current.waiting.shift()?.()
        throw error
      }
      current.running--
      current.waiting.shift()?.()
      return result
    } finally {
      if (--current.inside === 0) this.#addresses.delete(address)
    }
  }

  /** The counters of a login: see {@link ThrottleKeys}. */
  keys(username: string, given: string | undefined): ThrottleKeys {
    const hash = (value: string) => this.#hasher.hash('throttle', value)
    // An IPv6 client by its /64, whoever worked the address out (see addressKey).
    const address = given === undefined ? undefined : addressKey(given)
    // JSON keeps the pair unambiguous whatever the two strings hold; null is the unknown address.
    const pair = `pair:${hash(JSON.stringify([username, address ?? null]))}`
    const user = `user:${hash(username)}`
    return address === undefined
      ? { pair, username: user }
      : { pair, username: user, address: `addr:${hash(address)}` }
  }

  /**
   * Throws {@link LoginThrottledError} while a counter says to wait. Resolves to whether the pair
   * has a live counter, so a success only writes when there is one to clear.
   */
  async check(keys: ThrottleKeys, now: number): Promise<boolean> {
    const { usernameAttempts, addressAttempts, accountAttempts, maxDelay } = this.#policy
    const pair = await this.#store.readThrottle(keys.pair, now)
    let wait = this.#backoff(pair, usernameAttempts, now)
    if (keys.address !== undefined) {
      const address = await this.#store.readThrottle(keys.address, now)
      wait = Math.max(wait, this.#backoff(address, addressAttempts, now))
    }
    // Only a pair with failures of its own is held back by the account counter (see above).
    if (pair) {
      const account = await this.#store.readThrottle(this.#account(keys, now), now)
      if (account && account.failures >= accountAttempts)
        wait = Math.max(wait, pair.lastFailureAt + maxDelay - now)
    }
    if (wait > 0) throw new LoginThrottledError(wait)
    return pair !== undefined
  }

  /** Counts a failed login under each of its keys. */
  async failed(keys: ThrottleKeys, now: number): Promise<void> {
    const { window } = this.#policy
    await this.#store.recordFailure(keys.pair, now, window)
    if (keys.address !== undefined) await this.#store.recordFailure(keys.address, now, window)
    // Kept until its period ends, when the next period's counter takes over.
    const end = (Math.floor(now / window) + 1) * window
    await this.#store.recordFailure(this.#account(keys, now), now, end - now)
  }

  /**
   * A successful login clears its pair's counter: that address may guess afresh. The address
   * counter is left to expire (else an attacker could reset it with their own account between
   * guesses), and so is the account counter: the owner signing in does not end an attack from
   * elsewhere, and clearing it would give the attacker a fresh allowance after every sign-in.
   */
  async succeeded(keys: ThrottleKeys): Promise<void> {
    await this.#store.clearThrottle(keys.pair)
  }

  /** Seconds to wait for a counter with `free` failures allowed before delays begin. */
  #backoff(
    record: { failures: number; lastFailureAt: number } | undefined,
    free: number,
    now: number,
  ): number {
    if (!record || record.failures < free) return 0
    const { baseDelay, maxDelay } = this.#policy
    const extra = Math.min(record.failures - free, 30)
    return record.lastFailureAt + Math.min(maxDelay, baseDelay * 2 ** extra) - now
  }

  /** The account counter of the fixed period holding `now`. */
  #account(keys: ThrottleKeys, now: number): string {
    return `${keys.username}:${Math.floor(now / this.#policy.window)}`
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** One attempt waiting for an address's slot: woken to look at the counter, or failed. */
type Waiter = (error?: unknown) => void

function waitIn(waiting: Waiter[], where: 'push' | 'unshift'): Promise<void> {
  return new Promise<void>((wake, fail) => {
    waiting[where]((error) => (error === undefined ? wake() : fail(error)))
  })
}

function failAll(waiting: Waiter[], error: unknown): void {
  for (const waiter of waiting.splice(0)) waiter(error ?? new Error('undefined thrown'))
}

/** The store could not answer (a 503): what those waiting would meet too. */
function isStoreOutage(error: unknown): boolean {
  return isGatehouseError(error) && error.status === 503
}
