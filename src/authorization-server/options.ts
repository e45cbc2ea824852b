import { createHash } from 'node:crypto'
import { refuseUnknownOptions } from '../core/declare/known-options.js'
import type { RequestView } from '../core/run/request-view.js'
import type { PasswordHasher } from '../password/index.js'
import {
  type ConsentOptions,
  type InteractionSettings,
  type LoginOptions,
  resolveInteraction,
} from './authorize/authorize-options.js'
import { isLoopbackHost } from './clients/redirect-uri-syntax.js'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './keys/key-material.js'
import {
  type RegistrationOptions,
  type RegistrationPolicy,
  resolveRegistration,
} from './registration/registration-options.js'
import { isResourceIndicator } from './resources.js'
import { isScopeToken, type ScopeDescriptions } from './scopes.js'
import type { ClientRecord, GrantType } from './store/records.js'
import type { AuthorizationServerStore } from './store/store.js'
import { resolveThrottle, type ThrottleOptions, type ThrottlePolicy } from './users/throttle.js'

/** Options of `createAuthorizationServer`. */
export interface AuthorizationServerOptions {
  /**
   * The issuer identifier (RFC 8414): an `https` URL (`http` on localhost) without query or
   * fragment. Endpoints are served under its path, e.g. `{issuer}/token`.
   */
  issuer: string
  /** Where users, clients, tokens and keys live: `createMemoryStore()` or `openSQLiteStore()`. */
  store: AuthorizationServerStore
  /** Every scope the server grants, with a description for consent pages and OpenAPI. */
  scopes: ScopeDescriptions
  /**
   * Granted when a request names no scope (narrowed to what the client and user may have);
   * without it such a request gets `invalid_scope`.
   */
  defaultScopes?: readonly string[] | undefined
  /** Signing keys. EdDSA by default; HS256 (with an optional `secret`) for the tutorial. */
  keys?:
    | {
        algorithm?: SigningAlgorithm | undefined
        /** HS256 only: sign with this secret (at least 32 bytes) instead of a generated one. */
        secret?: string | Uint8Array | undefined
        /** Rotate automatically once the active key is this many seconds old; default never. */
        rotateAfter?: number | undefined
      }
    | undefined
  /** The `aud` of tokens requested without `resource`; default the issuer. */
  audience?: string | undefined
  /** RFC 8707 resource indicators clients may request; the default audience always may be. */
  resources?: readonly string[] | undefined
  /**
   * The grants the token endpoint accepts; default all four. Leave `password` out wherever
   * third-party clients register: OAuth 2.1 drops it and RFC 9700 §2.4 says it MUST NOT be used.
   */
  grantTypes?: readonly GrantType[] | undefined
  /** Access token lifetime in seconds; default 900. */
  accessTokenTTL?: number | undefined
  /**
   * How long an unused refresh token stays valid, in seconds, at most `grantTTL`; default 14 days
   * (or `grantTTL`, when that is shorter).
   */
  refreshTokenTTL?: number | undefined
  /** How long a grant (a refresh-token family) lasts at most, in seconds; default 30 days. */
  grantTTL?: number | undefined
  /**
   * Seconds during which presenting a just-rotated refresh token again returns the same new
   * token instead of revoking the family (a client retrying after a lost response); default 0.
   */
  refreshGraceSeconds?: number | undefined
  /** Authorization code lifetime in seconds, at most 600 (RFC 6749 §4.1.2); default 60. */
  codeTTL?: number | undefined
  /** Also put the scopes in a `scopes` array claim, as FastAPI's tutorial reads them. */
  scopesClaim?: boolean | undefined
  /** Verifies user passwords; default `createPasswordHasher()`. */
  passwords?: PasswordHasher | undefined
  /** Failed-login throttling; `false` turns it off. */
  throttle?: ThrottleOptions | false | undefined
  /**
   * The client's address for login throttling and registration limits; default the socket's peer
   * address. Behind a proxy, read the header your proxy sets (and only if it always sets it). An
   * IPv6 address is counted by its /64, one subscriber's share.
   */
  clientAddress?: ((request: RequestView) => string | undefined) | undefined
  /**
   * The login step of `/authorize`: the built-in page, or your app's own login through
   * `authenticate` and `url`.
   */
  login?: LoginOptions | undefined
  /** The consent step of `/authorize`: remembering consents, skipping the page. */
  consent?: ConsentOptions | undefined
  /**
   * Open dynamic client registration (RFC 7591) at `POST {issuer}/register`, rate limited per
   * client address: `true` for the defaults, or what registered clients may have. Default off.
   */
  registration?: RegistrationOptions | boolean | undefined
  /** Who may learn what at `POST {issuer}/introspect`. */
  introspection?: IntrospectionOptions | undefined
  /** Largest accepted body of every endpoint; default 16 KiB. */
  bodyLimit?: number | undefined
  /** Tags of the endpoints in OpenAPI; default `['OAuth 2.0']`. */
  tags?: readonly string[] | undefined
  /** The name of the bearer scheme in OpenAPI; default `OAuth2`. */
  schemeName?: string | undefined
  /** The current time in seconds since the epoch; freeze it in tests. */
  now?: (() => number) | undefined
}

