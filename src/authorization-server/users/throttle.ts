import { LoginThrottledError } from '../errors.js'
import type { SecretHasher } from '../keys/secret-hasher.js'
import type { ThrottleStore } from '../store/store.js'

/** How failed logins slow down further attempts. */
export interface ThrottleOptions {
  /** Failures per username before attempts are delayed; default 5. */
  usernameAttempts?: number | undefined
  /** Failures per client address (all usernames together) before delays; default 20. */
  addressAttempts?: number | undefined
  /** The first delay in seconds, doubled with every further failure; default 1. */
  baseDelay?: number | undefined
  /** The longest delay in seconds: no lock-out lasts longer; default 300. */
  maxDelay?: number | undefined
  /** A counter is forgotten this many seconds after its last failure; default 900. */
  window?: number | undefined
}

export type ThrottlePolicy = { readonly [K in keyof ThrottleOptions]-?: number }

/** Checks option values once; a `TypeError` names the faulty one. */
export function resolveThrottle(
  options: ThrottleOptions | false | undefined,
): ThrottlePolicy | undefined {
  if (options === false) return undefined
  const policy: ThrottlePolicy = {
    usernameAttempts: 5,
    addressAttempts: 20,
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
  if (policy.window < policy.maxDelay)
    throw new TypeError(
      'createAuthorizationServer: `throttle.window` must be at least `throttle.maxDelay`',
    )
  return policy
}

/**
 * Login throttling with exponential backoff, counted in the store so every process sees the same
 * counters. An attempt while delayed is refused before the password is checked and is not
 * counted, so an attacker cannot extend a delay past `maxDelay`; delays end by themselves.
 */
export class LoginThrottle {
  readonly #store: ThrottleStore
  readonly #policy: ThrottlePolicy
  readonly #hasher: SecretHasher

  constructor(store: ThrottleStore, policy: ThrottlePolicy, hasher: SecretHasher) {
    this.#store = store
    this.#policy = policy
    this.#hasher = hasher
  }

  /** The counters of a login: its username's and, when known, its address's. */
  keys(username: string, address: string | undefined): { username: string; address?: string } {
    // Hashed: counters hold no usernames or addresses, and keys stay short.
    const user = `user:${this.#hasher.hash('throttle', username)}`
    return address === undefined
      ? { username: user }
      : { username: user, address: `addr:${this.#hasher.hash('throttle', address)}` }
  }

  /**
   * Throws {@link LoginThrottledError} while either counter says to wait. Resolves to whether the
   * username has a live counter, so a success only writes when there is one to clear.
   */
  async check(keys: { username: string; address?: string }, now: number): Promise<boolean> {
    let wait = 0
    let counted = false
    for (const [key, free] of this.#entries(keys)) {
      const record = await this.#store.readThrottle(key, now)
      if (record && key === keys.username) counted = true
      if (!record || record.failures < free) continue
      wait = Math.max(wait, record.lastFailureAt + this.#delay(record.failures - free) - now)
    }
    if (wait > 0) throw new LoginThrottledError(wait)
    return counted
  }

  /** Counts a failed login under both keys. */
  async failed(keys: { username: string; address?: string }, now: number): Promise<void> {
    for (const [key] of this.#entries(keys))
      await this.#store.recordFailure(key, now, this.#policy.window)
  }

  /**
   * A successful login clears its username's counter. The address counter is left to expire:
   * if success cleared it, an attacker could reset it with their own account between guesses.
   */
  async succeeded(keys: { username: string; address?: string }): Promise<void> {
    await this.#store.clearThrottle(keys.username)
  }

  #entries(keys: { username: string; address?: string }): [string, number][] {
    const entries: [string, number][] = [[keys.username, this.#policy.usernameAttempts]]
    if (keys.address !== undefined) entries.push([keys.address, this.#policy.addressAttempts])
    return entries
  }

  #delay(extra: number): number {
    const { baseDelay, maxDelay } = this.#policy
    return Math.min(maxDelay, baseDelay * 2 ** Math.min(extra, 30))
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
