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

/** Checks a password against a stored hash of a known kind, in the pool. */
export function verifyKind(pool: HashPool, kind: HashKind, hash: string, password: string) {
  return kind.algorithm === 'bcrypt'
    ? pool.compare(password, hash)
    : pool.argon2Verify(hash, password)
}

interface Candidate {
  readonly kind: HashKind
  made: Promise<{ hash: string; ms: number }> | undefined
  ms: number | undefined
}

/** Spends on a password what the costliest kind of stored hash would, and learns kinds as it goes. */
export interface Decoy {
  /** Adds a kind the store holds (a no-op for a known one); its decoy is made when next needed. */
  note(kind: HashKind): void
  /** Spends a verification of the costliest known kind on `password`; always `false`. */
  check(password: string): Promise<false>
}

/**
 * The decoy behind unknown users: one hash of a random password per kind of stored hash, each
 * timed once in a worker as it is made; a check verifies against the slowest. A call that had to
 * wait for the slowest decoy to be made has spent that time already and checks nothing more.
 */
export function createDecoy(pool: () => HashPool): Decoy {
  const candidates = new Map<string, Candidate>()

  const make = (candidate: Candidate) => {
    candidate.made ??= pool()
      .decoy(candidate.kind.spec)
      .then(
        (made) => {
          candidate.ms = made.ms
          return made
        },
        (error: unknown) => {
          candidate.made = undefined
          throw error
        },
      )
    return candidate.made
  }

  const slowest = () => {
    let best: Candidate | undefined
    for (const candidate of candidates.values())
      if (candidate.ms !== undefined && (best?.ms === undefined || candidate.ms > best.ms))
        best = candidate
    return best
  }

  return {
    note(kind) {
      if (!candidates.has(kind.key))
        candidates.set(kind.key, { kind, made: undefined, ms: undefined })
    },
    async check(password) {
      const waited = [...candidates.values()].filter((candidate) => candidate.ms === undefined)
      await Promise.all(waited.map(make))
      const target = slowest()
      if (target === undefined || waited.includes(target)) return false
      const { hash } = await make(target)
      await verifyKind(pool(), target.kind, hash, password)
      return false
    },
  }
}
