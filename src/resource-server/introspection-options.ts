import { withResourceForms } from '../core/resource-forms.js'
import { FetchFailure, issuerURL } from '../jwt/fetch-json.js'
import {
  clock,
  count,
  milliseconds,
  nonEmpty,
  refuseUnknown,
  seconds,
  stringList,
  tolerance,
} from '../jwt/verifier-options.js'

/** Options of `createIntrospectionVerifier`. */
export interface IntrospectionVerifierOptions {
  /** The authorization server's RFC 7662 introspection endpoint. */
  endpoint: string | URL
  /** This API's client credentials at the authorization server. */
  clientId: string
  clientSecret: string
  /**
   * How the client authenticates: HTTP Basic (`'client_secret_basic'`, the default, RFC 6749
   * §2.3.1) or in the form body (`'client_secret_post'`).
   */
  clientAuth?: 'client_secret_basic' | 'client_secret_post' | undefined
  /** When set, the answer's `iss` must equal it. */
  issuer?: string | undefined
  /**
   * This API's identifier(s): the answer's `aud` must contain one. Without it, an answer carrying
   * an `aud` is refused (the token was issued for someone else).
   */
  audience?: string | readonly string[] | undefined
  /** Where scopes are read, first present wins. Defaults to `['scope']` (RFC 7662). */
  scopeClaim?: string | readonly string[] | undefined
  /** Active answers remembered, keyed by the token. Defaults to 1000; 0 asks every time. */
  cacheSize?: number | undefined
  /**
   * Seconds an active answer is reused at most (never past the token's `exp`), which bounds how long
   * a revoked token keeps working. Defaults to 60.
   */
  cacheMaxAge?: number | undefined
  /** Seconds of leeway for `exp`, `nbf` and a future `iat`. Defaults to 30. */
  clockTolerance?: number | undefined
  /** The current time in epoch seconds; defaults to the system clock. */
  now?: (() => number) | undefined
  /** Milliseconds for one introspection request. Defaults to 5000. */
  timeout?: number | undefined
  /** Largest accepted answer in bytes. Defaults to 64 KiB. */
  maxBytes?: number | undefined
  /** Accept an `http:` endpoint on a host other than loopback. Defaults to `false`. */
  allowHTTP?: boolean | undefined
  /** The `fetch` to use; defaults to the global one. */
  fetch?: typeof fetch | undefined
}

/** Options after validation, with the client's credentials turned into request parts. */
export interface ResolvedIntrospection {
  endpoint: URL
  /** Headers and form fields that authenticate the client. */
  headers: Record<string, string>
  form: Record<string, string>
  issuer: string | undefined
  audience: readonly string[] | undefined
  scopeClaims: readonly string[]
  cacheSize: number
  cacheMaxAge: number
  clockTolerance: number
  now: () => number
  limits: { timeout: number; maxBytes: number; fetch: typeof fetch }
}

const OWNER = 'createIntrospectionVerifier'

/** Checks introspection options once, throwing a `TypeError` that names the faulty option. */
const OPTIONS: readonly string[] = [
  'endpoint',
  'clientId',
  'clientSecret',
  'clientAuth',
  'issuer',
  'audience',
  'scopeClaim',
  'cacheSize',
  'cacheMaxAge',
  'clockTolerance',
  'now',
  'timeout',
  'maxBytes',
  'allowHTTP',
  'fetch',
]

export function resolveIntrospection(options: IntrospectionVerifierOptions): ResolvedIntrospection {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`${OWNER}: options must be an object`)
  refuseUnknown(options, OPTIONS, OWNER)
  const allowHTTP = options.allowHTTP ?? false
  if (typeof allowHTTP !== 'boolean') throw new TypeError(`${OWNER}: "allowHTTP" must be a boolean`)
  const endpoint = issuerURL(options.endpoint, `${OWNER}: "endpoint"`, allowHTTP)
  const clientId = nonEmpty(options.clientId, 'clientId', OWNER)
  const clientSecret = nonEmpty(options.clientSecret, 'clientSecret', OWNER)
  const auth = options.clientAuth ?? 'client_secret_basic'
  if (auth !== 'client_secret_basic' && auth !== 'client_secret_post')
    throw new TypeError(
      `${OWNER}: "clientAuth" must be "client_secret_basic" or "client_secret_post"`,
    )
  const fetchImpl = options.fetch ?? globalThis.fetch
  if (typeof fetchImpl !== 'function') throw new TypeError(`${OWNER}: "fetch" must be a function`)
  const timeout = options.timeout ?? 5000
  const maxBytes = options.maxBytes ?? 64 * 1024
  milliseconds(timeout, 'timeout', OWNER)
  if (seconds(maxBytes, 'maxBytes', OWNER) === 0)
    throw new TypeError(`${OWNER}: "maxBytes" must be positive`)
  return {
    endpoint,
    // RFC 6749 §2.3.1: both are form-encoded before they are joined and base64-encoded.
    headers:
      auth === 'client_secret_basic'
        ? { authorization: `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}` }
        : {},
    form: auth === 'client_secret_post' ? { client_id: clientId, client_secret: clientSecret } : {},
    issuer: options.issuer === undefined ? undefined : nonEmpty(options.issuer, 'issuer', OWNER),
    audience:
      options.audience === undefined
        ? undefined
        : withResourceForms(stringList(options.audience, 'audience', OWNER)),
    scopeClaims:
      options.scopeClaim === undefined
        ? ['scope']
        : stringList(options.scopeClaim, 'scopeClaim', OWNER),
    cacheSize: count(options.cacheSize ?? 1000, 'cacheSize', OWNER),
    cacheMaxAge: seconds(options.cacheMaxAge ?? 60, 'cacheMaxAge', OWNER),
    clockTolerance: tolerance(options.clockTolerance ?? 30, OWNER),
    now: clock(options.now, OWNER),
    limits: { timeout, maxBytes, fetch: fetchImpl },
  }
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2)
}

/** Whether an introspection failure is the API's own set-up (its client credentials refused). */
export function isClientRefused(error: unknown): boolean {
  return error instanceof FetchFailure && (error.status === 401 || error.status === 403)
}
