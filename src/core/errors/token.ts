import { bearerChallenge } from './bearer-challenge.js'
import { isScopeToken } from './challenge-params.js'
import { GatehouseError, type InvalidTokenCode } from './gatehouse-error.js'

const messages: Record<InvalidTokenCode, string> = {
  token_malformed: 'Token is malformed',
  token_signature_invalid: 'Token signature is invalid',
  token_expired: 'Token has expired',
  token_not_yet_valid: 'Token is not yet valid',
  token_claim_invalid: 'Token claim is invalid',
  token_algorithm_invalid: 'Token algorithm is not allowed',
  token_key_unknown: 'Token key is unknown',
  token_type_invalid: 'Token type is not allowed',
  token_inactive: 'Token is not active',
}

/**
 * A bearer token was refused (RFC 6750 `invalid_token`, 401). The message never contains the token,
 * any part of it, a claim value or the key.
 *
 * @example
 * ```ts
 * try {
 *   await codec.verify(token)
 * } catch (error) {
 *   if (isInvalidTokenError(error) && error.code === 'token_expired') return refresh()
 *   throw error
 * }
 * ```
 */
export class InvalidTokenError extends GatehouseError {
  override readonly name = 'InvalidTokenError'
  /** Stable reason for the refusal. */
  readonly code: InvalidTokenCode
  /** The claim (or header parameter) at fault, when there is one. */
  readonly claim: string | undefined

  constructor(code: InvalidTokenCode, claim?: string) {
    // Only names of claims appear in messages, never their values.
    super(claim === undefined ? messages[code] : `${messages[code]} ("${claim}")`)
    this.code = code
    this.claim = claim
  }

  override get headers(): Readonly<Record<string, string>> {
    return { 'www-authenticate': 'Bearer error="invalid_token"' }
  }

  override body(): unknown {
    return { detail: 'Could not validate credentials' }
  }
}

/**
 * Tells whether a value is an {@link InvalidTokenError}, also across copies of the package.
 * @example if (isInvalidTokenError(error)) return c.json({ error: 'invalid_token' }, 401)
 */
export function isInvalidTokenError(value: unknown): value is InvalidTokenError {
  return (
    value instanceof InvalidTokenError ||
    (value instanceof Error &&
      value.name === 'InvalidTokenError' &&
      Object.hasOwn(messages, String((value as { code?: unknown }).code)))
  )
}

/** Where an {@link InsufficientScopeError}'s challenge points the client. */
export interface InsufficientScopeOptions {
  /** The challenge's `realm`. */
  readonly realm?: string | undefined
  /** The API's RFC 9728 metadata URL (`resource_metadata`), as `mountProtectedResourceMetadata` returns it. */
  readonly resourceMetadata?: string | undefined
}

/**
 * A valid token that lacks scopes the operation needs (RFC 6750 `insufficient_scope`, 403). Throw
 * it yourself where the scopes depend on the request, not the route (an MCP server's tools on one
 * endpoint): name every scope needed and the API's metadata, and an MCP client steps up.
 * @example throw new InsufficientScopeError(['mcp:read', 'mcp:write'], { resourceMetadata })
 */
export class InsufficientScopeError extends GatehouseError {
  override readonly name = 'InsufficientScopeError'
  readonly code = 'insufficient_scope'
  /** Every scope the operation needs, so a client can ask for them all at once (step-up). */
  readonly requiredScopes: readonly string[]
  readonly #challenge: InsufficientScopeOptions

  constructor(requiredScopes: readonly string[], challenge: InsufficientScopeOptions = {}) {
    super('Not enough permissions')
    this.requiredScopes = Object.freeze([...requiredScopes])
    this.#challenge = { realm: challenge.realm, resourceMetadata: challenge.resourceMetadata }
  }

  override get headers(): Readonly<Record<string, string>> {
    return {
      'www-authenticate': bearerChallenge({
        ...this.#challenge,
        error: 'insufficient_scope',
        // Names built from the request may be anything: only scope tokens (RFC 6749 §3.3) go
        // out, so "search admin" cannot add a scope to the challenge, nor CR LF break the header.
        scope: this.requiredScopes.filter(isScopeToken).join(' '),
      }),
    }
  }
}

/**
 * Verification keys (a JWKS) or an introspection endpoint could not be reached and nothing cached
 * can stand in: answered 503 with `Retry-After`, so clients retry rather than drop their token.
 * Its `cause`, when there is one, says what failed (the URL without its query, and how) and is
 * logged once by the default error answer, however many requests it refuses.
 */
export class KeySourceUnavailableError extends GatehouseError {
  override readonly name = 'KeySourceUnavailableError'
  readonly code = 'key_source_unavailable'
  readonly retryAfter: number

  constructor(
    message = 'Token verification is temporarily unavailable',
    retryAfter = 5,
    options?: { cause?: Error | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.retryAfter = retryAfter
  }

  override get headers(): Readonly<Record<string, string>> {
    return { 'retry-after': String(this.retryAfter) }
  }

  override body(): unknown {
    return { detail: 'Service Unavailable' }
  }
}
