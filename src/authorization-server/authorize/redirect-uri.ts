import { isLoopbackHost } from '../clients/redirect-uri-syntax.js'
/**
 * Whether an authorization request's `redirect_uri` is one the client registered. OAuth 2.1 §2.3.1
 * (and RFC 8252 §7.3 for native apps): an exact string match, except that for a loopback redirect
 * (`http://127.0.0.1`, `http://[::1]` or `http://localhost`) the port may differ, because a native
 * app listens on whatever ephemeral port the system gives it at the time of the request. Scheme,
 * host, path and query still match exactly, case included; `localhost` and `127.0.0.1` are not
 * interchangeable.
 */
export function isRegisteredRedirect(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true
  const wanted = withoutLoopbackPort(requested)
  if (wanted === undefined) return false
  return registered.some((uri) => withoutLoopbackPort(uri) === wanted)
}

/** A port a listener can have: 1 to 65535, written without leading zeros. */
const PORT = /^[1-9]\d{0,4}$/

/**
 * A loopback redirect URI with its port left out (`http://127.0.0.1:51004/cb` →
 * `http://127.0.0.1/cb`), read from the string as sent, so nothing is normalised on the way; or
 * `undefined` for any other URI (another scheme or host, user info, a port no listener has).
 */
function withoutLoopbackPort(uri: string): string | undefined {
  const scheme = 'http://'
  if (!uri.startsWith(scheme)) return undefined
  const rest = uri.slice(scheme.length)
  const end = rest.search(/[/?#]/)
  const authority = end < 0 ? rest : rest.slice(0, end)
  const after = end < 0 ? '' : rest.slice(end)
  // An IPv6 literal holds colons of its own: the port comes after its closing bracket.
  const colon = authority.startsWith('[')
    ? authority.indexOf(':', authority.indexOf(']'))
    : authority.indexOf(':')
  const host = colon < 0 ? authority : authority.slice(0, colon)
  if (!isLoopbackHost(host)) return undefined
  if (colon >= 0) {
    const port = authority.slice(colon + 1)
    if (!PORT.test(port) || Number(port) > 65535) return undefined
  }
  return `${scheme}${host}${after}`
}
