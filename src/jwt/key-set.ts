import type { JWK } from 'jose'
import { InvalidTokenError } from '../core/errors/index.js'
import type { JWTVerifierAlgorithm } from './algorithms.js'
import { keyProblem } from './key-usability.js'
import {
  type CryptoRuntime,
  importVerificationKey,
  type VerificationKey,
} from './verification-key.js'

/** A JSON Web Key Set (RFC 7517 §5): `{ "keys": [ … ] }`. */
export interface JSONWebKeySet {
  keys: readonly JWK[]
}

/**
 * Where a verifier finds the key for a token: a fixed set, or one fetched from the issuer. Either
 * gives the key, or throws `InvalidTokenError` (`token_key_unknown`) or
 * `KeySourceUnavailableError` when the keys cannot be had right now.
 */
export interface KeySource {
  key(
    kid: string | undefined,
    alg: JWTVerifierAlgorithm,
  ): VerificationKey | Promise<VerificationKey>
}

/**
 * Imported keys, indexed by `kid`. A token naming a `kid` gets the first key with that `kid` that
 * may verify its `alg`; a token without `kid` is accepted only when exactly one key may verify
 * its `alg`, so a missing `kid` never makes every key a candidate.
 */
export class KeySet {
  readonly #byKid = new Map<string, VerificationKey[]>()
  readonly #all: readonly VerificationKey[]

  constructor(keys: readonly VerificationKey[]) {
    this.#all = keys
    for (const key of keys) {
      if (key.kid === undefined) continue
      const list = this.#byKid.get(key.kid)
      if (list) list.push(key)
      else this.#byKid.set(key.kid, [key])
    }
  }

  /** How many keys the set holds. */
  get size(): number {
    return this.#all.length
  }

  /** The key for a token's `kid` and `alg`, or `undefined`. */
  find(kid: string | undefined, alg: JWTVerifierAlgorithm): VerificationKey | undefined {
    if (kid !== undefined) return this.#byKid.get(kid)?.find((key) => key.allows(alg))
    let found: VerificationKey | undefined
    for (const key of this.#all) {
      if (!key.allows(alg)) continue
      if (found !== undefined) return undefined
      found = key
    }
    return found
  }
}

/**
 * Reads a JWKS document. `strict` (a set given in code) throws a `TypeError` naming the first bad
 * key (its index, its `kid`) and the member at fault: one that does not import, or one the allowed
 * algorithms can never use ({@link keyProblem}), or a `kid` another key of its `kty` has. A set
 * fetched from an issuer skips keys this verifier cannot use, so one odd key does not take the
 * others down with it; it never uses a symmetric (`oct`) key, which a published set must not hold
 * (RFC 7517 §9.3, RFC 8725 §3.2), nor any key whose `kid` another key of its `kty` shares, since
 * which one signed would be a guess (RFC 7517 §4.5).
 */
export function readKeySet(
  value: unknown,
  runtime: CryptoRuntime,
  strict: { owner: string; algorithms: readonly JWTVerifierAlgorithm[] } | undefined,
): KeySet {
  const keys = (value as { keys?: unknown } | null)?.keys
  if (typeof value !== 'object' || value === null || !Array.isArray(keys)) {
    if (strict) throw new TypeError(`${strict.owner}: "keys" must be a JWKS, { keys: [...] }`)
    throw new TypeError('not a JWKS')
  }
  const imported: { key: VerificationKey; kty: unknown; at: string }[] = []
  keys.forEach((jwk: unknown, index) => {
    const kid = (jwk as { kid?: unknown } | null)?.kid
    const at = `"keys.keys[${index}]"${typeof kid === 'string' ? ` (kid ${JSON.stringify(kid)})` : ''}`
    const kty = (jwk as { kty?: unknown } | null)?.kty
    if (!strict && kty === 'oct') return
    try {
      const key = importVerificationKey(jwk, runtime)
      const problem = strict && keyProblem(jwk as Record<string, unknown>, strict.algorithms)
      if (problem) throw new TypeError(problem)
      imported.push({ key, kty, at })
    } catch (error) {
      if (strict) throw new TypeError(`${strict.owner}: ${at} ${(error as Error).message}`)
    }
  })
  const usable = withoutSharedKids(imported, strict?.owner)
  // Keys for other algorithms are normal in a JWKS; a set that can verify nothing is a mistake.
  if (strict && !usable.some((key) => strict.algorithms.some((alg) => key.allows(alg))))
    throw new TypeError(
      `${strict.owner}: "keys" has no key for the allowed algorithms (${strict.algorithms.join(', ')})`,
    )
  return new KeySet(usable)
}

/** The keys whose `kid` no other key of the same `kty` has; with `owner`, a shared one throws. */
function withoutSharedKids(
  entries: readonly { key: VerificationKey; kty: unknown; at: string }[],
  owner: string | undefined,
): VerificationKey[] {
  const first = new Map<string, string>()
  const shared = new Set<string>()
  for (const { key, kty, at } of entries) {
    if (key.kid === undefined) continue
    const id = JSON.stringify([kty, key.kid])
    const earlier = first.get(id)
    if (earlier === undefined) first.set(id, at)
    else if (owner !== undefined)
      throw new TypeError(`${owner}: ${at} has the same "kid" and "kty" as ${earlier}`)
    else shared.add(id)
  }
  return entries
    .filter(({ key, kty }) => key.kid === undefined || !shared.has(JSON.stringify([kty, key.kid])))
    .map(({ key }) => key)
}

/** A key source over a fixed set. */
export function localKeySource(set: KeySet): KeySource {
  return {
    key(kid, alg) {
      const key = set.find(kid, alg)
      if (key === undefined) throw new InvalidTokenError('token_key_unknown', 'kid')
      return key
    },
  }
}
