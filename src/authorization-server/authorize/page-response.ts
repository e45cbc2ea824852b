import { STYLE_SOURCE } from './pages.js'

/** Headers of every answer of `/authorize`: never cached, never framed, no referrer to other sites (`same-origin`, not
 * `no-referrer`, under which browsers send `Origin: null` with the forms). */
const COMMON = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
}

/**
 * The pages' policy: nothing but their inline stylesheet, forms posting to this server (and,
 * for the redirect that follows a form, to the client's redirect URI), no framing at all.
 */
function policy(formTargets: readonly string[]): string {
  return [
    "default-src 'none'",
    `style-src ${STYLE_SOURCE}`,
    `form-action 'self'${formTargets.map((source) => ` ${source}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ')
}

/** What a page or redirect answer sets besides its body. */
export interface AnswerOptions {
  readonly status?: number | undefined
  /** `Set-Cookie` values. */
  readonly cookies?: readonly (string | undefined)[] | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
}

function headersOf(options: AnswerOptions): Headers {
  const headers = new Headers({ ...COMMON, ...options.headers })
  for (const cookie of options.cookies ?? [])
    if (cookie !== undefined) headers.append('set-cookie', cookie)
  return headers
}

/** An HTML page of the login and consent steps. */
export function pageResponse(
  html: string,
  options: AnswerOptions & { readonly formTargets?: readonly string[] | undefined } = {},
): Response {
  const headers = headersOf(options)
  headers.set('content-type', 'text/html; charset=utf-8')
  headers.set('content-security-policy', policy(options.formTargets ?? []))
  return new Response(html, { status: options.status ?? 200, headers })
}

/** A redirect: 302 after a GET, 303 after a form POST (so the browser follows with a GET). */
export function redirectResponse(location: string, options: AnswerOptions = {}): Response {
  const headers = headersOf(options)
  headers.set('location', location)
  return new Response(null, { status: options.status ?? 302, headers })
}
