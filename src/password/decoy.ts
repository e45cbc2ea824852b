import { type Argon2Parameters, isArgon2Hash, readArgon2 } from './argon2.js'
import type { DecoySpec, HashPool } from './hash-pool.js'

// $2a$/$2b$/$2y$, a two-digit cost in bcrypt's range, 22 salt and 31 hash characters.
const BCRYPT = /^\$2[aby]\$(?:0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/

// A stored bcrypt hash asking for more rounds than this counts as malformed: at cost 31 one check
// would take days, and the decoy copies the costliest hash the store holds.
const MAX_BCRYPT_COST = 16

/** One kind of stored hash: its algorithm and costs, which is all a verification's time depends on. */
export interface HashKind {
  /** `bcrypt:12`, `argon2:2:19456:2:1`, ... */
  readonly key: string
  readonly algorithm: 'bcrypt' | 'argon2'
  readonly spec: DecoySpec
}

/** The kind of a stored hash; `undefined` for a hash that is malformed or asks for too much. */
export function kindOf(hash: string, configured: Argon2Parameters): HashKind | undefined {
  if (BCRYPT.test(hash)) {
    const cost = Number(hash.slice(4, 6))
    if (cost > MAX_BCRYPT_COST) return undefined
    return { key: `bcrypt:${cost}`, algorithm: 'bcrypt', spec: { cost } }
  }
  if (!isArgon2Hash(hash)) return undefined
  const parsed = readArgon2(hash, configured)
  if (parsed === undefined) return undefined
  return argon2Kind({
    algorithm: parsed.algorithm as number,
    version: parsed.version as number,
    memoryCost: parsed.memoryCost,
    timeCost: parsed.timeCost,
    parallelism: parsed.parallelism,
    outputLen: parsed.outputLen,
  })
}

/** The kind of the Argon2 hashes made with these `@node-rs/argon2` options. */
export function argon2Kind(options: {
  algorithm: number
  version: number
  memoryCost: number
  timeCost: number
  parallelism: number
  outputLen: number
}): HashKind {
  const { algorithm, version, memoryCost, timeCost, parallelism, outputLen } = options
  const key = `argon2:${[algorithm, version, memoryCost, timeCost, parallelism, outputLen].join(':')}`
  return { key, algorithm: 'argon2', spec: { options: { ...options } } }
}

interface Candidate {
  readonly kind: HashKind
  /** The decoy: a hash of a random password of this kind, once made. */
  hash: string | undefined
  making: Promise<void> | undefined
  /** What a check of this kind takes in a worker: timed as the decoy is made, then averaged. */
  ms: number | undefined
}

/**
 * What makes failed logins cost the same whoever the user is: unknown users are checked against a
 * decoy of the slowest kind of stored hash, and failed checks of faster kinds are held back until
 * they have taken as long.
 */
export interface Decoy {
  /** Adds a kind the store holds (a no-op for a known one); its decoy is made when next needed. */
  note(kind: HashKind): void
  /** Records how long a check of `kind` took in a worker, so the estimates follow the machine. */
  record(kind: HashKind, ms: number): void
  /** Spends a check of the slowest known kind on `password`; always `false`. */
  check(password: string): Promise<false>
  /** After a failed check of `kind` that took `ms`, waits until it has taken what the slowest kind takes. */
  pad(kind: HashKind, ms: number): Promise<void>
}

/**
 * The decoy behind unknown users: one hash of a random password per kind of stored hash, each
 * timed in a worker as it is made and again at every check. A call that had to wait for the
 * slowest decoy to be made has spent that time already and checks, or waits, no further.
 */
export function createDecoy(pool: () => HashPool): Decoy {
  const candidates = new Map<string, Candidate>()

  const make = (candidate: Candidate) => {
    candidate.making ??= pool()
      .decoy(candidate.kind.spec)
      .then(
        (made) => {
          candidate.hash = made.hash
          candidate.ms ??= made.ms
        },
        (error: unknown) => {
          candidate.making = undefined
          throw error
        },
      )
    return candidate.making
  }

  // Every decoy not made yet is made now; answers those this call waited for.
  const ready = async () => {
    const waited = [...candidates.values()].filter((candidate) => candidate.hash === undefined)
    await Promise.all(waited.map(make))
    return waited
  }

  const slowest = () => {
    let best: Candidate | undefined
    for (const candidate of candidates.values())
      if (candidate.ms !== undefined && (best?.ms === undefined || candidate.ms > best.ms))
        best = candidate
    return best
  }

  const record = (kind: HashKind, ms: number) => {
    const candidate = candidates.get(kind.key)
    if (candidate === undefined) return
    candidate.ms = candidate.ms === undefined ? ms : candidate.ms + (ms - candidate.ms) / 8
  }

  return {
    note(kind) {
      if (!candidates.has(kind.key))
        candidates.set(kind.key, { kind, hash: undefined, making: undefined, ms: undefined })
    },
    record,
    async check(password) {
      const waited = await ready()
      const target = slowest()
      if (target?.hash === undefined || waited.includes(target)) return false
      const { ms } = await pool().check(target.kind.algorithm, target.hash, password)
      record(target.kind, ms)
      return false
    },
    async pad(kind, ms) {
      const waited = await ready()
      const target = slowest()
      if (target?.ms === undefined || target.kind.key === kind.key || waited.includes(target))
        return
      const wait = target.ms - ms
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
    },
  }
}
