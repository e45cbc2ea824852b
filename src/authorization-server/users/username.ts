/**
 * Usernames are stored and looked up in Unicode NFC (RFC 8265 §3.3, as PRECIS's username
 * profiles): the same name typed on two keyboards, or pasted, is one user, and a second user
 * whose name differs from another's only by normalisation cannot be made.
 */
export function normalizeUsername(username: string): string {
  return username.normalize('NFC')
}

// Variation selectors are default-ignorable too, but they choose a glyph of the character before
// them (an emoji's colour form, a kanji's variant, Mongolian letter forms): kept.
const VARIATION_SELECTORS = /[\uFE00-\uFE0F\u180B-\u180D\u180F\u{E0100}-\u{E01EF}]/gu

// Spaces and controls; format characters (zero-width ones, bidirectional overrides) and the other
// characters shown as nothing (Unicode's default-ignorables: the Hangul fillers, the combining
// grapheme joiner), which make one name look like another; U+2800, the blank braille pattern, for
// the same reason; lone surrogates; U+FFFD, which stands for bytes that were not UTF-8.
const REFUSED = /[\s\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}\u2800\uFFFD]/u

/** Why `username` cannot be a username, or `undefined` when it can. */
export function usernameProblem(username: unknown): string | undefined {
  if (typeof username !== 'string' || username === '' || username.length > 256)
    return 'must be 1 to 256 characters'
  if (REFUSED.test(username.replace(VARIATION_SELECTORS, '')))
    return 'must not contain spaces, control or invisible format characters, or U+FFFD'
  return undefined
}
