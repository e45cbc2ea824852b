import { type Dependable, dependency } from '../core/declare/dependency.js'
import {
  type SchemeContext,
  type SchemeReader,
  SecurityScheme,
} from '../core/declare/security-scheme.js'
import { BadRequestError, HTTPException } from '../core/errors/index.js'
import type { RequestView } from '../core/run/request-view.js'

/**
 * The user's scheme as `createCurrentPrincipal` reads it: the same `schemeName` and the very same
 * `model` (so OpenAPI documents one scheme), but missing credentials are answered with the
 * dependency's own challenge (`realm`, `resource_metadata`). It still runs with the other schemes,
 * before any dependency, so a request without credentials stops before anything else runs. A
 * malformed request (two `Authorization` headers) is the dependency's 400 `invalid_request`
 * challenge (RFC 6750 §3.1); any other error of the scheme passes unchanged.
 */
export class PrincipalScheme extends SecurityScheme<string> implements SchemeReader {
  readonly schemeName: string
  // The principal is required: the operation is documented as needing this scheme.
  readonly autoError = true
  readonly model: SecurityScheme['model']
  readonly #inner: SecurityScheme<unknown>
  readonly #missing: (scopes: readonly string[]) => HTTPException
  readonly #malformed: (reason: string) => HTTPException
  readonly #standIns = new WeakMap<object, Dependable>()

  constructor(
    inner: SecurityScheme<unknown>,
    challenge: {
      /** Given the scopes the route requires through this scheme. */
      missing: (scopes: readonly string[]) => HTTPException
      malformed: (reason: string) => HTTPException
    },
  ) {
    super()
    this.#inner = inner
    this.#missing = challenge.missing
    this.#malformed = challenge.malformed
    this.schemeName = inner.schemeName
    this.model = inner.model
  }

  get reads(): SecurityScheme<unknown> {
    return this.#inner
  }

  /**
   * While the user's scheme is overridden, the token is the replacement's value, presented as the
   * scheme's would be (an `HTTPBearer` stand-in's credentials are the token). One stand-in per
   * replacement, so the request's cache shares it like the scheme.
   */
  insteadOf(replacement: unknown): Dependable {
    const key = replacement as object
    let standIn = this.#standIns.get(key)
    if (standIn === undefined) {
      standIn = dependency({ value: replacement as Dependable }, ({ value }) =>
        this.#present(value, []),
      ) as Dependable
      this.#standIns.set(key, standIn)
    }
    return standIn
  }

  // Synchronous when the user's scheme is: the tutorial's hot path stays free of promises.
  extract(request: RequestView, context?: SchemeContext): string | Promise<string> {
    const scopes = context?.scopes ?? []
    let token: unknown
    try {
      token = this.#inner.extract(request, context)
    } catch (error) {
      throw this.#instead(error, scopes)
    }
    if (token instanceof Promise)
      return token.then(
        (value) => this.#present(value, scopes),
        (error: unknown) => {
          throw this.#instead(error, scopes)
        },
      )
    return this.#present(token, scopes)
  }

  #present(value: unknown, scopes: readonly string[]): string {
    // An `HTTPBearer` gives `{ scheme, credentials }`: the credentials are the token.
    const token =
      typeof value === 'object' && value !== null
        ? (value as { credentials?: unknown }).credentials
        : value
    if (typeof token === 'string' && token !== '') return token
    throw this.#missing(scopes)
  }

  #instead(error: unknown, scopes: readonly string[]): unknown {
    if (error instanceof BadRequestError) return this.#malformed(error.reason)
    return error instanceof HTTPException && error.status === 401 ? this.#missing(scopes) : error
  }
}