/** An active token, as the introspection policy sees it. */
export interface IntrospectedToken {
  readonly type: 'access_token' | 'refresh_token'
  /** The client the token was issued to. */
  readonly clientId: string
  readonly subject: string
  readonly scopes: readonly string[]
  /** The access token's `aud`; empty for a refresh token. */
  readonly audience: readonly string[]
}

/** Options of the introspection endpoint (RFC 7662). */
export interface IntrospectionOptions {
  /**
   * Whether `client` (authenticated, confidential) may learn about `token`; when not, the token is
   * `{"active": false}` to it, as RFC 7662 §4 allows. By default every confidential client an
   * administrator made may introspect any token, and a self-registered client only its own (that
   * rule applies whatever this says). RFC 7662 §4 recommends naming the resource servers, e.g.
   * `({ client }) => client.id === 'orders-api'`.
   */
  allowed?:
    | ((request: { client: ClientRecord; token: IntrospectedToken }) => boolean | Promise<boolean>)
    | undefined
}

/** The options after validation, with defaults applied. */
export interface Settings {
  /** The issuer identifier exactly as given: `iss`, metadata and RFC 9207 compare it as a string. */
  readonly issuer: string
  /** The issuer without a trailing slash, where endpoint URLs begin: `{endpointBase}/token`. */
  readonly endpointBase: string
  /** The issuer URL's path without a trailing slash: `''` or `/auth`. */
  readonly basePath: string
  /**
   * A short hash of `basePath` (`''` at the root), telling the issuers of one origin apart where
   * their names meet: the login and CSRF cookies, and operation ids.
   */
  readonly pathTag: string
  /**
   * Appended to the endpoints' OpenAPI operation ids: `''` at the root, `_tenants_a` for the
   * issuer path `/tenants/a`, so the servers of several issuers can share one app.
   */
  readonly operationSuffix: string
  readonly store: AuthorizationServerStore
  readonly scopes: ScopeDescriptions
  readonly defaultScopes: readonly string[] | undefined
  readonly algorithm: SigningAlgorithm
  readonly secret: Uint8Array | undefined
  readonly rotateAfter: number | undefined
  readonly audience: string
  readonly resources: readonly string[]
  readonly grantTypes: readonly GrantType[]
  readonly accessTokenTTL: number
  readonly refreshTokenTTL: number
  readonly grantTTL: number
  readonly refreshGraceSeconds: number
  readonly codeTTL: number
  readonly scopesClaim: boolean
  readonly passwords: PasswordHasher | undefined
  readonly throttle: ThrottlePolicy | undefined
  readonly clientAddress: (request: RequestView) => string | undefined
  readonly interaction: InteractionSettings
  readonly registration: RegistrationPolicy | undefined
  readonly introspectionAllowed: IntrospectionOptions['allowed']
  readonly bodyLimit: number
  readonly tags: readonly string[]
  readonly schemeName: string
  readonly now: () => number
}

