/**
 * Passwords are hashed and checked in Unicode NFC (RFC 8265 §4.2, the OpaqueString profile; NIST
 * SP 800-63B §5.1.1.2): `café` typed as one code point on one keyboard and as `e` plus a combining
 * accent on another (macOS tools, some input methods) is one password. Nothing else is changed:
 * spaces and case are the user's.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFC')
}

// Unicode's control characters (Cc): C0, DEL and C1.
const CONTROL = /\p{Cc}/u

/**
 * Why a new password cannot be set, or `undefined`: RFC 8265 §4.2's OpaqueString profile (its
 * FreeformClass) disallows control characters, and one is nearly always a mistake no login form
 * can repeat (a NUL, a `\r` left by a Windows line ending, an escape sequence pasted in).
 */
export function passwordProblem(password: string): string | undefined {
  if (CONTROL.test(password))
    return 'must not hold control characters (a tab, a carriage return, a NUL…; RFC 8265 §4.2)'
  return undefined
}
