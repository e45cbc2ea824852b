const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHTML(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character)
}

const JSON_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
}

/**
 * Serializes a value as JSON safe to embed in a `<script type="application/json">` data block:
 * `<` and friends become `\u003c` escapes, so no `</script>` or `<!--` can end the block early.
 */
export function serializeJSONForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => JSON_ESCAPES[c] ?? c)
}

/**
 * A relative reference from the page at `from` to the resource at `to` (both absolute paths), so
 * the links keep working when the routes are mounted under a prefix (a root path or a sub-app).
 */
export function relativeURL(from: string, to: string): string {
  const fromDirectory = from.split('/').slice(1, -1)
  const target = to.split('/').slice(1)
  let common = 0
  while (
    common < fromDirectory.length &&
    common < target.length - 1 &&
    fromDirectory[common] === target[common]
  ) {
    common++
  }
  const up = fromDirectory.length - common
  const rest = target.slice(common).join('/')
  return up === 0 ? `./${rest}` : `${'../'.repeat(up)}${rest}`
}
