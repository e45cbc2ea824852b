import { randomUUID } from 'node:crypto'
import {
  ARGON2ID,
  type Argon2Parameters,
  argon2Outdated,
  isArgon2Hash,
  readArgon2,
  resolveArgon2,
} from './argon2.js'
import { createHashPool, type HashPool } from './hash-pool.js'

/** Options of {@link createPasswordHasher}. */
export interface PasswordHasherOptions extends Partial<Argon2Parameters> {
  /**
   * Worker threads that hash and verify off the event loop, at a lower scheduling priority than
   * it, started on demand. Defaults to 2.
   */
  workers?: number | undefined
}

/** Hashes passwords with Argon2id and verifies Argon2 and legacy bcrypt hashes. */
export interface PasswordHasher {
  /** Hashes a password with Argon2id and the configured costs (a PHC string). */
  hash(password: string): Promise<string>
  /**
   * Checks a password against a stored hash. A missing hash (unknown user) costs one Argon2
   * verification all the same; unknown or malformed hashes answer `false`.
   */
  verify(password: string, hash: string | null | undefined): Promise<boolean>
  /** Tells whether a stored hash should be replaced: bcrypt, other Argon2 costs, unknown format. */
  needsRehash(hash: string | null | undefined): boolean
  /** {@link PasswordHasher.verify}, plus a fresh hash to store when the password is right but the hash is outdated. */
  verifyAndUpdate(
    password: string,
    hash: string | null | undefined,
  ): Promise<{ valid: boolean; newHash: string | undefined }>
}

// $2a$/$2b$/$2y$, a two-digit cost in bcrypt's range, 22 salt and 31 hash characters.
const BCRYPT = /^\$2[aby]\$(?:0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/

/**
 * Creates a password hasher in the spirit of passlib's `CryptContext`: Argon2id for new hashes
 * (`@node-rs/argon2`), bcrypt still accepted (bcryptjs), all in low-priority worker threads,
 * and upgraded on login through `verifyAndUpdate`.
 *
 * @example
 * ```ts
 * const passwords = createPasswordHasher()
 * const { valid, newHash } = await passwords.verifyAndUpdate(form.password, user?.hashedPassword)
 * if (!valid) throw new HTTPException(400, { detail: 'Incorrect username or password' })
 * if (newHash) await users.update(user.id, { hashedPassword: newHash })
 * ```
 */
export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const parameters = resolveArgon2(options)
  const workers = options.workers ?? 2
  if (!Number.isInteger(workers) || workers < 1) {
    throw new TypeError('createPasswordHasher: "workers" must be a positive integer')
  }
  const argon2Options = { ...parameters, algorithm: ARGON2ID }
  let workerPool: HashPool | undefined
  const pool = () => {
    workerPool ??= createHashPool(workers)
    return workerPool
  }
  let dummy: Promise<string> | undefined

  const hash = async (password: string) => {
    assertPassword(password)
    return pool().argon2Hash(password, argon2Options)
  }

  // Spends what a real verification costs, for users that do not exist and unusable hashes.
  const decoy = async (password: string) => {
    dummy ??= hash(randomUUID()).catch((error: unknown) => {
      dummy = undefined
      throw error
    })
    await pool().argon2Verify(await dummy, password)
    return false
  }

  const verify = async (password: string, stored: string | null | undefined) => {
    assertPassword(password)
    if (typeof stored !== 'string') return decoy(password)
    if (BCRYPT.test(stored)) {
      return pool().compare(password, stored)
    }
    if (!isArgon2Hash(stored) || readArgon2(stored, parameters) === undefined)
      return decoy(password)
    try {
      return await pool().argon2Verify(stored, password)
    } catch {
      return false
    }
  }

  const needsRehash = (stored: string | null | undefined) =>
    typeof stored !== 'string' || !isArgon2Hash(stored) || argon2Outdated(stored, parameters)

  return {
    hash,
    verify,
    needsRehash,
    async verifyAndUpdate(password, stored) {
      const valid = await verify(password, stored)
      const newHash = valid && needsRehash(stored) ? await hash(password) : undefined
      return { valid, newHash }
    },
  }
}

function assertPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string') throw new TypeError('password must be a string')
}
