/**
 * Checks for values that configuration puts into a `WWW-Authenticate` challenge. They are checked
 * when the app is set up: a value a header cannot carry would otherwise fail on the first request,
 * and differently on each engine (Latin-1 through `fetch`, UTF-8 through Node).
 */

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

// Printable US-ASCII: quoted-string's qdtext and quoted-pair (RFC 9110 §5.6.4) without obs-text.
const PRINTABLE_ASCII = /^[\x20-\x7E]*$/

/** Whether `name` is an RFC 6749 §3.3 scope-token (no space, `"` or `\`, ASCII only). */
export function isScopeToken(name: unknown): name is string {
  return typeof name === 'string' && SCOPE_TOKEN.test(name)
}

/** Whether `value` is printable US-ASCII (0x20–0x7E), which a quoted-string can always carry. */
export function isPrintableASCII(value: unknown): value is string {
  return typeof value === 'string' && PRINTABLE_ASCII.test(value)
}

/** `realm` as given, or a `TypeError` naming it when a challenge cannot carry it. */
export function checkRealm(owner: string, realm: unknown): string | undefined {
  if (realm === undefined) return undefined
  if (typeof realm !== 'string') throw new TypeError(`${owner}: \`realm\` must be a string`)
  if (!isPrintableASCII(realm))
    throw new TypeError(
      `${owner}: \`realm\` must be printable ASCII (0x20–0x7E: no control characters, no non-ASCII)`,
    )
  return realm
}
