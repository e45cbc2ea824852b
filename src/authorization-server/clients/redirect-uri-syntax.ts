/**
 * The hosts plain http is allowed on, and whose redirect URIs may change port (RFC 8252 §7.3,
 * §8.3): the loopback IP literals and `localhost`, as the URL parser writes them. Other addresses
 * of 127.0.0.0/8 are refused everywhere, not just somewhere: RFC 8252 names `127.0.0.1`.
 */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost'])

/** Whether `hostname` (a URL's, or a redirect URI's host as written) is a loopback host. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname)
}

/** Longer redirect URIs are refused: no client needs one, and each is stored and compared. */
export const MAX_REDIRECT_URI = 2000

/** Control characters (C0, DEL, C1) and any Unicode whitespace (U+2028 and U+2029 included). */
const CONTROL_OR_SPACE = /[\p{Cc}\p{White_Space}]/u

/** RFC 3986 §2: unreserved, reserved and `%` (for percent-encoding); nothing else. */
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/

/**
 * Whether a parsed URL's `hostname` is a host name (letters, digits, `-`, `_`, dot-separated) or
 * an IP literal. The parser also takes `;`, `,`, `'` or `*` in an http(s) host, which no DNS name
 * holds and which would be syntax in a Content-Security-Policy source.
 */
export function isHostName(hostname: string): boolean {
  return /^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])$/.test(hostname)
}

/** A `%` that does not start a percent-encoding (two hex digits). */
const BROKEN_PERCENT = /%(?![0-9A-Fa-f]{2})/

/**
 * What is wrong with a redirect URI's form, or `undefined` when it is an absolute RFC 3986 URI
 * in the exact form the WHATWG URL parser writes it (RFC 6749 §3.1.2, OAuth 2.1 §2.3.1): the
 * string a client registers is then the string `/authorize` compares and the one the user is
 * sent to, with nothing normalised in between (a stripped tab or space, a percent-encoded
 * character, a lower-cased host or scheme, a dropped default port). No fragment, no user info.
 *
 * One equivalent form is allowed: an `http`/`https` URI without a path (`https://a.example`,
 * `http://127.0.0.1:8080?x=1`), which the parser writes with `/`. RFC 3986 §6.2.3 makes the two
 * the same URI, clients register both forms, and the redirect goes where the client meant.
 * Whether the scheme, host and so on are allowed is the caller's policy.
 */
export function redirectURIProblem(uri: string): string | undefined {
  if (uri.length > MAX_REDIRECT_URI) return 'is too long'
  // Google's and others' "show the code in the browser" value: no redirect at all, and OAuth 2.1
  // has none (a native app uses a loopback redirect URI instead).
  if (/^urn:ietf:wg:oauth:2\.0:oob(?::auto)?$/i.test(uri))
    return 'must not be the out-of-band urn:ietf:wg:oauth:2.0:oob (use a loopback redirect URI, RFC 8252 section 7.3)'
  if (CONTROL_OR_SPACE.test(uri)) return 'must not contain control characters or whitespace'
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return 'must be an absolute URI'
  }
  if (uri.includes('#')) return 'must not have a fragment'
  if (url.username !== '' || url.password !== '') return 'must not carry credentials'
  if (uri !== url.href && !isPathless(uri, url))
    // Named only when it is safe in an RFC 6749 error_description (no quote, backslash or space).
    return /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(url.href)
      ? `must be written in the exact form it is used in: ${url.href}`
      : 'must be written in the exact form it is used in'
  // What the parser leaves as it is but RFC 3986 does not allow (`|`, `^`, `"` in a query, a `%`
  // not starting a percent-encoding: §2.1).
  if (!URI_CHARACTERS.test(uri) || BROKEN_PERCENT.test(uri))
    return 'must percent-encode characters RFC 3986 does not allow'
  // Nothing listens on port 0: a client registering it meant "any port", which only a loopback
  // redirect URI has (RFC 8252 §7.3), and without writing one.
  if (url.port === '0') return 'must not use port 0 (a loopback redirect URI may use any port)'
  // The client's origin goes into the pages' Content-Security-Policy.
  if ((url.protocol === 'http:' || url.protocol === 'https:') && !isHostName(url.hostname))
    return 'must have a host name or IP address as its host'
  return undefined
}

/** `https://a.example` or `https://a.example?q`: the parser adds the `/`, nothing else. */
function isPathless(uri: string, url: URL): boolean {
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.pathname === '/' &&
    uri === `${url.origin}${url.search}`
  )
}
