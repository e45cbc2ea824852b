import { MAX_TIMER } from '../core/declare/known-options.js'
import { withResourceForms } from '../core/resource-forms.js'
import {
  ASYMMETRIC_ALGORITHMS,
  isVerifierAlgorithm,
  type JWTVerifierAlgorithm,
} from './algorithms.js'
import { issuerURL } from './fetch-json.js'
import type { JSONWebKeySet } from './key-set.js'

/** How remote keys and metadata are fetched and kept. */
export interface RemoteKeyOptions {
  /** Milliseconds for one fetch, body included. Defaults to 5000. */
  timeout?: number | undefined
  /** Largest accepted JWKS or metadata document in bytes. Defaults to 256 KiB. */
  maxBytes?: number | undefined
  /**
   * Seconds between two fetches at least, however many tokens name an unknown `kid`. Defaults to
   * 30.
   */
  cooldown?: number | undefined
  /** Seconds a fetched key set is used before it is fetched again. Defaults to 600. */
  maxAge?: number | undefined
  /** Accept `http:` key and metadata URLs on hosts other than loopback. Defaults to `false`. */
  allowHTTP?: boolean | undefined
  /** The `fetch` to use; defaults to the global one. */
  fetch?: typeof fetch | undefined
}

/** Options of `createJWTVerifier`. Give `keys`, or `jwksUri`, or neither (discovery from `issuer`). */
export interface JWTVerifierOptions {
  /**
   * The issuer, exactly as its tokens' `iss` spell it. Required; without `keys` or `jwksUri`, its
   * RFC 8414 or OpenID metadata is fetched for the `jwks_uri`.
   */
  issuer: string
  /**
   * This API's identifier (or several): a token's `aud` must contain one. Usually the RFC 8707
   * resource URL of the API, as in its RFC 9728 metadata.
   */
  audience: string | readonly string[]
  /** A JWKS given in code, `{ keys: [...] }`: public JWKs (and `oct` keys for HS*). */
  keys?: JSONWebKeySet | undefined
  /** The issuer's JWKS URL, fetched and cached (see `remote`). */
  jwksUri?: string | URL | undefined
  /**
   * The algorithms accepted, whatever a token's header says. Defaults to every asymmetric one
   * (RS*, PS*, ES*, EdDSA); HS* must be listed. A key verifies only algorithms its `kty`, `crv` and
   * own `alg` fit, so an HS256 token never meets an RSA key as a secret.
   */
  algorithms?: readonly JWTVerifierAlgorithm[] | undefined
  /** The `typ` header tokens must carry, e.g. `'at+jwt'` (RFC 9068). Defaults to any. */
  typ?: string | undefined
  /**
   * The claim(s) scopes are read from, the first present one winning: a space-separated string or
   * an array. Defaults to `['scope', 'scp']` (RFC 9068, then Entra/Okta); Auth0's RBAC puts them in
   * `'permissions'`.
   */
  scopeClaim?: string | readonly string[] | undefined
  /** Seconds of leeway for `exp`, `nbf` and a future `iat` (clock skew). Defaults to 30. */
  clockTolerance?: number | undefined
  /** The current time in epoch seconds; defaults to the system clock. Freeze it in tests. */
  now?: (() => number) | undefined
  /** Verified tokens remembered (keyed by the whole token, expiring with it). Defaults to 1000; 0 is off. */
  cacheSize?: number | undefined
  /** Fetching `jwksUri` and the issuer's metadata. */
  remote?: RemoteKeyOptions | undefined
}

/** Options after validation, with defaults applied. */
export interface ResolvedVerifierOptions {
  issuer: string
  audience: readonly string[]
  keys: JSONWebKeySet | undefined
  jwksUri: URL | undefined
  algorithms: readonly JWTVerifierAlgorithm[]
  typ: string | undefined
  scopeClaims: readonly string[]
  clockTolerance: number
  now: () => number
  cacheSize: number
  remote: ResolvedRemoteOptions
}

