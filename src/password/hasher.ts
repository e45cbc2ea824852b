import { refuseUnknownOptions } from '../core/declare/known-options.js'
import { ServiceUnavailableError } from '../core/errors/index.js'
import {
  ARGON2ID,
  type Argon2Parameters,
  argon2Outdated,
  isArgon2Hash,
  OUTPUT_LENGTH,
  resolveArgon2,
  VERSION_13,
} from './argon2.js'
import { argon2Kind, createDecoy, kindOf } from './decoy.js'
import type { HashPool } from './hash-pool.js'
import { lazyHashPool } from './lazy-pool.js'

/** Options of {@link createPasswordHasher}. */
export interface PasswordHasherOptions extends Partial<Argon2Parameters> {
  /**
   * Worker threads that hash and verify off the event loop, at a lower scheduling priority than
   * it, started on demand. Defaults to 2.
   */
  workers?: number | undefined
  /**
   * Calls that may wait for a busy worker; beyond that a call is refused at once with a
   * `ServiceUnavailableError` (answered 503 with `Retry-After`), so a login flood neither queues
   * without end nor holds memory. Defaults to 16 per worker.
   */
  maxQueue?: number | undefined
  /**
   * The longest password accepted, in characters (UTF-16 code units). Defaults to 1024, the bound
   * of `OAuth2PasswordRequestForm`: a longer one never matches, and `hash()` refuses it.
   */
  maxPasswordLength?: number | undefined
  /**
   * Hashes the user store holds (one of each algorithm and cost is enough, e.g. its legacy bcrypt
   * hashes): unknown users are checked against a decoy as costly as the costliest of these, of the
   * hashes `hash()` makes and of every stored hash `verify()` has seen. See
   * {@link PasswordHasher.noteStoredHashes}.
   */
  storedHashes?: Iterable<string> | undefined
}

/** Hashes passwords with Argon2id and verifies Argon2 and legacy bcrypt hashes. */
export interface PasswordHasher {
  /** Hashes a password with Argon2id and the configured costs (a PHC string). */
  hash(password: string): Promise<string>
  /**
   * Checks a password against a stored hash. A missing hash (unknown user), or a malformed one,
   * costs a verification all the same, of the costliest kind of hash the store is known to hold,
   * and answers `false`; a wrong password for a hash of a faster kind is answered once it has
   * taken as long (a timer, not more hashing). Rejects with a `ServiceUnavailableError` when the
   * hashing queue is full.
   */
  verify(password: string, hash: string | null | undefined): Promise<boolean>
  /** Tells whether a stored hash should be replaced: bcrypt, other Argon2 costs, unknown format. */
  needsRehash(hash: string | null | undefined): boolean
  /**
   * {@link PasswordHasher.verify}, plus a fresh hash to store when the password is right but the
   * hash is outdated (none while the hashing queue is full: the upgrade waits for a later login).
   */
  verifyAndUpdate(
    password: string,
    hash: string | null | undefined,
  ): Promise<{ valid: boolean; newHash: string | undefined }>
  /**
   * Tells the hasher what kinds of hash the user store holds, so that unknown users cost as much
   * as the slowest of them; malformed hashes are ignored. Call it at start-up with one hash of each
   * algorithm and cost (or all of them), when the store may hold hashes that are slower to check
   * than the current Argon2id ones, such as legacy bcrypt hashes.
   */
  noteStoredHashes(hashes: Iterable<string>): void
}

const DEFAULT_MAX_PASSWORD_LENGTH = 1024
const HASHER_OPTIONS = new Set([
  'memoryCost',
  'timeCost',
  'parallelism',
  'workers',
  'maxQueue',
  'maxPasswordLength',
  'storedHashes',
])

/**
 * Creates a password hasher in the spirit of passlib's `CryptContext`: Argon2id for new hashes
 * (`@node-rs/argon2`), bcrypt still accepted (bcryptjs), all in low-priority worker threads behind a
 * bounded queue, and upgraded on login through `verifyAndUpdate`. Unknown users are checked
 * against a decoy hash of the same algorithm and cost as the slowest the store holds, and failed
 * checks of faster hashes take as long, so a failed login's time never tells whether the user exists.
 *
 * @example
 * ```ts
 * const passwords = createPasswordHasher({ storedHashes: users.hashSamples() })
 * const { valid, newHash } = await passwords.verifyAndUpdate(form.password, user?.hashedPassword)
 * if (!valid) throw new HTTPException(400, { detail: 'Incorrect username or password' })
 * if (newHash) await users.update(user.id, { hashedPassword: newHash })
 * ```
 */
export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  refuseUnknownOptions('createPasswordHasher', options, HASHER_OPTIONS)
  const parameters = resolveArgon2(options)
  const workers = positiveInteger(options.workers ?? 2, 'workers')
  const maxPasswordLength = positiveInteger(
    options.maxPasswordLength ?? DEFAULT_MAX_PASSWORD_LENGTH,
    'maxPasswordLength',
  )
  const maxQueue = options.maxQueue ?? 16 * workers
  if (!Number.isInteger(maxQueue) || maxQueue < 0)
    throw new TypeError('createPasswordHasher: "maxQueue" must be a non-negative integer')
  const argon2Options = { ...parameters, algorithm: ARGON2ID }
  let workerPool: HashPool | undefined
  const pool = () => {
    workerPool ??= lazyHashPool(workers, { maxQueue })
    return workerPool
  }
  const decoy = createDecoy(pool)
  const noteStoredHashes = (hashes: Iterable<string>) => {
    for (const stored of hashes) {
      const kind = typeof stored === 'string' ? kindOf(stored, parameters) : undefined
      if (kind) decoy.note(kind)
    }
  }
  // The hashes this hasher makes are always among those the store may hold.
  decoy.note(argon2Kind({ ...argon2Options, version: VERSION_13, outputLen: OUTPUT_LENGTH }))
  noteStoredHashes(options.storedHashes ?? [])

  const hash = async (password: string) => {
    assertPassword(password)
    if (password.length > maxPasswordLength)
      throw new RangeError(`password is longer than ${maxPasswordLength} characters`)
    return pool().argon2Hash(password, argon2Options)
  }

  const verify = async (password: string, stored: string | null | undefined) => {
    assertPassword(password)
    // Refused before any work, whoever the user is: the length is all this tells.
    if (password.length > maxPasswordLength) return false
    const kind = typeof stored === 'string' ? kindOf(stored, parameters) : undefined
    if (kind === undefined) return decoy.check(password)
    decoy.note(kind)
    const { valid, ms } = await pool().check(kind.algorithm, stored as string, password)
    decoy.record(kind, ms)
    // A wrong password costs what the slowest kind costs, or a fast answer would say "this user
    // exists, with an upgraded hash" where bcrypt hashes remain.
    if (!valid) await decoy.pad(kind, ms)
    return valid
  }

  const needsRehash = (stored: string | null | undefined) =>
    typeof stored !== 'string' || !isArgon2Hash(stored) || argon2Outdated(stored, parameters)

  return {
    hash,
    verify,
    needsRehash,
    noteStoredHashes,
    async verifyAndUpdate(password, stored) {
      const valid = await verify(password, stored)
      if (!valid || !needsRehash(stored)) return { valid, newHash: undefined }
      try {
        return { valid, newHash: await hash(password) }
      } catch (error) {
        if (error instanceof ServiceUnavailableError) return { valid, newHash: undefined }
        throw error
      }
    },
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new TypeError(`createPasswordHasher: "${name}" must be a positive integer`)
  return value
}

function assertPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string') throw new TypeError('password must be a string')
}
