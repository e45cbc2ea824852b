import { InvalidTokenError, KeySourceUnavailableError } from '../core/errors/index.js'
import type { JWTVerifierAlgorithm } from './algorithms.js'
import { elapsed } from './elapsed.js'
import { type FetchLimits, fetchFailureOf, fetchJSON } from './fetch-json.js'
import { type KeySet, type KeySource, readKeySet } from './key-set.js'
import type { CryptoRuntime, VerificationKey } from './verification-key.js'

/** How a remote key set is fetched and kept. Times in seconds on the verifier's clock. */
export interface RemoteKeySetSettings extends FetchLimits {
  /** Least time between two fetches, whatever tokens arrive. */
  readonly cooldown: number
  /** Age after which the set is fetched again, in the background while it holds the key asked for. */
  readonly maxAge: number
  readonly now: () => number
  readonly runtime: CryptoRuntime
}

/**
 * A JWKS fetched from `url` and cached, keyed by `kid`. It is fetched on first use, again when it is
 * older than `maxAge`, and again when a token names a `kid` it lacks (a rotation), but never more
 * than once per `cooldown`; concurrent misses share one fetch. A set older than `maxAge` that holds
 * the token's key still answers at once while it is fetched again in the background
 * (stale-while-revalidate): an issuer that is slow or down then costs no request its `timeout`.
 * Only a `kid` the set lacks waits for a fetch. A failed fetch keeps the last good set. A key
 * missing from a fresh set is `token_key_unknown` (401); when there is no set, or the last fetch
 * failed, the key may exist and the answer is `KeySourceUnavailableError` (503 with `Retry-After`).
 */
export class RemoteKeySet implements KeySource {
  readonly #url: URL
  readonly #settings: RemoteKeySetSettings
  #set: KeySet | undefined
  #fetchedAt = Number.NEGATIVE_INFINITY
  #attemptedAt = Number.NEGATIVE_INFINITY
  #failed = false
  /** What the last failed fetch was, shared by every refusal until the next fetch. */
  #failure: Error | undefined
  #pending: Promise<void> | undefined

  constructor(url: URL, settings: RemoteKeySetSettings) {
    this.#url = url
    this.#settings = settings
  }

  key(
    kid: string | undefined,
    alg: JWTVerifierAlgorithm,
  ): VerificationKey | Promise<VerificationKey> {
    const key = this.#set?.find(kid, alg)
    if (key === undefined) return this.#keyAfterRefresh(kid, alg)
    const stale = elapsed(this.#fetchedAt, this.#settings.now()) >= this.#settings.maxAge
    // #load never rejects, so the background refresh cannot become an unhandled rejection.
    if (stale && this.#pending === undefined && this.#cooldownLeft() <= 0) void this.#refresh()
    return key
  }

  async #keyAfterRefresh(kid: string | undefined, alg: JWTVerifierAlgorithm) {
    if (this.#pending !== undefined || this.#cooldownLeft() <= 0) await this.#refresh()
    const key = this.#set?.find(kid, alg)
    if (key !== undefined) return key
    if (this.#set === undefined || this.#failed)
      throw new KeySourceUnavailableError(
        'The verification keys cannot be fetched right now',
        Math.max(1, Math.ceil(this.#cooldownLeft())),
        { cause: this.#failure },
      )
    throw new InvalidTokenError('token_key_unknown', 'kid')
  }

  #cooldownLeft(): number {
    return this.#settings.cooldown - elapsed(this.#attemptedAt, this.#settings.now())
  }

  #refresh(): Promise<void> {
    this.#pending ??= this.#load().finally(() => {
      this.#pending = undefined
    })
    return this.#pending
  }

  async #load(): Promise<void> {
    this.#attemptedAt = this.#settings.now()
    try {
      const body = await fetchJSON(
        this.#url,
        { headers: { accept: 'application/jwk-set+json, application/json' } },
        this.#settings,
      )
      this.#set = readKeySet(body, this.#settings.runtime, undefined)
      this.#fetchedAt = this.#settings.now()
      this.#failed = false
      this.#failure = undefined
    } catch (error) {
      // The last good set stays; callers answer 503 only when it cannot stand in.
      this.#failed = true
      this.#failure = fetchFailureOf('The JWKS at', this.#url, error)
    }
  }
}
