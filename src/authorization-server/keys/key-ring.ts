import { type CryptoKey, importJWK, type JWK } from 'jose'
import type { KeyRecord } from '../store/records.js'
import type { KeyStore } from '../store/store.js'
import {
  generateSigningKey,
  hmacSigner,
  type Signer,
  type SigningAlgorithm,
  signerFor,
} from './key-material.js'

/** Settings of a {@link KeyRing}. */
export interface KeyRingSettings {
  readonly store: KeyStore
  readonly algorithm: SigningAlgorithm
  /** HS256 only: a secret from the options instead of a generated, stored key. */
  readonly secret: Uint8Array | undefined
  /** Rotate automatically once the active key is this many seconds old. */
  readonly rotateAfter: number | undefined
  /** How long a retired key stays published: the longest token lifetime plus margins. */
  readonly retiredKeyLifetime: number
  /** How often (seconds) the keys are re-read, to see another process's rotation. */
  readonly refreshInterval: number
  /** How long (seconds) after it is made a new key starts signing. */
  readonly activationDelay: number
  readonly now: () => number
}

/** A key that verifies tokens of one `kid`. */
export interface VerificationKey {
  readonly algorithm: SigningAlgorithm
  readonly key: CryptoKey | Uint8Array
}

/** A signing key as `keys.list()` shows it: never the private part. */
export interface SigningKeyInfo {
  readonly kid: string
  readonly algorithm: string
  readonly createdAt: number
  readonly retiredAt: number | null
  /** When a retired key leaves the JWKS. */
  readonly expiresAt: number | null
  readonly active: boolean
}

/** Re-read the keys at most this often when a token names an unknown `kid`. */
const UNKNOWN_KID_RELOAD = 5

/**
 * The signing keys: the active one signs, retired ones stay in the JWKS (and keep verifying)
 * until the last token they signed has expired. Keys live in the store, so every process of a
 * deployment signs with, and publishes, the same set.
 */
export class KeyRing {
  readonly #settings: KeyRingSettings
  readonly #static: Signer | undefined
  #records: KeyRecord[] = []
  #loadedAt = Number.NEGATIVE_INFINITY
  #loading: Promise<void> | undefined
  readonly #signers = new Map<string, Signer>()
  readonly #verifiers = new Map<string, Promise<VerificationKey>>()

  constructor(settings: KeyRingSettings) {
    this.#settings = settings
    this.#static = settings.secret === undefined ? undefined : hmacSigner(settings.secret)
  }

  /** The key that signs now, after an automatic rotation when one is due. */
  async signer(): Promise<Signer> {
    if (this.#static) return this.#static
    await this.#fresh(this.#settings.refreshInterval)
    let active = this.#active()
    const { rotateAfter, now } = this.#settings
    if (active && rotateAfter !== undefined && now() - active.createdAt >= rotateAfter) {
      await this.#rotate(active)
      await this.#fresh(0)
      active = this.#active()
    }
    if (!active) throw new Error('No active signing key in the store')
    const key = this.#signingKey(active)
    let signer = this.#signers.get(key.kid)
    if (!signer) {
      signer = signerFor(key)
      this.#signers.set(key.kid, signer)
    }
    return signer
  }

  /**
   * The key to sign with: the active one once every process has published it long enough
   * (`activationDelay`), and the key it replaced until then. A token with a kid that another
   * process's JWKS did not list would be refused by a resource server that fetched its keys from
   * that process (behind a balancer, any of them) and may not re-fetch yet. The retired key stays
   * published long enough: `retiredKeyLifetime` allows for a process signing with it that long.
   */
  #signingKey(active: KeyRecord): KeyRecord {
    const now = this.#settings.now()
    const { activationDelay } = this.#settings
    if (now - active.createdAt >= activationDelay) return active
    // The newest retired key that is old enough, so two rotations within the delay never make
    // a young key sign; failing that (every key young: a new store), the one retired last. Only
    // a published key: an HS256 key (one `keys rotate --algorithm HS256` made for a server
    // configured otherwise, which replaced it at once) is in no JWKS, so no resource server
    // could verify what it signed.
    let settled: KeyRecord | undefined
    let replaced: KeyRecord | undefined
    for (const key of this.#records) {
      if (key.retiredAt === null || key.publicJWK === null) continue
      if (key.expiresAt !== null && key.expiresAt <= now) continue
      if (now - key.createdAt >= activationDelay && (settled?.createdAt ?? -1) < key.createdAt)
        settled = key
      if (replaced === undefined || key.retiredAt > (replaced.retiredAt as number)) replaced = key
    }
    return settled ?? replaced ?? active
  }

