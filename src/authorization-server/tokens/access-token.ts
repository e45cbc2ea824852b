import type { Signer } from '../keys/key-material.js'

/** The claims of an RFC 9068 access token, as Gatehouse issues them. */
export interface AccessTokenClaims {
  readonly iss: string
  /** The user's id, or the client's for the client credentials grant (RFC 9068 §2.2). */
  readonly sub: string
  /** One resource server, or several (RFC 8707). */
  readonly aud: string | readonly string[]
  readonly client_id: string
  /** The granted scopes, space-separated (present even when empty). */
  readonly scope: string
  readonly jti: string
  readonly iat: number
  readonly exp: number
  /** The token family (grant) it was issued from: revoking the family revokes it. */
  readonly grant_id?: string
  /** The same scopes as an array, for FastAPI-style resource servers (`scopesClaim: true`). */
  readonly scopes?: readonly string[]
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

// A signer's header never changes: encoded once, not per token.
const headers = new WeakMap<Signer, string>()

function headerOf(signer: Signer): string {
  let header = headers.get(signer)
  if (header === undefined) {
    header = encode({ alg: signer.algorithm, kid: signer.kid, typ: 'at+jwt' })
    headers.set(signer, header)
  }
  return header
}

/**
 * Signs an access token as a compact JWS with `typ: at+jwt` (RFC 9068 §2.1) and the signer's
 * `kid`.
 */
export function signAccessToken(signer: Signer, claims: AccessTokenClaims): string {
  const input = `${headerOf(signer)}.${encode(claims)}`
  return `${input}.${signer.sign(Buffer.from(input)).toString('base64url')}`
}
