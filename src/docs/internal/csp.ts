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
export const SWAGGER_UI_CSP = serialize(BASE_POLICY)

/**
 * ReDoc injects its styles with styled-components (`<style>` elements written at run time), and
 * runs its search index in a Web Worker created from a `blob:` URL. `style` attributes, which it
 * does not need, stay blocked (they could only come from HTML in the document's descriptions).
 */
export const REDOC_CSP = serialize({
  ...BASE_POLICY,
  'style-src': ["'self'", "'unsafe-inline'"],
  'style-src-attr': ["'none'"],
  'worker-src': ['blob:'],
})

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