const GRANT_TYPES: readonly GrantType[] = [
  'authorization_code',
  'client_credentials',
  'password',
  'refresh_token',
]
const DAY = 86_400
const OWNER = 'createAuthorizationServer'
const fail = (message: string): never => {
  throw new TypeError(`${OWNER}: ${message}`)
}

const OPTIONS = new Set([
  'issuer',
  'store',
  'scopes',
  'defaultScopes',
  'keys',
  'audience',
  'resources',
  'grantTypes',
  'accessTokenTTL',
  'refreshTokenTTL',
  'grantTTL',
  'refreshGraceSeconds',
  'codeTTL',
  'scopesClaim',
  'passwords',
  'throttle',
  'clientAddress',
  'login',
  'consent',
  'registration',
  'introspection',
  'bodyLimit',
  'tags',
  'schemeName',
  'now',
])
const KEY_OPTIONS = new Set(['algorithm', 'secret', 'rotateAfter'])
// OpenAPI 3.1 §4.8.7.1: the keys of `components` (a security scheme's name among them).
const COMPONENT_NAME = /^[a-zA-Z0-9.\-_]+$/

/** Checks the options once; every mistake is a `TypeError` naming the option. */
export function resolveSettings(options: AuthorizationServerOptions): Settings {
  if (options === null || typeof options !== 'object') fail('options must be an object')
  // A misspelt option is refused, not ignored, at every depth: `grant_types` would leave the
  // password grant on, `login: { uri }` the built-in login page, `introspection: { allow }`
  // introspection open.
  refuseUnknownOptions(OWNER, options, OPTIONS)
  const issuer = resolveIssuer(options.issuer)
  const store = options.store
  if (store === null || typeof store !== 'object' || typeof store.findClient !== 'function')
    fail('`store` must be a store (createMemoryStore() or openSQLiteStore())')
  const scopes = resolveScopes(options.scopes)
  const defaultScopes = options.defaultScopes
  if (defaultScopes !== undefined)
    for (const scope of list(defaultScopes, 'defaultScopes'))
      if (!Object.hasOwn(scopes, scope)) fail(`\`defaultScopes\` names an unknown scope "${scope}"`)
  const keys = options.keys ?? {}
  refuseUnknownOptions(OWNER, keys, KEY_OPTIONS, 'option', 'keys.')
  const algorithm = keys.algorithm ?? 'EdDSA'
  if (!SIGNING_ALGORITHMS.includes(algorithm))
    fail(`\`keys.algorithm\` must be one of ${SIGNING_ALGORITHMS.join(', ')}`)
  const secret = resolveSecret(keys.secret, algorithm)
  const audience = options.audience ?? issuer
  if (typeof audience !== 'string' || !isResourceIndicator(audience))
    fail('`audience` must be an absolute URI (non-ASCII percent-encoded) without a fragment')
  const resources = list(options.resources ?? [], 'resources')
  for (const resource of resources)
    if (!isResourceIndicator(resource))
      fail('`resources` must be absolute URIs (non-ASCII percent-encoded) without fragments')
  const grantTypes = list(options.grantTypes ?? GRANT_TYPES, 'grantTypes') as GrantType[]
  for (const grant of grantTypes)
    if (!GRANT_TYPES.includes(grant)) fail(`\`grantTypes\` has an unknown grant "${grant}"`)
  if (grantTypes.length === 0) fail('`grantTypes` must name at least one grant')
  if (new Set(grantTypes).size !== grantTypes.length) fail('`grantTypes` names a grant twice')
  // Refresh tokens come from the authorization code and password grants only (RFC 6749 §4.4.3),
  // as `createClient` says of a client.
  if (
    grantTypes.includes('refresh_token') &&
    !grantTypes.includes('authorization_code') &&
    !grantTypes.includes('password')
  )
    fail('`grantTypes` has `refresh_token` but no grant that issues refresh tokens')
  if (options.scopesClaim !== undefined && typeof options.scopesClaim !== 'boolean')
    fail('`scopesClaim` must be a boolean')
  const schemeName = options.schemeName ?? 'OAuth2'
  if (typeof schemeName !== 'string' || !COMPONENT_NAME.test(schemeName))
    fail('`schemeName` must be letters, digits, ".", "-" or "_" (an OpenAPI component name)')
  const now = options.now ?? (() => Math.floor(Date.now() / 1000))
  if (typeof now !== 'function') fail('`now` must be a function')
  const clientAddress = options.clientAddress ?? ((request: RequestView) => request.remoteAddress)
  if (typeof clientAddress !== 'function') fail('`clientAddress` must be a function')
  const passwords = options.passwords
  if (passwords !== undefined && typeof passwords?.verifyAndUpdate !== 'function')
    fail('`passwords` must be a password hasher (createPasswordHasher())')
  const basePath = new URL(issuer).pathname.replace(/\/$/, '')
  const pathTag =
    basePath === '' ? '' : createHash('sha256').update(basePath).digest('base64url').slice(0, 12)
  const settings: Settings = {
    issuer,
    endpointBase: issuer.replace(/\/$/, ''),
    basePath,
    pathTag,
    operationSuffix: operationSuffix(basePath, pathTag),
    store,
    scopes,
    defaultScopes: defaultScopes === undefined ? undefined : [...defaultScopes],
    algorithm,
    secret,
    // A new key signs two minutes after it is made (see keyActivationDelay): rotating sooner would
    // make keys that never sign.
    rotateAfter: seconds(keys.rotateAfter, 'keys.rotateAfter', undefined, 120),
    audience,
    resources,
    grantTypes,
    accessTokenTTL: seconds(options.accessTokenTTL, 'accessTokenTTL', 900),
    // Never longer than the grant (a shorter `grantTTL` shortens the default too).
    refreshTokenTTL: seconds(
      options.refreshTokenTTL,
      'refreshTokenTTL',
      Math.min(14 * DAY, seconds(options.grantTTL, 'grantTTL', 30 * DAY)),
    ),
    grantTTL: seconds(options.grantTTL, 'grantTTL', 30 * DAY),
    refreshGraceSeconds: seconds(options.refreshGraceSeconds, 'refreshGraceSeconds', 0, 0),
    codeTTL: seconds(options.codeTTL, 'codeTTL', 60),
    scopesClaim: options.scopesClaim === true,
    passwords,
    throttle: resolveThrottle(options.throttle),
    clientAddress,
    interaction: resolveInteraction(options.login, options.consent),
    registration: resolveRegistration(options.registration, {
      scopes: Object.keys(scopes),
      defaultScopes,
      grantTypes,
    }),
    introspectionAllowed: resolveIntrospection(options.introspection),
    bodyLimit: seconds(options.bodyLimit, 'bodyLimit', 16 * 1024),
    tags: list(options.tags ?? ['OAuth 2.0'], 'tags'),
    schemeName,
    now,
  }
  if (settings.grantTTL < settings.accessTokenTTL)
    fail('`grantTTL` must be at least `accessTokenTTL`')
  // A refresh token never outlives its grant: a longer lifetime asked for would silently be the
  // grant's.
  if (settings.refreshTokenTTL > settings.grantTTL)
    fail(
      `\`refreshTokenTTL\` (${settings.refreshTokenTTL} s) must be at most \`grantTTL\` (${settings.grantTTL} s${options.grantTTL === undefined ? ', the default' : ''}): a refresh token never outlives its grant`,
    )
  // RFC 6749 §4.1.2 and OAuth 2.1 §4.1.2: a code lives 10 minutes at most, and so does the
  // use of one stolen from a log or a browser's history.
  if (settings.codeTTL > 600) fail('`codeTTL` must be at most 600 seconds (RFC 6749 §4.1.2)')
  return settings
}

