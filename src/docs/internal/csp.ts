/**
 * The policy every documentation page starts from: same-origin scripts, styles, images, fonts and
 * requests only, no inline script, no plugins, no framing by other sites.
 */
const BASE_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
} satisfies Record<string, string[]>

type Policy = Partial<Record<string, string[]>>

function serialize(policy: Policy): string {
  return Object.entries(policy)
    .map(([directive, sources]) => `${directive} ${(sources ?? []).join(' ')}`)
    .join('; ')
}

/** Swagger UI and its OAuth2 redirect page run under the base policy unchanged. */
export const SWAGGER_UI_POLICY: Policy = BASE_POLICY

/**
 * ReDoc injects its styles with styled-components (`<style>` elements written at run time), and
 * runs its search index in a Web Worker created from a `blob:` URL. `style` attributes, which it
 * does not need, stay blocked (they could only come from HTML in the document's descriptions).
 */
export const REDOC_POLICY: Policy = {
  ...BASE_POLICY,
  'style-src': ["'self'", "'unsafe-inline'"],
  'style-src-attr': ["'none'"],
  'worker-src': ['blob:'],
}

/**
 * A page's policy as a header value, its requests also allowed to `origins`: the token endpoint
 * of an authorization server elsewhere, which Swagger UI's Authorize dialog posts to, or an API
 * server the document names on another origin ("Try it out").
 */
export function contentSecurityPolicy(policy: Policy, origins: readonly string[] = []): string {
  if (origins.length === 0) return serialize(policy)
  return serialize({ ...policy, 'connect-src': [...(policy['connect-src'] ?? []), ...origins] })
}

/** Headers of every HTML page: no caching without revalidation, the given CSP, no sniffing. */
export function htmlResponse(
  html: string,
  csp: string,
  extra: Record<string, string> = {},
  status = 200,
) {
  return new Response(html, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      ...extra,
    },
  })
}
