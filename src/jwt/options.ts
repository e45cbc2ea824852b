import type { CryptoKey, JWK, KeyObject } from 'jose'
import { refuseUnknownOptions } from '../core/declare/known-options.js'
import { MAX_CLOCK_TOLERANCE } from './verifier-options.js'

/** Signature algorithms a codec can be pinned to. */
export type JWTAlgorithm = 'HS256' | 'HS384' | 'HS512' | 'EdDSA' | 'ES256' | 'RS256'

/** An asymmetric key: a Web Crypto `CryptoKey`, a Node `KeyObject` or a JSON Web Key. */
export type JWTKey = CryptoKey | KeyObject | JWK

/** Options of {@link createJWTCodec}. */
export interface JWTCodecOptions {
  /** The one algorithm tokens are signed and accepted with. Defaults to `HS256`. */
  algorithm?: JWTAlgorithm | undefined
  /**
   * The shared secret of `HS*` algorithms: at least as many bytes as the hash has (32 for HS256,
   * 48 for HS384, 64 for HS512; RFC 7518 §3.2), random. A shorter one throws.
   */
  secret?: string | Uint8Array | undefined
  /** Private key that signs, for `EdDSA`, `ES256`, `RS256`. */
  privateKey?: JWTKey | undefined
  /** Public key that verifies, for `EdDSA`, `ES256`, `RS256`. Alone, it makes a verify-only codec. */
  publicKey?: JWTKey | undefined
  /** Key id written to the header; when set, tokens whose header has another (or no) `kid` fail. */
  kid?: string | undefined
  /** `iss` written on sign and required on verify. */
  issuer?: string | undefined
  /**
   * `aud` written on sign; on verify the token's `aud` must contain one of these. Without it, a
   * token carrying any `aud` is refused (RFC 7519 §4.1.3: it was minted for someone else).
   */
  audience?: string | readonly string[] | undefined
  /** A claim to read scopes from instead of `scopes` / `scope` (e.g. `scp`). */
  scopeClaim?: string | undefined
  /** Seconds of leeway for `exp`, `nbf` and a future `iat`. Defaults to 0. */
  clockTolerance?: number | undefined
  /** The current time in epoch seconds; defaults to the system clock. Freeze it in tests. */
  now?: (() => number) | undefined
  /**
   * How many verified tokens to remember (keyed by the whole token, expiring with it), so a client
   * reusing its token is not re-verified on every request. Defaults to 1000; 0 turns it off.
   */
  cacheSize?: number | undefined
}

const CODEC_OPTIONS = new Set([
  'algorithm',
  'secret',
  'privateKey',
  'publicKey',
  'kid',
  'issuer',
  'audience',
  'scopeClaim',
  'clockTolerance',
  'now',
  'cacheSize',
])

/** Options of `codec.sign`. */
export interface JWTSignOptions {
  /** Lifetime in seconds. Defaults to 1800 (30 minutes). */
  expiresIn?: number | undefined
}

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  algorithm: JWTAlgorithm
  secret: Uint8Array<ArrayBuffer> | undefined
  privateKey: JWTKey | undefined
  publicKey: JWTKey | undefined
  kid: string | undefined
  issuer: string | undefined
  audience: readonly string[] | undefined
  scopeClaim: string | undefined
  clockTolerance: number
  now: () => number
  cacheSize: number
}

const ALGORITHMS: readonly string[] = ['HS256', 'HS384', 'HS512', 'EdDSA', 'ES256', 'RS256']

const systemClock = () => Date.now() / 1000

/** Checks codec options once, throwing a `TypeError` that names the faulty option. */
export function resolveOptions(options: JWTCodecOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createJWTCodec: options must be an object')
  }
  // `algorith: 'RS256'` would give an HS256 codec, `audiance` one that checks no audience.
  refuseUnknownOptions('createJWTCodec', options, CODEC_OPTIONS)
  const algorithm = options.algorithm ?? 'HS256'
  if (!ALGORITHMS.includes(algorithm)) {
    throw new TypeError(`createJWTCodec: "algorithm" must be one of ${ALGORITHMS.join(', ')}`)
  }
  const symmetric = algorithm.startsWith('HS')
  let secret: Uint8Array<ArrayBuffer> | undefined
  if (symmetric) {
    secret = toSecret(options.secret)
    // RFC 7518 §3.2: "A key of the same size as the hash output ... or larger MUST be used".
    const needed = Number(algorithm.slice(2)) / 8
    if (secret.length < needed)
      throw new TypeError(
        `createJWTCodec: "secret" must be at least ${needed} bytes for ${algorithm} (RFC 7518 §3.2); e.g. \`openssl rand -hex 32\``,
      )
    if (options.privateKey !== undefined || options.publicKey !== undefined) {
      throw new TypeError(`createJWTCodec: "privateKey"/"publicKey" do not apply to ${algorithm}`)
    }
  } else {
    if (options.secret !== undefined) {
      throw new TypeError(`createJWTCodec: "secret" does not apply to ${algorithm}`)
    }
    if (options.privateKey === undefined && options.publicKey === undefined) {
      throw new TypeError(`createJWTCodec: ${algorithm} requires "privateKey" and/or "publicKey"`)
    }
  }
  const audience = options.audience
  const audiences = typeof audience === 'string' ? [audience] : audience
  if (audiences !== undefined && (!Array.isArray(audiences) || !audiences.every(isNonEmpty))) {
    throw new TypeError('createJWTCodec: "audience" must be a non-empty string or array of them')
  }
  if (audiences?.length === 0) {
    throw new TypeError('createJWTCodec: "audience" must not be an empty array')
  }
  const tolerance = options.clockTolerance ?? 0
  if (
    typeof tolerance !== 'number' ||
    !Number.isFinite(tolerance) ||
    tolerance < 0 ||
    tolerance > MAX_CLOCK_TOLERANCE
  ) {
    throw new TypeError(
      `createJWTCodec: "clockTolerance" must be a number of seconds from 0 to ${MAX_CLOCK_TOLERANCE}`,
    )
  }
  const now = options.now ?? systemClock
  if (typeof now !== 'function') throw new TypeError('createJWTCodec: "now" must be a function')
  return {
    algorithm,
    secret,
    privateKey: options.privateKey,
    publicKey: options.publicKey,
    kid: optionalString(options.kid, 'kid'),
    issuer: optionalString(options.issuer, 'issuer'),
    audience: audiences === undefined ? undefined : [...audiences],
    scopeClaim: optionalString(options.scopeClaim, 'scopeClaim'),
    clockTolerance: tolerance,
    cacheSize: cacheSizeOf(options.cacheSize),
    now,
  }
}

function toSecret(secret: unknown): Uint8Array<ArrayBuffer> {
  const bytes =
    typeof secret === 'string'
      ? new TextEncoder().encode(secret)
      : secret instanceof Uint8Array
        ? new Uint8Array(secret)
        : undefined
  if (bytes === undefined || bytes.length === 0) {
    throw new TypeError('createJWTCodec: "secret" must be a non-empty string or Uint8Array')
  }
  return bytes
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined
  if (!isNonEmpty(value))
    throw new TypeError(`createJWTCodec: "${name}" must be a non-empty string`)
  return value
}

function isNonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== ''
}

function cacheSizeOf(value: number | undefined): number {
  if (value === undefined) return 1000
  if (!Number.isSafeInteger(value) || value < 0)
    throw new TypeError('createJWTCodec: "cacheSize" must be an integer ≥ 0')
  return value
}
