/** Longest client name kept: it is shown on the consent page and in `clients list`. */
export const MAX_CLIENT_NAME = 200

/**
 * Whether `name` can be a client's display name: 1 to {@link MAX_CLIENT_NAME} characters, not
 * only whitespace, no control characters (it is shown to users, and printed by the CLI), no
 * invisible format characters (a right-to-left override turned the consent page's own sentence
 * around it backwards; zero-width ones make one name look like another), no lone surrogates, no
 * U+FFFD (bytes that were not UTF-8): as usernames.
 */
export function isClientName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.trim() !== '' &&
    name.length <= MAX_CLIENT_NAME &&
    !/[\p{Cc}\p{Cf}\p{Cs}\uFFFD]/u.test(name)
  )
}
