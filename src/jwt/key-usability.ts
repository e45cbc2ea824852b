import { ALGORITHMS, isVerifierAlgorithm, type JWTVerifierAlgorithm } from './algorithms.js'
import { nodeBuffer, nodeCrypto } from './node.js'

type JWKFields = Record<string, unknown>

/**
 * Why a JWK given in code cannot verify any token this verifier accepts, or `undefined`. Checked
 * at set-up (after the key imported), so a typo in a key is a `TypeError` naming the member at
 * fault instead of a key silently never used. A fetched set is not held to this: an issuer may
 * publish encryption keys or keys for other algorithms, and the verifier just skips them.
 * Messages name members, never key material.
 */
export function keyProblem(
  jwk: JWKFields,
  algorithms: readonly JWTVerifierAlgorithm[],
): string | undefined {
  const { kty, use, alg } = jwk
  const ops = jwk.key_ops
  // RFC 7517 §4.2, §4.3: a key for signatures is "sig"; key_ops, when present, must allow verify.
  if (use !== undefined && use !== 'sig') return 'has "use" other than "sig": it cannot verify'
  if (ops !== undefined) {
    if (!Array.isArray(ops) || !ops.every((op) => typeof op === 'string'))
      return 'has "key_ops" that is not an array of strings'
    if (!ops.includes('verify')) return 'has "key_ops" without "verify"'
  }
  if (alg !== undefined) {
    if (!isVerifierAlgorithm(alg)) return 'has an unknown "alg"'
    const spec = ALGORITHMS[alg]
    if (spec.kty !== kty || (spec.crv !== undefined && spec.crv !== jwk.crv))
      return `has "alg" ${alg}, which does not fit its "kty"${jwk.crv === undefined ? '' : '/"crv"'}`
    if (!algorithms.includes(alg)) return `has "alg" ${alg}, which "algorithms" does not allow`
  }
  if (kty === 'oct') {
    const hmac = algorithms.filter((name) => ALGORITHMS[name].kty === 'oct')
    if (hmac.length === 0) return 'is an "oct" (HMAC) key, but "algorithms" allows no HS*'
    // RFC 7518 §3.2: the key is at least as long as the hash.
    const candidates = alg === undefined ? hmac : [alg as JWTVerifierAlgorithm]
    const needed = Math.min(...candidates.map((name) => Number(name.slice(2)) / 8))
    if (byteLength(jwk.k as string) < needed)
      return `is an HMAC key shorter than ${needed} bytes, the hash of ${candidates.join('/')} (RFC 7518 §3.2)`
    return undefined
  }
  return x5cProblem(jwk)
}

function byteLength(base64url: string): number {
  return Math.floor((base64url.replace(/=+$/, '').length * 3) / 4)
}

/**
 * RFC 7517 §4.7: the first certificate of `x5c` holds the JWK's key. The certificate is parsed
 * and compared where `node:crypto` exists; elsewhere only its shape is checked.
 */
function x5cProblem(jwk: JWKFields): string | undefined {
  const chain = jwk.x5c
  if (chain === undefined) return undefined
  const base64 = /^[A-Za-z0-9+/]+={0,2}$/
  if (
    !Array.isArray(chain) ||
    chain.length === 0 ||
    !chain.every((cert) => typeof cert === 'string' && base64.test(cert))
  )
    return 'has an "x5c" that is not a list of base64 certificates'
  if (nodeCrypto === undefined || nodeBuffer === undefined) return undefined
  let matches: boolean
  try {
    const certificate = new nodeCrypto.X509Certificate(nodeBuffer.from(chain[0], 'base64'))
    const { kty, crv, n, e, x, y } = jwk
    const own = Object.fromEntries(
      Object.entries({ kty, crv, n, e, x, y }).filter(([, value]) => value !== undefined),
    )
    matches = certificate.publicKey.equals(
      nodeCrypto.createPublicKey({ key: own as never, format: 'jwk' }),
    )
  } catch {
    return 'has an "x5c" whose first certificate does not parse'
  }
  return matches ? undefined : 'has an "x5c" whose first certificate holds another key'
}
