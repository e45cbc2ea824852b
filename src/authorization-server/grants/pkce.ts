import { createHash, timingSafeEqual } from 'node:crypto'

// RFC 7636 §4.1: code-verifier = 43*128unreserved
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/
// An S256 challenge is the base64url (no padding) of a SHA-256 digest: 43 characters.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

/** Whether `verifier` has the form RFC 7636 requires. */
export function isCodeVerifier(verifier: string): boolean {
  return VERIFIER.test(verifier)
}

/** Whether `challenge` can be an S256 code challenge. */
export function isS256Challenge(challenge: string): boolean {
  return S256_CHALLENGE.test(challenge)
}

/** The S256 challenge of a verifier (RFC 7636 §4.2). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url')
}

/** Whether `verifier` matches the S256 `challenge`, compared in constant time. */
export function verifiesS256(verifier: string, challenge: string): boolean {
  const actual = Buffer.from(s256(verifier))
  const expected = Buffer.from(challenge)
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}
