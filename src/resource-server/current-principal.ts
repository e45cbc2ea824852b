import { type Dependency, dependency } from '../core/declare/dependency.js'
import type { SecurityScheme } from '../core/declare/security-scheme.js'
import { SecurityScopes } from '../core/declare/security-scopes.js'
import { HTTPException } from '../core/errors/index.js'
import type { JWTCodec, VerifiedToken } from '../jwt/index.js'
import { bearerChallenge, type ErrorStyle } from './bearer-challenge.js'

/** Options of {@link createCurrentPrincipal}. */
export interface CurrentPrincipalOptions<P> {
  /** Where the bearer token comes from, e.g. an `OAuth2PasswordBearer`. */
  scheme: SecurityScheme<string>
  /** Verifies the access token (algorithm pinned, `exp` required, `iss`/`aud` as configured). */
  jwt: Pick<JWTCodec, 'verify'>
  /**
   * Load the principal named by the token's `sub`; `undefined`/`null` means it no longer exists,
   * which is answered like an invalid token.
   */
  loadPrincipal: (
    subject: string,
    token: VerifiedToken,
  ) => P | null | undefined | Promise<P | null | undefined>
  /**
   * `'fastapi'` (default) answers as FastAPI's scopes tutorial: 401 "Could not validate credentials"
   * or "Not enough permissions", both with `WWW-Authenticate: Bearer scope="…"`.
   * `'rfc6750'` answers 401 `error="invalid_token"` and 403 `error="insufficient_scope"`.
   */
  errors?: ErrorStyle
  /** Added to RFC 6750 challenges. */
  realm?: string
  /** Shown in logs and errors. */
  name?: string
}

/**
 * A ready resource-server dependency (the tutorial's `get_current_user`, generalised): verifies the
 * bearer JWT, loads the principal, and checks that the token grants every scope the dependants
 * require through `SecurityScopes`.
 * @example
 * const getCurrentUser = createCurrentPrincipal({
 *   scheme: oauth2Scheme, jwt: codec, loadPrincipal: (username) => users.find(username),
 * })
 * app.get('/users/me/items/', { inputs: { user: Security(getCurrentUser, { scopes: ['items'] }) } }, ...)
 */
export function createCurrentPrincipal<P>(
  options: CurrentPrincipalOptions<P>,
): Dependency<P, { securityScopes: typeof SecurityScopes; token: SecurityScheme<string> }> {
  const style = options.errors ?? 'fastapi'
  if (style !== 'fastapi' && style !== 'rfc6750')
    throw new TypeError('createCurrentPrincipal: `errors` must be "fastapi" or "rfc6750"')
  if (typeof options.loadPrincipal !== 'function')
    throw new TypeError('createCurrentPrincipal: `loadPrincipal` must be a function')
  const realm = options.realm

  const invalid = (securityScopes: SecurityScopes) =>
    style === 'fastapi'
      ? new HTTPException(401, {
          detail: 'Could not validate credentials',
          headers: { 'WWW-Authenticate': bearerChallenge({ scope: securityScopes.scopeStr }) },
        })
      : new HTTPException(401, {
          detail: 'Could not validate credentials',
          headers: { 'WWW-Authenticate': bearerChallenge({ realm, error: 'invalid_token' }) },
        })

  const insufficient = (securityScopes: SecurityScopes) =>
    style === 'fastapi'
      ? new HTTPException(401, {
          detail: 'Not enough permissions',
          headers: { 'WWW-Authenticate': bearerChallenge({ scope: securityScopes.scopeStr }) },
        })
      : new HTTPException(403, {
          detail: 'Not enough permissions',
          headers: {
            'WWW-Authenticate': bearerChallenge({
              realm,
              error: 'insufficient_scope',
              scope: securityScopes.scopeStr,
            }),
          },
        })

  return dependency(
    { securityScopes: SecurityScopes, token: options.scheme },
    async ({ securityScopes, token }): Promise<P> => {
      let verified: VerifiedToken
      try {
        verified = await options.jwt.verify(token)
      } catch {
        // Every refusal looks the same to the client; the reason is not worth leaking.
        throw invalid(securityScopes)
      }
      const loaded = options.loadPrincipal(verified.subject, verified)
      const principal = loaded instanceof Promise ? await loaded : loaded
      if (principal === undefined || principal === null) throw invalid(securityScopes)
      for (const scope of securityScopes.scopes)
        if (!verified.scopes.includes(scope)) throw insufficient(securityScopes)
      return principal
    },
    { name: options.name ?? 'currentPrincipal' },
  )
}
