/** Argon2id cost parameters. */
export interface Argon2Parameters {
  /** Memory in KiB. */
  memoryCost: number
  /** Passes over memory. */
  timeCost: number
  /** Lanes. */
  parallelism: number
}

/** OWASP's first Argon2id configuration: 19 MiB, 2 passes, 1 lane. */
export const DEFAULT_ARGON2: Argon2Parameters = { memoryCost: 19_456, timeCost: 2, parallelism: 1 }

/** `Algorithm.Argon2id` and `Version.V0x13` of `@node-rs/argon2` (ambient const enums). */
export const ARGON2ID = 2
/** `Version.V0x13`, and the output length, of the hashes this package makes. */
export const VERSION_13 = 1
export const OUTPUT_LENGTH = 32
const MIN_SALT_LENGTH = 16

// Costs a stored hash may ask for before it counts as malformed: a row saying m=4 TiB would
// otherwise make verification allocate until the process is killed.
const MAX_MEMORY_COST = 1_048_576
const MAX_TIME_COST = 64

const ARGON2 = /^\$argon2(?:id|i|d)\$/

/** Tells whether a stored hash claims to be an Argon2 PHC string. */
export function isArgon2Hash(hash: string): boolean {
  return ARGON2.test(hash)
}

/**
 * Reads an Argon2 hash's parameters; `undefined` when it does not parse or asks for more memory or
 * passes than verification should ever spend (the larger of 1 GiB / 64 passes and the configured cost).
 */
export function readArgon2(hash: string, configured: Argon2Parameters) {
  const parsed = parsePHC(hash)
  if (parsed === undefined) return undefined
  if (parsed.memoryCost > Math.max(MAX_MEMORY_COST, configured.memoryCost)) return undefined
  if (parsed.timeCost > Math.max(MAX_TIME_COST, configured.timeCost)) return undefined
  return parsed
}

/** An Argon2 PHC string's parameters, as `@node-rs/argon2`'s `parseOptions` gives them. */
export interface ParsedArgon2 {
  /** 0 argon2d, 1 argon2i, 2 argon2id. */
  algorithm: number
  /** 0 for v=16 (or none), 1 for v=19. */
  version: number
  memoryCost: number
  timeCost: number
  parallelism: number
  outputLen: number
  saltLen: number
}

const PHC =
  /^\$argon2(id|i|d)(?:\$v=(\d{1,3}))?\$m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/
const ALGORITHMS: Record<string, number> = { d: 0, i: 1, id: 2 }

/**
 * Reads an Argon2 PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) here, in JavaScript:
 * deciding whether a hash needs an upgrade must not load the native Argon2 code on the main thread
 * (only the hashing workers load it). `undefined` for anything else.
 */
export function parsePHC(hash: string): ParsedArgon2 | undefined {
  const match = PHC.exec(hash)
  if (match === null) return undefined
  const [, kind = '', version, m, t, p, salt = '', output = ''] = match
  const bytes = (b64: string) =>
    b64.length % 4 === 1 ? Number.NaN : Math.floor((b64.length * 3) / 4)
  const parsed: ParsedArgon2 = {
    algorithm: ALGORITHMS[kind] ?? -1,
    version: version === undefined || version === '16' ? 0 : version === '19' ? 1 : -1,
    memoryCost: Number(m),
    timeCost: Number(t),
    parallelism: Number(p),
    outputLen: bytes(output),
    saltLen: bytes(salt),
  }
  if (parsed.version < 0 || Number.isNaN(parsed.outputLen) || Number.isNaN(parsed.saltLen))
    return undefined
  return parsed
}

/** Tells whether a parseable Argon2 hash was made with other parameters than the configured ones. */
export function argon2Outdated(hash: string, configured: Argon2Parameters): boolean {
  const parsed = readArgon2(hash, configured)
  return (
    parsed === undefined ||
    (parsed.algorithm as number) !== ARGON2ID ||
    (parsed.version as number) !== VERSION_13 ||
    parsed.memoryCost !== configured.memoryCost ||
    parsed.timeCost !== configured.timeCost ||
    parsed.parallelism !== configured.parallelism ||
    parsed.outputLen !== OUTPUT_LENGTH ||
    parsed.saltLen < MIN_SALT_LENGTH
  )
}

/** Checks Argon2 options once, throwing a `TypeError` that names the faulty option. */
export function resolveArgon2(options: Partial<Argon2Parameters>): Argon2Parameters {
  const parameters = { ...DEFAULT_ARGON2 }
  for (const name of ['memoryCost', 'timeCost', 'parallelism'] as const) {
    const value = options[name]
    if (value === undefined) continue
    if (!Number.isInteger(value) || value < 1 || value > 2 ** 32 - 1) {
      throw new TypeError(`createPasswordHasher: "${name}" must be a positive integer`)
    }
    parameters[name] = value
  }
  if (parameters.parallelism > 255) {
    throw new TypeError('createPasswordHasher: "parallelism" must be at most 255')
  }
  if (parameters.memoryCost < 8 * parameters.parallelism) {
    throw new TypeError('createPasswordHasher: "memoryCost" must be at least 8 KiB per lane')
  }
  return parameters
}
