/**
 * The scopes required by every dependant of a dependency, outermost first (FastAPI's
 * `SecurityScopes`). Declare it as an input to receive it: `{ securityScopes: SecurityScopes }`.
 * @example
 * const getCurrentUser = dependency({ securityScopes: SecurityScopes, token: oauth2Scheme },
 *   ({ securityScopes, token }) => ...)
 */
export class SecurityScopes {
  /** Every scope required on the way from the route down to this dependency, without repeats. */
  readonly scopes: readonly string[]
  /** `scopes` joined with spaces, ready for a `WWW-Authenticate: Bearer scope="…"` challenge. */
  readonly scopeStr: string

  constructor(scopes: readonly string[] = []) {
    this.scopes = Object.freeze([...scopes])
    this.scopeStr = this.scopes.join(' ')
    Object.freeze(this)
  }
}