function resolveIntrospection(
  options: IntrospectionOptions | undefined,
): IntrospectionOptions['allowed'] {
  if (options === undefined) return undefined
  if (options === null || typeof options !== 'object')
    return fail('`introspection` must be an object')
  refuseUnknownOptions(OWNER, options, new Set(['allowed']), 'option', 'introspection.')
  if (options.allowed !== undefined && typeof options.allowed !== 'function')
    fail('`introspection.allowed` must be a function')
  return options.allowed
}

function resolveIssuer(issuer: unknown): string {
  if (typeof issuer !== 'string') return fail('`issuer` must be a URL string')
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    return fail('`issuer` must be a URL')
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname)))
    fail('`issuer` must use https (http only on localhost)')
  if (url.search !== '' || url.hash !== '' || issuer.includes('?') || issuer.includes('#'))
    fail('`issuer` must not have a query or fragment')
  // RFC 9110 §4.2.4: no userinfo in an http(s) URI; a resource server's verifier refuses it too.
  if (url.username !== '' || url.password !== '')
    fail('`issuer` must not carry credentials (user@)')
  // Clients compare `iss` with the URL they normalised as a string (RFC 8414 §3.3, RFC 9207):
  // an issuer that normalises to another string (`HTTPS://A`, `:443`, `/a/../b`) never matches.
  const normal = url.href
  if (normal !== issuer && normal !== `${issuer}/`)
    fail(`\`issuer\` must be written as URLs normalise it: "${normal.replace(/\/$/, '')}"`)
  if (url.pathname.includes('//')) fail('`issuer` must not have an empty path segment (`//`)')
  // Kept as given, a trailing slash too (Auth0's issuers have one): resource servers compare it
  // with the one they were configured with as a string (RFC 8414 §3.3, RFC 9207).
  return issuer
}

