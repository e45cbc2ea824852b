import { isHostName } from '../clients/redirect-uri-syntax.js'
import type { AuthorizationErrorCode } from './authorization-request.js'

/**
 * The redirect URI with the response parameters added to its query (RFC 6749 §4.1.2: its own
 * query is kept) and `iss` (RFC 9207), which tells the client which server answered.
 */
export function responseURL(
  target: string,
  issuer: string,
  parameters: Readonly<Record<string, string | undefined>>,
): string {
  const added = new URLSearchParams()
  for (const [name, value] of Object.entries(parameters))
    if (value !== undefined) added.append(name, value)
  added.append('iss', issuer)
  // The registered URI's own query "MUST be retained" (RFC 6749 §3.1.2): appended to as written,
  // since `searchParams` would re-serialise it (`%20` as `+`, `flag` as `flag=`, `~` as `%7E`).
  const url = new URL(target)
  url.search = url.search === '' ? `?${added}` : `${url.search}&${added}`
  return url.href
}

/** A successful authorization response (RFC 6749 §4.1.2). */
export function codeResponseURL(
  to: { target: string; state: string | undefined },
  issuer: string,
  code: string,
): string {
  return responseURL(to.target, issuer, { code, state: to.state })
}

/** An error authorization response (RFC 6749 §4.1.2.1). */
export function errorResponseURL(
  to: { target: string; state: string | undefined },
  issuer: string,
  error: AuthorizationErrorCode,
  description: string,
): string {
  return responseURL(to.target, issuer, {
    error,
    error_description: description,
    state: to.state,
  })
}

/**
 * The CSP source that lets a form on the pages be followed by a redirect to `target` (Chromium
 * checks `form-action` on every redirect after a submission): its origin, or its scheme for an
 * app's own (`com.example.app:`).
 */
export function formActionSource(target: string): string | undefined {
  let url: URL
  try {
    url = new URL(target)
  } catch {
    return undefined
  }
  // Only what CSP's host-source grammar allows goes into the header: the URL parser takes `;`,
  // `,` or `'` in a host, which would be policy syntax there (registration refuses such hosts;
  // one stored before that is left out rather than trusted).
  if (url.protocol === 'https:' || url.protocol === 'http:')
    return isHostName(url.hostname) ? url.origin : undefined
  return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) ? url.protocol : undefined
}
