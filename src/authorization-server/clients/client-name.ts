/** Longest client name kept: it is shown on the consent page and in `clients list`. */
export const MAX_CLIENT_NAME = 200

// Bidirectional controls (a right-to-left override turned the consent page's own sentence after it
// backwards) and invisible ones that make one name look like another (zero-width space, word
// joiner, invisible operators, byte-order mark). Joiners (ZWJ in emoji, ZWNJ in Persian), soft
// hyphens and emoji tag sequences are other format characters that names use: allowed.
const DECEPTIVE = /[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/

/**
 * Whether `name` can be a client's display name: 1 to {@link MAX_CLIENT_NAME} characters, not
 * only whitespace, no control characters (it is shown to users, and printed by the CLI), no
 * bidirectional or invisible controls (see above), no lone surrogates, no U+FFFD (bytes that were
 * not UTF-8).
 */
export function isClientName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.trim() !== '' &&
    name.length <= MAX_CLIENT_NAME &&
    !/[\p{Cc}\p{Cs}\uFFFD]/u.test(name) &&
    !DECEPTIVE.test(name)
  )
}
