import type { KeyObject } from 'node:crypto'
import {
  ALGORITHMS,
  type AlgorithmSpec,
  type JWTVerifierAlgorithm,
  MIN_RSA_BITS,
} from './algorithms.js'
import { decodeBase64url } from './compact.js'
import { nodeBuffer, nodeCrypto } from './node.js'

/** One key of a key set, imported once, with the algorithms it may verify. */
export interface VerificationKey {
  readonly kid: string | undefined
  /**
   * Whether this key may verify `alg`: its `kty` (and `crv`) fit, and the JWK's own `alg`, `use` and
   * `key_ops`, when present, agree.
   */
  allows(alg: JWTVerifierAlgorithm): boolean
  /** Checks a signature the caller already parsed; `false` when it does not match. */
  verify(
    alg: JWTVerifierAlgorithm,
    signingInput: string,
    signature: string,
  ): boolean | Promise<boolean>
}

/** Which crypto checks signatures: `node:crypto` (synchronous where cheap) or Web Crypto. */
export type CryptoRuntime = 'node' | 'web'

/** The runtime's best: `node:crypto` where it exists. */
export const defaultRuntime: CryptoRuntime =
  nodeCrypto !== undefined && nodeBuffer !== undefined ? 'node' : 'web'

type JWKFields = Record<string, unknown>

/**
 * Imports one JWK for verification. Throws a `TypeError` saying what is wrong with it (never its
 * material): an unknown `kty`, missing members, private material, an RSA modulus under 2048 bits.
 */
export function importVerificationKey(input: unknown, runtime: CryptoRuntime): VerificationKey {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new TypeError('is not a JWK object')
  const jwk = input as JWKFields
  const { kty, kid } = jwk
  if (kid !== undefined && typeof kid !== 'string') throw new TypeError('has a non-string "kid"')
  const material = publicMaterial(jwk)
  const secret = kty === 'oct' ? decodeBase64url(material.k as string) : undefined
  const allows = (alg: JWTVerifierAlgorithm): boolean => {
    const spec = Object.hasOwn(ALGORITHMS, alg) ? ALGORITHMS[alg] : undefined
    if (spec === undefined || spec.kty !== kty) return false
    if (spec.crv !== undefined && spec.crv !== jwk.crv) return false
    if (jwk.alg !== undefined && jwk.alg !== alg) return false
    if (jwk.use !== undefined && jwk.use !== 'sig') return false
    const ops = jwk.key_ops
    if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) return false
    // RFC 7518 §3.2: an HMAC key is at least as long as the hash.
    return secret === undefined || secret.length * 8 >= Number(alg.slice(2))
  }
  const verify = runtime === 'node' ? nodeVerifier(material, secret) : webVerifier(material, secret)
  return { kid, allows, verify }
}

/** The members that make the public key (or the HMAC secret), checked; nothing else is kept. */
function publicMaterial(jwk: JWKFields): JWKFields {
  const strings = (...names: string[]) => {
    for (const name of names)
      if (typeof jwk[name] !== 'string' || jwk[name] === '')
        throw new TypeError(`has no "${name}" member`)
    return Object.fromEntries([['kty', jwk.kty], ...names.map((name) => [name, jwk[name]])])
  }
  if (jwk.kty !== 'oct' && jwk.d !== undefined)
    throw new TypeError('holds private key material ("d"): publish only public keys')
  switch (jwk.kty) {
    case 'RSA': {
      const material = strings('n', 'e')
      if (modulusBits(material.n as string) < MIN_RSA_BITS)
        throw new TypeError(`has an RSA modulus under ${MIN_RSA_BITS} bits`)
      return material
    }
    case 'EC':
      if (jwk.crv !== 'P-256' && jwk.crv !== 'P-384' && jwk.crv !== 'P-521')
        throw new TypeError('has an unsupported "crv"')
      return strings('crv', 'x', 'y')
    case 'OKP':
      if (jwk.crv !== 'Ed25519') throw new TypeError('has an unsupported "crv"')
      return strings('crv', 'x')
    case 'oct':
      return strings('k')
    default:
      throw new TypeError('has an unsupported "kty"')
  }
}

function modulusBits(n: string): number {
  const bytes = decodeBase64url(n)
  let start = 0
  while (start < bytes.length && bytes[start] === 0) start++
  if (start === bytes.length) return 0
  return (bytes.length - start) * 8 - Math.clz32(bytes[start] as number) + 24
}

type Verify = VerificationKey['verify']

function nodeVerifier(material: JWKFields, secret: Uint8Array | undefined): Verify {
  const crypto = nodeCrypto as NonNullable<typeof nodeCrypto>
  const Buffer = nodeBuffer as NonNullable<typeof nodeBuffer>
  let key: KeyObject
  try {
    key =
      secret === undefined
        ? crypto.createPublicKey({ key: material as never, format: 'jwk' })
        : crypto.createSecretKey(secret)
  } catch {
    throw new TypeError('could not be imported')
  }
  const rsaBits = key.asymmetricKeyDetails?.modulusLength
  if (rsaBits !== undefined && rsaBits < MIN_RSA_BITS)
    throw new TypeError(`has an RSA modulus under ${MIN_RSA_BITS} bits`)
  const pss = { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: -1 }
  const ecdsa = { key, dsaEncoding: 'ieee-p1363' as const }
  return (alg, signingInput, signature) => {
    const spec = ALGORITHMS[alg]
    const actual = Buffer.from(signature, 'base64url')
    if (spec.signatureBytes !== undefined && actual.length !== spec.signatureBytes) return false
    if (spec.kty === 'oct') {
      const expected = crypto
        .createHmac(spec.hash as string, key)
        .update(signingInput, 'latin1')
        .digest()
      return crypto.timingSafeEqual(actual, expected)
    }
    const data = Buffer.from(signingInput, 'latin1')
    // RSA_PSS_SALTLEN_DIGEST (-1): the salt is as long as the hash (RFC 7518 §3.5).
    const keyInput = spec.kty === 'EC' ? ecdsa : alg.startsWith('PS') ? pss : key
    if (!spec.sync)
      return new Promise<boolean>((resolve) =>
        crypto.verify(spec.hash, data, keyInput, actual, (error, valid) =>
          resolve(error === null && valid),
        ),
      )
    try {
      return crypto.verify(spec.hash, data, keyInput, actual)
    } catch {
      return false
    }
  }
}

function webVerifier(material: JWKFields, secret: Uint8Array | undefined): Verify {
  const imported = new Map<JWTVerifierAlgorithm, Promise<CryptoKey | undefined>>()
  const importFor = (alg: JWTVerifierAlgorithm, spec: AlgorithmSpec) => {
    let key = imported.get(alg)
    if (key === undefined) {
      const format = secret === undefined ? 'jwk' : 'raw'
      const data = secret === undefined ? (material as JsonWebKey) : new Uint8Array(secret)
      key = crypto.subtle
        .importKey(format as 'jwk', data as JsonWebKey, spec.webImport as never, false, ['verify'])
        .catch(() => undefined)
      imported.set(alg, key)
    }
    return key
  }
  return async (alg, signingInput, signature) => {
    const spec = ALGORITHMS[alg]
    const bytes = new Uint8Array(decodeBase64url(signature))
    if (spec.signatureBytes !== undefined && bytes.length !== spec.signatureBytes) return false
    const key = await importFor(alg, spec)
    if (key === undefined) return false
    try {
      const data = new TextEncoder().encode(signingInput)
      return await crypto.subtle.verify(spec.webVerify as never, key, bytes, data)
    } catch {
      return false
    }
  }
}
