import {
  createHmac,
  createPrivateKey,
  createSecretKey,
  generateKeyPair,
  type KeyObject,
  sign,
} from 'node:crypto'
import { promisify } from 'node:util'
import { calculateJwkThumbprint, type JWK } from 'jose'
import type { KeyRecord } from '../store/records.js'
import { randomSecret } from './secret-hasher.js'

/** The algorithms access tokens can be signed with. EdDSA (Ed25519) is the default. */
export type SigningAlgorithm = 'EdDSA' | 'ES256' | 'RS256' | 'HS256'

export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['EdDSA', 'ES256', 'RS256', 'HS256']

const generate = promisify(generateKeyPair)

/**
 * A new signing key of `algorithm`, as stored: private and public JWKs, `kid` the RFC 7638
 * thumbprint of the public key (random for HS256, whose key is never published).
 */
export async function generateSigningKey(
  algorithm: SigningAlgorithm,
  now: number,
): Promise<KeyRecord> {
  if (algorithm === 'HS256') {
    const jwk = { kty: 'oct', k: randomSecret() }
    return record(`hs256-${randomSecret(12)}`, algorithm, jwk, null, now)
  }
  const pair =
    algorithm === 'EdDSA'
      ? await generate('ed25519')
      : algorithm === 'ES256'
        ? await generate('ec', { namedCurve: 'P-256' })
        : await generate('rsa', { modulusLength: 2048 })
  const publicJWK = pair.publicKey.export({ format: 'jwk' }) as JWK
  const kid = await calculateJwkThumbprint(publicJWK)
  const privateJWK = pair.privateKey.export({ format: 'jwk' }) as JWK
  return record(kid, algorithm, privateJWK, publicJWK, now)
}

function record(
  kid: string,
  algorithm: SigningAlgorithm,
  privateJWK: JWK,
  publicJWK: JWK | null,
  now: number,
): KeyRecord {
  const tag = { kid, alg: algorithm, use: 'sig' }
  return {
    kid,
    purpose: 'signing',
    algorithm,
    privateJWK: JSON.stringify({ ...privateJWK, ...tag }),
    publicJWK: publicJWK === null ? null : JSON.stringify({ ...publicJWK, ...tag }),
    createdAt: now,
    retiredAt: null,
    expiresAt: null,
  }
}

/** A key that signs: its id, algorithm and a synchronous signature over bytes. */
export interface Signer {
  readonly kid: string
  readonly algorithm: SigningAlgorithm
  sign(data: Buffer): Buffer
}

/**
 * A signer over a stored key, with `node:crypto` directly: a compact JWS is only a signature over
 * two base64url segments, and the synchronous primitives cost a few microseconds (Ed25519) where a
 * round trip through WebCrypto costs several times that.
 */
export function signerFor(key: Pick<KeyRecord, 'kid' | 'algorithm' | 'privateJWK'>): Signer {
  const algorithm = key.algorithm as SigningAlgorithm
  const jwk = JSON.parse(key.privateJWK) as JWK
  return { kid: key.kid, algorithm, sign: signatureFunction(algorithm, jwk) }
}

/** A signer for HS256 with a secret given in the options (not stored), its `kid` derived from it. */
export function hmacSigner(secret: Uint8Array): Signer {
  const kid = `hs256-${createHmac('sha256', secret).update('gatehouse kid').digest('base64url').slice(0, 16)}`
  const key = createSecretKey(secret)
  return {
    kid,
    algorithm: 'HS256',
    sign: (data) => createHmac('sha256', key).update(data).digest(),
  }
}

function signatureFunction(algorithm: SigningAlgorithm, jwk: JWK): (data: Buffer) => Buffer {
  if (algorithm === 'HS256') {
    const key = createSecretKey(Buffer.from(jwk.k ?? '', 'base64url'))
    return (data) => createHmac('sha256', key).update(data).digest()
  }
  const key: KeyObject = createPrivateKey({ key: jwk as never, format: 'jwk' })
  if (algorithm === 'EdDSA') return (data) => sign(null, data, key)
  if (algorithm === 'ES256')
    return (data) => sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
  if (algorithm === 'RS256') return (data) => sign('sha256', data, key)
  throw new TypeError(`Unsupported signing algorithm ${String(algorithm)}`)
}