/** {@link RemoteKeyOptions} with defaults applied. */
export interface ResolvedRemoteOptions {
  timeout: number
  maxBytes: number
  cooldown: number
  maxAge: number
  allowHTTP: boolean
  fetch: typeof fetch
}

const OWNER = 'createJWTVerifier'
const systemClock = () => Date.now() / 1000

const OPTIONS: readonly string[] = [
  'issuer',
  'audience',
  'keys',
  'jwksUri',
  'algorithms',
  'typ',
  'scopeClaim',
  'clockTolerance',
  'now',
  'cacheSize',
  'remote',
]
const REMOTE_OPTIONS: readonly string[] = [
  'timeout',
  'maxBytes',
  'cooldown',
  'maxAge',
  'allowHTTP',
  'fetch',
]

/** Most an issuer's clock may be off; more would keep expired tokens alive for long. */
export const MAX_CLOCK_TOLERANCE = 600

// A media type, or its subtype alone (RFC 7515 §4.1.9), of RFC 9110 §5.6.2 tokens; no parameters.
const MEDIA_TYPE = /^(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+\/)?[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * Throws a `TypeError` naming the first key of `options` that is not an option: a misspelled one
 * (`jwks_uri`, `timout`) would otherwise be ignored and the default silently used instead.
 */
export function refuseUnknown(
  options: object,
  known: readonly string[],
  owner: string,
  prefix = '',
): void {
  for (const name of Object.keys(options))
    if (!known.includes(name))
      throw new TypeError(
        `${owner}: unknown option "${prefix}${name}" (known: ${known.map((k) => prefix + k).join(', ')})`,
      )
}

/** Checks verifier options once, throwing a `TypeError` that names the faulty option. */
export function resolveVerifierOptions(options: JWTVerifierOptions): ResolvedVerifierOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`${OWNER}: options must be an object`)
  refuseUnknown(options, OPTIONS, OWNER)
  const remote = resolveRemote(options.remote)
  const issuer = nonEmpty(options.issuer, 'issuer')
  const { keys, jwksUri } = options
  if (keys !== undefined && jwksUri !== undefined)
    throw new TypeError(`${OWNER}: give "keys" or "jwksUri", not both`)
  if (keys !== undefined && options.remote !== undefined)
    throw new TypeError(`${OWNER}: "remote" applies to fetched keys, not to "keys" given in code`)
  if (keys === undefined && jwksUri === undefined) {
    // RFC 8414 §2: an issuer identifier has no query (nor fragment, which issuerURL refuses).
    if (
      issuerURL(issuer, `${OWNER}: "issuer"`, remote.allowHTTP).search !== '' ||
      issuer.includes('?')
    )
      throw new TypeError(`${OWNER}: "issuer" must not have a query (RFC 8414 §2)`)
  }
  const algorithms = options.algorithms ?? ASYMMETRIC_ALGORITHMS
  if (
    !Array.isArray(algorithms) ||
    algorithms.length === 0 ||
    !algorithms.every(isVerifierAlgorithm)
  )
    throw new TypeError(`${OWNER}: "algorithms" must be a non-empty list of known JWS algorithms`)
  // A fetched set is public; an HMAC secret in it would let anyone sign (RFC 8725 §3.2).
  const symmetric = algorithms.find((alg) => alg.startsWith('HS'))
  if (keys === undefined && symmetric !== undefined)
    throw new TypeError(
      `${OWNER}: "algorithms" allows ${symmetric}, but HS* keys come only from "keys" given in code, never from a fetched JWKS`,
    )
  return {
    issuer,
    // Either spelling of an origin-only resource (RFC 9110 §4.2.3); see resourceForms.
    audience: withResourceForms(stringList(options.audience, 'audience')),
    keys,
    jwksUri:
      jwksUri === undefined
        ? undefined
        : issuerURL(jwksUri, `${OWNER}: "jwksUri"`, remote.allowHTTP),
    algorithms: [...algorithms],
    typ: options.typ === undefined ? undefined : mediaType(options.typ),
    scopeClaims:
      options.scopeClaim === undefined
        ? ['scope', 'scp']
        : stringList(options.scopeClaim, 'scopeClaim'),
    clockTolerance: tolerance(options.clockTolerance ?? 30),
    now: clock(options.now),
    cacheSize: count(options.cacheSize ?? 1000, 'cacheSize'),
    remote,
  }
}

