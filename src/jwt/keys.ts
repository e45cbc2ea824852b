import type { KeyObject as NodeKeyObject } from 'node:crypto'
import type { CryptoKey, JWK, KeyObject } from 'jose'
import { nodeBuffer, nodeCrypto } from './node.js'
import type { JWTAlgorithm, JWTKey, ResolvedOptions } from './options.js'

/** What jose accepts as a signing or verification key. */
export type PreparedKey = CryptoKey | KeyObject | Uint8Array

/** The keys of a codec, imported once. `undefined` when the codec cannot do that operation. */
export interface PreparedKeys {
  signKey: Promise<PreparedKey> | undefined
  verifyKey: Promise<PreparedKey> | undefined
}

type KeyKind = 'private' | 'public'

interface KeyShape {
  cryptoKey(algorithm: Record<string, unknown>): boolean
  keyObject(key: NodeKeyObject): boolean
  jwk(jwk: JWK): boolean
}

const SHAPES: Record<'EdDSA' | 'ES256' | 'RS256', KeyShape> = {
  EdDSA: {
    cryptoKey: (a) => a.name === 'Ed25519',
    keyObject: (k) => k.asymmetricKeyType === 'ed25519',
    jwk: (j) => j.kty === 'OKP' && j.crv === 'Ed25519',
  },
  ES256: {
    cryptoKey: (a) => a.name === 'ECDSA' && a.namedCurve === 'P-256',
    keyObject: (k) =>
      k.asymmetricKeyType === 'ec' && k.asymmetricKeyDetails?.namedCurve === 'prime256v1',
    jwk: (j) => j.kty === 'EC' && j.crv === 'P-256',
  },
  RS256: {
    cryptoKey: (a) =>
      a.name === 'RSASSA-PKCS1-v1_5' &&
      (a.hash as { name?: unknown } | undefined)?.name === 'SHA-256' &&
      Number(a.modulusLength) >= 2048,
    keyObject: (k) =>
      k.asymmetricKeyType === 'rsa' && Number(k.asymmetricKeyDetails?.modulusLength) >= 2048,
    jwk: (j) => j.kty === 'RSA',
  },
}

/**
 * Checks the keys against the algorithm (synchronously, so misuse throws at construction) and starts
 * importing them once. Import failures surface when the key is first used, never as an unhandled
 * rejection.
 */
export function prepareKeys(options: ResolvedOptions): PreparedKeys {
  const { algorithm, secret } = options
  if (secret !== undefined) {
    const key = handled(
      crypto.subtle.importKey(
        'raw',
        secret,
        { name: 'HMAC', hash: `SHA-${algorithm.slice(2)}` },
        false,
        ['sign', 'verify'],
      ),
    )
    return { signKey: key, verifyKey: key }
  }
  const keys = {
    signKey: prepareAsymmetric(algorithm, options.privateKey, 'private'),
    verifyKey: prepareAsymmetric(algorithm, options.publicKey, 'public'),
  }
  if (options.privateKey !== undefined && options.publicKey !== undefined)
    checkPair(options.privateKey, options.publicKey)
  return keys
}

// The members that make a JWK's public key, per key type (RFC 7518 §6, RFC 8037 §2).
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
}

/**
 * A private key and a public key that do not belong together sign tokens nothing verifies, so
 * every token would be a 401: refused at construction. Compared by their public members; where
 * the runtime cannot read them synchronously (no `node:crypto`), left to the first token.
 */
function checkPair(privateKey: JWTKey, publicKey: JWTKey): void {
  const mine = publicMembers(privateKey)
  const theirs = publicMembers(publicKey)
  if (mine === undefined || theirs === undefined) return
  if (mine !== theirs)
    throw new TypeError(
      'createJWTCodec: "privateKey" and "publicKey" are not one key pair: no token it signs would verify',
    )
}

function publicMembers(key: JWTKey): string | undefined {
  let jwk: JWK
  try {
    const tag = (key as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag]
    if (tag === 'CryptoKey' || tag === 'KeyObject') {
      if (nodeCrypto === undefined) return undefined
      const object =
        tag === 'CryptoKey'
          ? nodeCrypto.KeyObject.from(key as CryptoKey)
          : (key as unknown as NodeKeyObject)
      const publicKey = object.type === 'public' ? object : nodeCrypto.createPublicKey(object)
      jwk = publicKey.export({ format: 'jwk' }) as JWK
    } else jwk = key as JWK
  } catch {
    return undefined
  }
  const members = PUBLIC_MEMBERS[String(jwk.kty)]
  if (members === undefined || nodeBuffer === undefined) return undefined
  const bytes = nodeBuffer
  // By value, not spelling: an RSA `n` may carry a leading zero byte, `e` be `AAEAAQ`.
  return JSON.stringify(
    members.map((name) => {
      const value = (jwk as Record<string, unknown>)[name]
      if (name === 'crv' || typeof value !== 'string') return value
      return bytes
        .from(value, 'base64url')
        .toString('hex')
        .replace(/^(00)+/, '')
    }),
  )
}

function prepareAsymmetric(
  algorithm: JWTAlgorithm,
  key: JWTKey | undefined,
  kind: KeyKind,
): Promise<PreparedKey> | undefined {
  if (key === undefined) return undefined
  const option = `${kind}Key`
  const shape = SHAPES[algorithm as keyof typeof SHAPES]
  const tag = (key as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag]
  if (tag === 'CryptoKey' || tag === 'KeyObject') {
    const keyLike = key as CryptoKey | KeyObject
    if (keyLike.type !== kind) {
      throw new TypeError(`createJWTCodec: "${option}" must be a ${kind} key`)
    }
    const fits =
      tag === 'CryptoKey'
        ? shape.cryptoKey((keyLike as CryptoKey).algorithm as unknown as Record<string, unknown>)
        : shape.keyObject(keyLike as unknown as NodeKeyObject)
    if (!fits) throw new TypeError(`createJWTCodec: "${option}" is not a ${algorithm} key`)
    return Promise.resolve(keyLike)
  }
  if (typeof key !== 'object' || key === null) {
    throw new TypeError(`createJWTCodec: "${option}" must be a CryptoKey, KeyObject or JWK`)
  }
  const jwk = key as JWK
  if (!shape.jwk(jwk)) throw new TypeError(`createJWTCodec: "${option}" is not a ${algorithm} key`)
  if ((jwk.d !== undefined) !== (kind === 'private')) {
    throw new TypeError(`createJWTCodec: "${option}" must be a ${kind} JWK`)
  }
  // jose is loaded when a key needs it, not with the package: an HS256 app never loads it.
  return handled(
    import('jose').then(({ importJWK }) => importJWK(jwk, algorithm) as Promise<CryptoKey>),
  )
}

function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {})
  return promise
}
