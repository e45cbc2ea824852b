import { createHmac, createSecretKey, hash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { KeyRecord } from '../store/records.js'
import type { KeyStore } from '../store/store.js'

/** What a keyed hash is of: each purpose hashes into its own space. */
export type HashPurpose =
  | 'client-secret'
  | 'refresh-token'
  | 'code'
  | 'throttle'
  | 'successor'
  | 'login-session'
  | 'authorization-request'
  | 'csrf'

/**
 * Keyed hashes (HMAC-SHA-256) of high-entropy secrets: client secrets, refresh tokens and
 * codes carry 256 random bits, so a fast keyed hash protects them as well as a password hash
 * would, at a microsecond instead of tens of milliseconds per check.
 */
export interface SecretHasher {
  /** The base64url keyed hash of `value` for `purpose`. */
  hash(purpose: HashPurpose, value: string): string
  /** Whether `value` hashes to `expected`, compared in constant time. */
  matches(purpose: HashPurpose, value: string, expected: string): boolean
}

/** A random secret of `bytes` bytes (default 32, i.e. 256 bits), base64url. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** At most this many client secrets are remembered as verified; the oldest go first. */
const MAX_VERIFIED_SECRETS = 1_000

/** A hasher over a raw key. */
export function secretHasherFromKey(raw: Uint8Array): SecretHasher {
  // Imported once: HMAC over a KeyObject skips copying the key on every hash.
  const key = createSecretKey(raw)
  const digest = (purpose: HashPurpose, value: string) =>
    createHmac('sha256', key).update(purpose).update('\0').update(value).digest()
  // A client sends the same secret with every token request, and a stored hash always matches the
  // same secret: once one matched, its plain SHA-256 (one call, a third of an HMAC's cost: no
  // object to make) is remembered under the stored hash, and the next request compares that. Never
  // the secret itself; unmatched secrets are never remembered, so nobody can fill this.
  const verified = new Map<string, Buffer>()
  const fingerprint = (value: string) => hash('sha256', value, 'buffer')
  return {
    hash: (purpose, value) => digest(purpose, value).toString('base64url'),
    matches(purpose, value, expected) {
      // Made for every client secret checked, remembered or not, known client or not: a wrong
      // secret must cost the same whether its client id is one that just authenticated.
      const print = purpose === 'client-secret' ? fingerprint(value) : undefined
      const remembered = print && verified.get(expected)
      if (remembered !== undefined && timingSafeEqual(print as Buffer, remembered)) return true
      const actual = digest(purpose, value)
      const wanted = Buffer.from(expected, 'base64url')
      const matched = wanted.length === actual.length && timingSafeEqual(actual, wanted)
      if (matched && print !== undefined) {
        if (verified.size >= MAX_VERIFIED_SECRETS)
          verified.delete(verified.keys().next().value as string)
        verified.set(expected, print)
      }
      return matched
    },
  }
}

/**
 * The store's hashing key (created on first use, the same for every process on the store), as a
 * {@link SecretHasher}.
 */
export async function loadSecretHasher(store: KeyStore, now: number): Promise<SecretHasher> {
  const find = async () =>
    (await store.listKeys()).find((key) => key.purpose === 'hashing' && key.retiredAt === null)
  let record = await find()
  if (!record) {
    const k = randomSecret()
    const fresh: KeyRecord = {
      kid: `hash-${randomSecret(12)}`,
      purpose: 'hashing',
      algorithm: 'HMAC-SHA256',
      privateJWK: JSON.stringify({ kty: 'oct', k }),
      publicJWK: null,
      createdAt: now,
      retiredAt: null,
      expiresAt: null,
    }
    // Another process may win the race; then its key is the one.
    await store.addKeyIfNoneActive(fresh)
    record = await find()
  }
  if (!record) throw new Error('The store did not keep its hashing key')
  const { k } = JSON.parse(record.privateJWK) as { k: string }
  return secretHasherFromKey(Buffer.from(k, 'base64url'))
}