/**
 * `/tenants/a` → `_tenants_a`. A path with characters other than letters, digits and `/` (which
 * `/tenants-a` or `/t_a` would map onto the same) adds its `pathTag`, so the suffixes of different
 * paths never collide.
 */
function operationSuffix(basePath: string, pathTag: string): string {
  const readable = basePath.replace(/[^A-Za-z0-9]+/g, '_')
  if (/^[A-Za-z0-9/]*$/.test(basePath) && !basePath.includes('//')) return readable
  return `${readable}_${pathTag}`
}

function resolveScopes(scopes: unknown): ScopeDescriptions {
  if (scopes === null || typeof scopes !== 'object' || Array.isArray(scopes))
    return fail('`scopes` must map scope names to descriptions')
  // No client could be given a scope: every token request would be `invalid_scope`.
  if (Object.keys(scopes).length === 0) fail('`scopes` must name at least one scope')
  for (const [name, description] of Object.entries(scopes)) {
    if (!isScopeToken(name)) fail(`\`scopes\` has an invalid scope name "${name}"`)
    if (typeof description !== 'string') fail(`\`scopes.${name}\` must be a description string`)
  }
  return Object.freeze({ ...(scopes as ScopeDescriptions) })
}

function resolveSecret(secret: unknown, algorithm: SigningAlgorithm): Uint8Array | undefined {
  if (secret === undefined) return undefined
  if (algorithm !== 'HS256') fail('`keys.secret` applies to HS256 only')
  const bytes =
    typeof secret === 'string'
      ? new TextEncoder().encode(secret)
      : secret instanceof Uint8Array
        ? new Uint8Array(secret)
        : fail('`keys.secret` must be a string or Uint8Array')
  if (bytes.length < 32) fail('`keys.secret` must be at least 32 bytes')
  return bytes
}

function list(value: unknown, option: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== ''))
    return fail(`\`${option}\` must be an array of non-empty strings`)
  return [...value]
}

function seconds<D extends number | undefined>(
  value: unknown,
  option: string,
  fallback: D,
  minimum = 1,
): number | D {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || (value as number) < minimum)
    fail(`\`${option}\` must be an integer ≥ ${minimum}`)
  return value as number
}
