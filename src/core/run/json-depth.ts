/**
 * How deep a JSON request body may nest. Zod validates and `JSON.stringify` echoes recursively, so
 * a 40 KB body of `[[[[…` overflows the stack (a 500) long before the body limit; real documents
 * rarely pass a few dozen levels. 512 leaves room for any sane payload and stays far below the
 * depth at which Node's default stack runs out in a recursive schema (several thousand).
 */
export const MAX_JSON_DEPTH = 512

/**
 * Whether `text` opens more than `max` arrays or objects at once, in one pass that skips strings.
 * Each level costs at least one character, so text no longer than `max` is not scanned.
 */
export function exceedsDepth(text: string, max: number): boolean {
  if (text.length <= max) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i)
    if (inString) {
      // `\` escapes the next character, which may be a quote.
      if (char === 0x5c) i++
      else if (char === 0x22) inString = false
    } else if (char === 0x22) inString = true
    else if (char === 0x5b || char === 0x7b) {
      if (++depth > max) return true
    } else if (char === 0x5d || char === 0x7d) depth--
  }
  return false
}
