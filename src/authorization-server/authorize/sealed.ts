import type { HashPurpose, SecretHasher } from '../keys/secret-hasher.js'

/**
 * Sealed values are small; anything longer was not made here. The largest is an authorization
 * request with a 2048-character `state` of quotes (4096 in JSON), its redirect URI, scopes and
 * resources: well under this once base64url-encoded, and under the form's 16 KiB body limit.
 */
const MAX_SEALED = 16384

/**
 * A value signed with the server's hashing key: `base64url(JSON).mac`, the MAC over the encoded
 * part under `purpose`, so a value sealed for one use is refused for another. Signed, not
 * encrypted: only for what the browser may see (a user id, the authorization request it sent).
 */
export function seal(hasher: SecretHasher, purpose: HashPurpose, value: object): string {
  const payload = Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${payload}.${hasher.hash(purpose, payload)}`
}

/**
 * The object inside a sealed value when its MAC checks out under `purpose` and it has not
 * expired (`exp`, seconds); `undefined` otherwise, whatever was wrong.
 */
export function unseal(
  hasher: SecretHasher,
  purpose: HashPurpose,
  sealed: string | undefined,
  now: number,
): Record<string, unknown> | undefined {
  if (typeof sealed !== 'string' || sealed.length > MAX_SEALED) return undefined
  const dot = sealed.indexOf('.')
  if (dot <= 0) return undefined
  const payload = sealed.slice(0, dot)
  if (!hasher.matches(purpose, payload, sealed.slice(dot + 1))) return undefined
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(payload, 'base64url').toString())
  } catch {
    return undefined
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  const { exp } = value as { exp?: unknown }
  if (typeof exp !== 'number' || exp <= now) return undefined
  return value as Record<string, unknown>
}
