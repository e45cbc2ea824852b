import type { JWTPayload } from 'jose'
import { InvalidTokenError } from '../core/errors/index.js'
import { type ClaimRules, type VerifiedToken, validateClaims } from './claims.js'
import { createCompactParser } from './compact.js'
import { createHMACCheck, createHMACSigner } from './hmac.js'
import { type PreparedKey, prepareKeys } from './keys.js'
import { type JWTCodecOptions, type JWTSignOptions, resolveOptions } from './options.js'
import { VerifiedTokenCache } from './verified-cache.js'

/** Signs and verifies access tokens with one pinned algorithm and key set. */
export interface JWTCodec {
  /**
   * Signs `claims` (which must carry `sub`). A given `exp`, `iat` or `nbf` is kept (as PyJWT and
   * FastAPI's tutorial expect); without one, `iat` is now and `exp` is now plus `expiresIn`. `iss`
   * and `aud` are the codec's when configured.
   */
  sign(claims: JWTPayload, options?: JWTSignOptions): Promise<string>
  /** Verifies a compact JWT and returns its subject and scopes, or throws `InvalidTokenError`. */
  verify(token: string): Promise<VerifiedToken>
  /** {@link JWTCodec.verify}, synchronously for HS* tokens on Node and for cached tokens. */
  verifyNow(token: string): VerifiedToken | Promise<VerifiedToken>
}

const DEFAULT_EXPIRES_IN = 30 * 60

/**
 * Creates a codec for access tokens: keys are checked and imported once, the algorithm is pinned
 * (a token with another `alg`, `none` included, is refused), `exp` and a non-empty `sub` are
 * required, and scopes are read from `scopeClaim`, a `scopes` array or an RFC 9068 `scope` string.
 *
 * @example
 * ```ts
 * const codec = createJWTCodec({ secret: process.env.JWT_SECRET!, issuer: 'https://auth.example' })
 * const token = await codec.sign({ sub: 'johndoe', scopes: ['me', 'items'] })
 * const { subject, scopes } = await codec.verify(token)
 * ```
 */
export function createJWTCodec(options: JWTCodecOptions): JWTCodec {
  return buildJWTCodec(options, true)
}

/** {@link createJWTCodec} with the Node HMAC fast path switchable, so tests can compare both paths. */
export function buildJWTCodec(options: JWTCodecOptions, fastPath: boolean): JWTCodec {
  const resolved = resolveOptions(options)
  const { algorithm, kid, issuer, audience, now } = resolved
  const { signKey, verifyKey } = prepareKeys(resolved)
  const hmacCheck =
    fastPath && resolved.secret !== undefined
      ? createHMACCheck(algorithm, resolved.secret)
      : undefined
  const hmacSign =
    fastPath && resolved.secret !== undefined
      ? createHMACSigner(algorithm, resolved.secret)
      : undefined
  const rules: ClaimRules = {
    issuer,
    audience,
    scopes: resolved.scopeClaim === undefined ? undefined : [resolved.scopeClaim],
    clockTolerance: resolved.clockTolerance,
  }
  const header =
    kid === undefined ? { alg: algorithm, typ: 'JWT' } : { alg: algorithm, typ: 'JWT', kid }
  const clock = () => {
    const seconds = Math.floor(now())
    // A broken clock must not make every `exp` look fine (NaN compares false).
    if (!Number.isFinite(seconds)) throw new TypeError('createJWTCodec: "now" must return seconds')
    return seconds
  }
  const parse = createCompactParser({ algorithms: [algorithm], kid })
  const cache = new VerifiedTokenCache(resolved.cacheSize, resolved.clockTolerance)
  const aud =
    audience === undefined ? undefined : audience.length === 1 ? audience[0] : [...audience]

  return {
    async sign(claims, signOptions = {}) {
      if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
        throw new TypeError('sign: claims must be an object')
      }
      if (typeof signOptions !== 'object' || signOptions === null)
        throw new TypeError('sign: the second argument is an options object: { expiresIn }')
      for (const key of Object.keys(signOptions))
        if (key !== 'expiresIn')
          throw new TypeError(`sign: unknown option \`${key}\` (known: expiresIn)`)
      if (typeof claims.sub !== 'string' || claims.sub === '') {
        throw new TypeError('sign: claims.sub must be a non-empty string')
      }
      for (const claim of TIME_CLAIMS) checkTime(claims, claim)
      // Two lifetimes for one token is a caller's mistake: neither silently wins.
      if (claims.exp !== undefined && signOptions.expiresIn !== undefined) {
        throw new TypeError('sign: give claims.exp or "expiresIn", not both')
      }
      const expiresIn = signOptions.expiresIn ?? DEFAULT_EXPIRES_IN
      if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
        throw new TypeError('sign: "expiresIn" must be a positive number of seconds')
      }
      if (signKey === undefined) throw new TypeError('sign: this codec has no "privateKey"')
      const issuedAt = clock()
      const payload: JWTPayload = {
        ...claims,
        iat: claims.iat ?? issuedAt,
        exp: claims.exp ?? issuedAt + expiresIn,
      }
      if (issuer !== undefined) payload.iss = issuer
      if (aud !== undefined) payload.aud = aud
      // HS* on Node: signed here with node:crypto, synchronously; anything else through jose.
      if (hmacSign !== undefined) return hmacSign(header, payload)
      const [{ SignJWT }, key] = await Promise.all([import('jose'), signKey])
      return new SignJWT(payload).setProtectedHeader(header).sign(key)
    },

    async verify(token) {
      return verifyNow(token)
    },

    verifyNow,
  }

  function verifyNow(token: string): VerifiedToken | Promise<VerifiedToken> {
    if (typeof token === 'string') {
      const cached = cache.get(token, clock())
      if (cached !== undefined) return cached
    }
    const parts = parse(token)
    if (hmacCheck !== undefined) {
      if (!hmacCheck(parts.signingInput, parts.signature))
        throw new InvalidTokenError('token_signature_invalid')
      return cache.set(token, validateClaims(parts.payload, rules, clock()))
    }
    if (verifyKey === undefined) throw new TypeError('verify: this codec has no "publicKey"')
    return verifyKey
      .then((key) => verifySignature(token, key, algorithm))
      .then(() => cache.set(token, validateClaims(parts.payload, rules, clock())))
  }
}

const TIME_CLAIMS = ['exp', 'iat', 'nbf'] as const

/** A time claim the caller gives must be a finite number of seconds: `verify` would refuse anything else. */
function checkTime(claims: JWTPayload, claim: (typeof TIME_CLAIMS)[number]): void {
  const value = claims[claim]
  if (value === undefined) return
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`sign: claims.${claim} must be a finite number of epoch seconds`)
  }
}

async function verifySignature(token: string, key: PreparedKey, algorithm: string) {
  const { compactVerify } = await import('jose')
  try {
    await compactVerify(token, key, { algorithms: [algorithm] })
  } catch (error) {
    // jose's own messages are not forwarded; key misuse (a TypeError) is a set-up error, not the token's.
    if (error instanceof TypeError) throw error
    const code = (error as { code?: unknown }).code
    if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
      throw new InvalidTokenError('token_signature_invalid')
    }
    if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') throw new InvalidTokenError('token_algorithm_invalid')
    throw new InvalidTokenError('token_malformed')
  }
}
