/** JWS algorithms a verifier can allow (RFC 7518 §3, RFC 8037 for EdDSA with Ed25519). */
export type JWTVerifierAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'HS256'
  | 'HS384'
  | 'HS512'

/** What one algorithm needs from a key and how it is checked. */
export interface AlgorithmSpec {
  /** The JWK `kty` (and `crv`) the key must have. */
  readonly kty: 'RSA' | 'EC' | 'OKP' | 'oct'
  readonly crv?: 'P-256' | 'P-384' | 'P-521' | 'Ed25519'
  /** `node:crypto` digest name; `null` for EdDSA, which hashes internally. */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null
  /** The exact signature length in bytes, where the algorithm fixes it. */
  readonly signatureBytes?: number
  /**
   * Whether the check runs synchronously on the event loop. It does where it costs tens of
   * microseconds (RSA, P-256, Ed25519, HMAC); P-384 and P-521 take up to a millisecond and run on
   * libuv's thread pool instead.
   */
  readonly sync: boolean
  /** Web Crypto parameters, for runtimes without `node:crypto`. */
  readonly webImport: Record<string, unknown>
  readonly webVerify: Record<string, unknown>
}

const rsa = (bits: 256 | 384 | 512): AlgorithmSpec => ({
  kty: 'RSA',
  hash: `sha${bits}`,
  sync: true,
  webImport: { name: 'RSASSA-PKCS1-v1_5', hash: `SHA-${bits}` },
  webVerify: { name: 'RSASSA-PKCS1-v1_5' },
})

const pss = (bits: 256 | 384 | 512): AlgorithmSpec => ({
  kty: 'RSA',
  hash: `sha${bits}`,
  sync: true,
  webImport: { name: 'RSA-PSS', hash: `SHA-${bits}` },
  // RFC 7518 §3.5: the salt is as long as the hash.
  webVerify: { name: 'RSA-PSS', saltLength: bits / 8 },
})

const ec = (
  bits: 256 | 384 | 512,
  crv: 'P-256' | 'P-384' | 'P-521',
  signatureBytes: number,
): AlgorithmSpec => ({
  kty: 'EC',
  crv,
  hash: `sha${bits}`,
  signatureBytes,
  sync: bits === 256,
  webImport: { name: 'ECDSA', namedCurve: crv },
  webVerify: { name: 'ECDSA', hash: `SHA-${bits}` },
})

const hmac = (bits: 256 | 384 | 512): AlgorithmSpec => ({
  kty: 'oct',
  hash: `sha${bits}`,
  signatureBytes: bits / 8,
  sync: true,
  webImport: { name: 'HMAC', hash: `SHA-${bits}` },
  webVerify: { name: 'HMAC' },
})

/** Every algorithm a verifier knows, and what it needs. */
export const ALGORITHMS: Readonly<Record<JWTVerifierAlgorithm, AlgorithmSpec>> = Object.freeze({
  RS256: rsa(256),
  RS384: rsa(384),
  RS512: rsa(512),
  PS256: pss(256),
  PS384: pss(384),
  PS512: pss(512),
  ES256: ec(256, 'P-256', 64),
  ES384: ec(384, 'P-384', 96),
  ES512: ec(512, 'P-521', 132),
  EdDSA: {
    kty: 'OKP',
    crv: 'Ed25519',
    hash: null,
    signatureBytes: 64,
    sync: true,
    webImport: { name: 'Ed25519' },
    webVerify: { name: 'Ed25519' },
  },
  HS256: hmac(256),
  HS384: hmac(384),
  HS512: hmac(512),
})

/** The asymmetric algorithms: what a verifier allows unless told otherwise. */
export const ASYMMETRIC_ALGORITHMS: readonly JWTVerifierAlgorithm[] = Object.freeze(
  (Object.keys(ALGORITHMS) as JWTVerifierAlgorithm[]).filter((alg) => !alg.startsWith('HS')),
)

/** Whether `name` is an algorithm a verifier knows. */
export function isVerifierAlgorithm(name: unknown): name is JWTVerifierAlgorithm {
  return typeof name === 'string' && Object.hasOwn(ALGORITHMS, name)
}

/** Smallest accepted RSA modulus (RFC 7518 §3.3 and §3.5). */
export const MIN_RSA_BITS = 2048
