/**
 * Passwords are hashed and checked in Unicode NFC (RFC 8265 §4.2, the OpaqueString profile; NIST
 * SP 800-63B §5.1.1.2): `café` typed as one code point on one keyboard and as `e` plus a combining
 * accent on another (macOS tools, some input methods) is one password. Nothing else is changed:
 * spaces and case are the user's.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFC')
}