  /** The key for a token's `kid`, or `undefined` when no published key has it. */
  async verificationKey(kid: string): Promise<VerificationKey | undefined> {
    if (this.#static) {
      if (kid !== this.#static.kid) return undefined
      return { algorithm: 'HS256', key: this.#settings.secret as Uint8Array }
    }
    await this.#fresh(this.#settings.refreshInterval)
    let record = this.#published().find((key) => key.kid === kid)
    if (!record) {
      // Perhaps another process rotated a moment ago.
      await this.#fresh(UNKNOWN_KID_RELOAD)
      record = this.#published().find((key) => key.kid === kid)
    }
    if (!record) return undefined
    let verifier = this.#verifiers.get(kid)
    if (!verifier) {
      const found = record
      const algorithm = found.algorithm as SigningAlgorithm
      const jwk = JSON.parse(found.publicJWK ?? found.privateJWK) as JWK
      verifier = importJWK(jwk, algorithm).then((key) => ({ algorithm, key }))
      this.#verifiers.set(kid, verifier)
    }
    return verifier
  }

  /** The public keys of the JWKS (RFC 7517): the active and the still-published retired keys. */
  async jwks(): Promise<{ keys: JWK[] }> {
    if (this.#static) return { keys: [] }
    await this.#fresh(this.#settings.refreshInterval)
    const keys = this.#published()
      .filter((key) => key.publicJWK !== null)
      .map((key) => JSON.parse(key.publicJWK as string) as JWK)
    return { keys }
  }

  /** Retires the active key and starts signing with a new one; returns the new key's info. */
  async rotate(): Promise<SigningKeyInfo> {
    if (this.#static)
      throw new TypeError('keys.rotate(): an HS256 `secret` from the options cannot rotate')
    await this.#fresh(0)
    const active = this.#active()
    if (active) await this.#rotate(active)
    await this.#fresh(0)
    const now = this.#active()
    if (!now) throw new Error('No active signing key in the store')
    return info(now)
  }

  /** Every signing key the store holds, newest last. */
  async list(): Promise<SigningKeyInfo[]> {
    if (this.#static) {
      const { kid } = this.#static
      return [
        { kid, algorithm: 'HS256', createdAt: 0, retiredAt: null, expiresAt: null, active: true },
      ]
    }
    await this.#fresh(0)
    return this.#records.map(info)
  }

  #active(): KeyRecord | undefined {
    return this.#records.find((key) => key.retiredAt === null)
  }

  #published(): KeyRecord[] {
    const now = this.#settings.now()
    return this.#records.filter(
      (key) => key.retiredAt === null || key.expiresAt === null || key.expiresAt > now,
    )
  }

  /** Replaces `active` in the store (the caller re-reads). */
  async #rotate(active: KeyRecord): Promise<void> {
    const { store, algorithm, retiredKeyLifetime, now } = this.#settings
    const at = now()
    const next = await generateSigningKey(algorithm, at)
    // `false` when another process rotated first: then its new key is the one.
    await store.rotateKey({
      purpose: 'signing',
      retire: { kid: active.kid, retiredAt: at, expiresAt: at + retiredKeyLifetime },
      next,
    })
  }

  async #fresh(maxAge: number): Promise<void> {
    if (this.#settings.now() - this.#loadedAt < maxAge && this.#records.length > 0) return
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined
    })
    await this.#loading
  }

  async #load(): Promise<void> {
    const { store, algorithm, now } = this.#settings
    const read = async () => (await store.listKeys()).filter((key) => key.purpose === 'signing')
    let records = await read()
    const active = records.find((key) => key.retiredAt === null)
    if (!active) {
      // Processes starting together race here; the store keeps exactly one of their keys.
      await store.addKeyIfNoneActive(await generateSigningKey(algorithm, now()))
      records = await read()
    } else if (active.algorithm !== algorithm) {
      // A changed `algorithm` option: the old key retires, a key of the new kind takes over.
      await this.#rotate(active)
      records = await read()
    }
    this.#records = records
    this.#loadedAt = now()
  }
}

function info(key: KeyRecord): SigningKeyInfo {
  return {
    kid: key.kid,
    algorithm: key.algorithm,
    createdAt: key.createdAt,
    retiredAt: key.retiredAt,
    expiresAt: key.expiresAt,
    active: key.retiredAt === null,
  }
}
