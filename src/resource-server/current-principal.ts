import { type Dependency, dependency } from '../core/declare/dependency.js'
import { SecurityScheme } from '../core/declare/security-scheme.js'
import { SecurityScopes } from '../core/declare/security-scopes.js'
import { bearerChallenge } from '../core/errors/bearer-challenge.js'
import { checkRealm, isPrintableASCII } from '../core/errors/challenge-params.js'
import { HTTPException, isInvalidTokenError } from '../core/errors/index.js'
import type { TokenVerifier, VerifiedToken } from '../jwt/index.js'
import { refuseUnknown } from '../jwt/verifier-options.js'
import { HTTPBasic, type HTTPBearer, HTTPDigest } from '../security/http.js'
import type { ErrorStyle } from './error-style.js'
import { PrincipalScheme } from './principal-scheme.js'

/** Options of {@link createCurrentPrincipal}. */
export interface CurrentPrincipalOptions<P> {
  /**
   * Where the bearer token comes from: an `OAuth2PasswordBearer` (or another OAuth2 scheme), an
   * `HTTPBearer` (its `credentials` are the token), or any scheme that gives the token as a string.
   * The principal is always required: the scheme's `autoError: false` is not used here.
   */
  scheme: SecurityScheme<string> | SecurityScheme<string | undefined> | HTTPBearer<boolean>
  /**
   * Verifies the access token: a `createJWTCodec` codec, a `createJWTVerifier` over an issuer's
   * keys, a `createIntrospectionVerifier`, or any {@link TokenVerifier}. Its `InvalidTokenError`s
   * become 401; `KeySourceUnavailableError` a 503; anything else is a server fault (500, logged).
   */
  jwt: TokenVerifier
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
  errors?: ErrorStyle | undefined
  /** Added to every challenge this dependency's routes send. */
  realm?: string | undefined
  /**
   * The URL of this API's RFC 9728 metadata (`protectedResourceMetadataURL(resource)`), added as
   * `resource_metadata` to every challenge, so a client finds the authorization server.
   */
  resourceMetadata?: string | URL | undefined
  /** Shown in logs and errors. */
  name?: string | undefined
}

const OWNER = 'createCurrentPrincipal'
const OPTIONS: readonly string[] = [
  'scheme',
  'jwt',
  'loadPrincipal',
  'errors',
  'realm',
  'resourceMetadata',
  'name',
]

/**
 * A ready resource-server dependency (the tutorial's `get_current_user`, generalised): reads the
 * bearer token, verifies it, loads the principal, and checks that the token grants every scope the
 * dependants require through `SecurityScopes`. Every 401/403 it causes, missing credentials
 * included, carries the configured `realm` and `resource_metadata`.
 * @example
 * const getCurrentUser = createCurrentPrincipal({
 *   scheme: oauth2Scheme, jwt: codec, loadPrincipal: (username) => users.find(username),
 * })
 * app.get('/users/me/items/', { inputs: { user: Security(getCurrentUser, { scopes: ['items'] }) } }, ...)
 */
export function createCurrentPrincipal<P>(
  options: CurrentPrincipalOptions<P>,
): Dependency<P, { securityScopes: typeof SecurityScopes; token: SecurityScheme<string> }> {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`${OWNER}: options must be an object`)
  refuseUnknown(options, OPTIONS, OWNER)
  const style = options.errors ?? 'fastapi'
  if (style !== 'fastapi' && style !== 'rfc6750')
    throw new TypeError(`${OWNER}: \`errors\` must be "fastapi" or "rfc6750"`)
  if (!(options.scheme instanceof SecurityScheme))
    throw new TypeError(
      `${OWNER}: \`scheme\` must be a security scheme (e.g. OAuth2PasswordBearer)`,
    )
  // These give a username and password, or Digest parameters: never a bearer token.
  if (options.scheme instanceof HTTPBasic || options.scheme instanceof HTTPDigest)
    throw new TypeError(
      `${OWNER}: \`scheme\` must give a bearer token (OAuth2PasswordBearer, HTTPBearer, …), not ${options.scheme.constructor.name}'s credentials`,
    )
  if (typeof options.jwt?.verify !== 'function')
    throw new TypeError(`${OWNER}: \`jwt\` must have a \`verify(token)\` method`)
  if (typeof options.loadPrincipal !== 'function')
    throw new TypeError(`${OWNER}: \`loadPrincipal\` must be a function`)
  const realm = checkRealm(OWNER, options.realm)
  const { jwt, loadPrincipal } = options
  const verifyNow = jwt.verifyNow?.bind(jwt) ?? ((token: string) => jwt.verify(token))
  const challenge = challenges(style, realm, metadataURL(options.resourceMetadata))

  // The function may answer synchronously or with a promise; either way the dependency gives a `P`.
  return dependency<
    { securityScopes: typeof SecurityScopes; token: PrincipalScheme },
    P | Promise<P>
  >(
    {
      securityScopes: SecurityScopes,
      token: new PrincipalScheme(options.scheme, challenge),
    },
    ({ securityScopes, token }): P | Promise<P> => {
      // Every refusal looks the same to the client; the reason is not worth leaking. Anything that
      // is not about the token (a broken verifier, keys unreachable) is not a 401.
      const refuse = (error: unknown): never => {
        if (isInvalidTokenError(error)) throw challenge.invalid(securityScopes)
        throw error
      }
      const authorize = (principal: P | null | undefined, verified: VerifiedToken): P => {
        if (principal === undefined || principal === null) throw challenge.invalid(securityScopes)
        for (const scope of securityScopes.scopes)
          if (!verified.scopes.includes(scope)) throw challenge.insufficient(securityScopes)
        return principal
      }
      const load = (verified: VerifiedToken): P | Promise<P> => {
        const loaded = loadPrincipal(verified.subject, verified)
        return isPromiseLike(loaded)
          ? Promise.resolve(loaded).then((principal) => authorize(principal, verified))
          : authorize(loaded, verified)
      }
      // Sync first: a codec that answers at once (HS256, a cached token) and a sync store make the
      // whole dependency synchronous.
      let verified: VerifiedToken | Promise<VerifiedToken>
      try {
        verified = verifyNow(token)
      } catch (error) {
        return refuse(error)
      }
      return isPromiseLike(verified) ? Promise.resolve(verified).then(load, refuse) : load(verified)
    },
    { name: options.name ?? 'currentPrincipal' },
  ) as unknown as Dependency<
    P,
    { securityScopes: typeof SecurityScopes; token: SecurityScheme<string> }
  >
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function'
}

