import { nodeBuffer, nodeCrypto } from './node.js'

/** Checks the signature of `header.payload` synchronously. */
export type SignatureCheck = (signingInput: string, signature: string) => boolean

/**
 * The synchronous HS* check on Node's `crypto` (no Web Crypto round trip), or `undefined` where the
 * runtime lacks it. Its input already passed the compact parser, so it only has to compare MACs: the
 * signature is canonical base64url, hence has one byte string, compared in constant time.
 */
export function createHMACCheck(algorithm: string, secret: Uint8Array): SignatureCheck | undefined {
  if (nodeCrypto === undefined || nodeBuffer === undefined) return undefined
  const { createHmac, timingSafeEqual } = nodeCrypto
  const Buffer = nodeBuffer
  const hash = `sha${algorithm.slice(2)}`
  const key = nodeCrypto.createSecretKey(secret)
  return (signingInput, signature) => {
    const expected = createHmac(hash, key).update(signingInput, 'latin1').digest()
    const actual = Buffer.from(signature, 'base64url')
    return actual.length === expected.length && timingSafeEqual(actual, expected)
  }
}

/**
 * HS* signing on Node's `crypto`, synchronously: `header.payload` as base64url JSON, then the MAC.
 * `undefined` where the runtime lacks `node:crypto` (jose then signs through Web Crypto).
 */
export function createHMACSigner(
  algorithm: string,
  secret: Uint8Array,
): ((header: object, payload: object) => string) | undefined {
  if (nodeCrypto === undefined || nodeBuffer === undefined) return undefined
  const { createHmac } = nodeCrypto
  const Buffer = nodeBuffer
  const hash = `sha${algorithm.slice(2)}`
  const key = nodeCrypto.createSecretKey(secret)
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return (header, payload) => {
    const signingInput = `${encode(header)}.${encode(payload)}`
    const signature = createHmac(hash, key).update(signingInput, 'latin1').digest('base64url')
    return `${signingInput}.${signature}`
  }
}