function resolveRemote(remote: RemoteKeyOptions | undefined): ResolvedRemoteOptions {
  if (remote !== undefined && (typeof remote !== 'object' || remote === null))
    throw new TypeError(`${OWNER}: "remote" must be an object`)
  if (remote !== undefined) refuseUnknown(remote, REMOTE_OPTIONS, OWNER, 'remote.')
  const allowHTTP = remote?.allowHTTP ?? false
  if (typeof allowHTTP !== 'boolean')
    throw new TypeError(`${OWNER}: "remote.allowHTTP" must be a boolean`)
  const fetchImpl = remote?.fetch ?? globalThis.fetch
  if (typeof fetchImpl !== 'function')
    throw new TypeError(`${OWNER}: "remote.fetch" must be a function`)
  return {
    timeout: milliseconds(remote?.timeout ?? 5000, 'remote.timeout'),
    maxBytes: positive(remote?.maxBytes ?? 256 * 1024, 'remote.maxBytes'),
    cooldown: seconds(remote?.cooldown ?? 30, 'remote.cooldown'),
    maxAge: positive(remote?.maxAge ?? 600, 'remote.maxAge'),
    allowHTTP,
    fetch: fetchImpl,
  }
}

/** A tolerance past this keeps tokens alive long after `exp`, which is never what a skew needs. */
export function tolerance(value: unknown, owner = OWNER): number {
  const result = seconds(value, 'clockTolerance', owner)
  if (result > MAX_CLOCK_TOLERANCE)
    throw new TypeError(`${owner}: "clockTolerance" must be at most ${MAX_CLOCK_TOLERANCE} seconds`)
  return result
}

// A `typ` no header can match (parameters, spaces) would refuse every token.
function mediaType(value: unknown): string {
  const typ = nonEmpty(value, 'typ')
  if (!MEDIA_TYPE.test(typ))
    throw new TypeError(
      `${OWNER}: "typ" must be a media type without parameters, e.g. "at+jwt" (RFC 7515 §4.1.9)`,
    )
  return typ
}

/** Shared by the verifiers: a non-empty string, or a `TypeError` naming `name`. */
export function nonEmpty(value: unknown, name: string, owner = OWNER): string {
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`${owner}: "${name}" must be a non-empty string`)
  return value
}

/** A non-empty string or a non-empty list of them. */
export function stringList(value: unknown, name: string, owner = OWNER): readonly string[] {
  const list = typeof value === 'string' ? [value] : value
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((item) => typeof item === 'string' && item !== '')
  )
    throw new TypeError(
      `${owner}: "${name}" must be a non-empty string or a non-empty list of them`,
    )
  return Object.freeze([...list])
}

/** A finite number ≥ 0. */
export function seconds(value: unknown, name: string, owner = OWNER): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new TypeError(`${owner}: "${name}" must be a finite number ≥ 0`)
  return value
}

/**
 * A timeout as `AbortSignal.timeout` takes it: a whole number of milliseconds a timer can hold
 * (≤ 2³¹ − 1). A fraction throws there, and a longer one fires after 1 ms, failing every fetch.
 */
export function milliseconds(value: unknown, name: string, owner = OWNER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMER)
    throw new TypeError(
      `${owner}: "${name}" must be a whole number of milliseconds, 1 to ${MAX_TIMER}`,
    )
  return value
}

function positive(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new TypeError(`${OWNER}: "${name}" must be a positive number`)
  return value
}

/** An integer ≥ 0. */
export function count(value: unknown, name: string, owner = OWNER): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    throw new TypeError(`${owner}: "${name}" must be an integer ≥ 0`)
  return value as number
}

/** A clock function, or the system clock. */
export function clock(now: unknown, owner = OWNER): () => number {
  if (now === undefined) return systemClock
  if (typeof now !== 'function') throw new TypeError(`${owner}: "now" must be a function`)
  return now as () => number
}