function metadataURL(value: unknown): string | undefined {
  if (value === undefined) return undefined
  try {
    const url = new URL(value instanceof URL ? value.href : (value as string))
    // `href` is percent-encoded ASCII already; the check keeps that promise explicit.
    if ((url.protocol === 'https:' || url.protocol === 'http:') && isPrintableASCII(url.href))
      return url.href
  } catch {}
  throw new TypeError(`${OWNER}: \`resourceMetadata\` must be an absolute http(s) URL`)
}

type Refusal = (securityScopes: SecurityScopes) => HTTPException

/**
 * The answers, in the chosen style, each with `realm` and `resource_metadata`. Missing credentials
 * are found by the scheme, before any dependency runs, so that challenge has no `error` (RFC 6750
 * §3.1); in the `rfc6750` style it names the scopes the route requires through the scheme (what
 * OpenAPI documents), in the `fastapi` style none, as the tutorial's `OAuth2PasswordBearer`.
 */
function challenges(
  style: ErrorStyle,
  realm: string | undefined,
  resourceMetadata: string | undefined,
): {
  missing: (scopes: readonly string[]) => HTTPException
  malformed: (reason: string) => HTTPException
  invalid: Refusal
  insufficient: Refusal
} {
  const refuse = (status: number, detail: string, header: string) =>
    new HTTPException(status, { detail, headers: { 'WWW-Authenticate': header } })
  // Without scopes, realm or metadata this is the tutorial's own answer, plain `Bearer`. RFC 6750
  // §3 allows `scope` on any challenge; the MCP authorization profile asks for it on the first 401,
  // so a client knows what to request before it has any token.
  const missing = (scopes: readonly string[]) =>
    refuse(
      401,
      'Not authenticated',
      bearerChallenge({ realm, scope: scopes.join(' '), resourceMetadata }),
    )
  // RFC 6750 §3 wants a challenge on every refusal; §3.1 names this one, in either style.
  const malformed = (reason: string) =>
    refuse(400, reason, bearerChallenge({ realm, error: 'invalid_request', resourceMetadata }))
  if (style === 'fastapi')
    return {
      missing: () => missing([]),
      malformed,
      invalid: ({ scopeStr }) =>
        refuse(
          401,
          'Could not validate credentials',
          bearerChallenge({ realm, scope: scopeStr, resourceMetadata }),
        ),
      insufficient: ({ scopeStr }) =>
        refuse(
          401,
          'Not enough permissions',
          bearerChallenge({ realm, scope: scopeStr, resourceMetadata }),
        ),
    }
  return {
    missing,
    malformed,
    invalid: ({ scopeStr }) =>
      refuse(
        401,
        'Could not validate credentials',
        bearerChallenge({ realm, error: 'invalid_token', scope: scopeStr, resourceMetadata }),
      ),
    insufficient: ({ scopeStr }) =>
      refuse(
        403,
        'Not enough permissions',
        bearerChallenge({ realm, error: 'insufficient_scope', scope: scopeStr, resourceMetadata }),
      ),
  }
}
