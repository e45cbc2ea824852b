import { refusingMethod } from '../../core/declare/refuses-method.js'
import type { HTTPMethod } from '../../core/declare/route-options.js'
import type { Router } from '../../core/declare/router.js'

/** The methods a client could mistakenly use on a POST-only endpoint (`GET` brings `HEAD`). */
const OTHER_METHODS: readonly HTTPMethod[] = ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/**
 * Answers the other methods on a POST-only OAuth endpoint (token, revocation, introspection,
 * registration) like its other errors: 405 with `Allow: POST`, `Cache-Control: no-store` and an
 * RFC 6749 §5.2 body, where the app's own 405 is `{"detail"}` without `no-store`. Hidden routes
 * of the server's router, so nothing shows in OpenAPI. A CORS preflight never gets here: `cors()`
 * answers it before routing. Methods outside this list (`PROPFIND`, say) still get the app's 405,
 * whose `Allow` these routes stay out of, so it says `POST` too.
 */
export function refuseOtherMethods(router: Router, path: string): void {
  const options = refusingMethod({ includeInSchema: false })
  for (const method of OTHER_METHODS) router.route(method, path, options, () => methodNotAllowed())
}

function methodNotAllowed(): Response {
  const body = {
    error: 'invalid_request',
    error_description: 'This endpoint accepts POST requests only',
  }
  return new Response(JSON.stringify(body), {
    status: 405,
    headers: {
      allow: 'POST',
      'content-type': 'application/json',
      'cache-control': 'no-store',
      pragma: 'no-cache',
    },
  })
}
