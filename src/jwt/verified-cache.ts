import { InvalidTokenError } from '../core/errors/index.js'
import type { VerifiedToken } from './claims.js'
import { deepFreeze } from './deep-freeze.js'

/**
 * A bounded cache of tokens that already passed every check, keyed by the whole token string, so
 * only the identical bytes can hit. Only successes are stored (a forged token can never be
 * remembered as valid), and a hit re-checks `exp`/`nbf` against the clock, so an entry expires with
 * its token. Oldest entries are dropped first when full. Hits return the same frozen object.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, VerifiedToken>()
  readonly #max: number
  readonly #tolerance: number

  constructor(max: number, clockTolerance: number) {
    this.#max = max
    this.#tolerance = clockTolerance
  }

  /** The cached result, `undefined` on a miss; throws if the cached token has expired since. */
  get(token: string, now: number): VerifiedToken | undefined {
    if (this.#max <= 0) return undefined
    const hit = this.#entries.get(token)
    if (hit === undefined) return undefined
    const { exp, nbf } = hit.payload
    if ((exp as number) <= now - this.#tolerance) {
      this.#entries.delete(token)
      throw new InvalidTokenError('token_expired', 'exp')
    }
    if (typeof nbf === 'number' && nbf > now + this.#tolerance) return undefined
    return hit
  }

  set(token: string, verified: VerifiedToken): VerifiedToken {
    if (this.#max <= 0) return verified
    deepFreeze(verified)
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
    this.#entries.set(token, verified)
    return verified
  }
}
