import type { RequestView } from '../run/request-view.js'
import type { InputSource } from './inputs.js'

/** An OpenAPI 3.1 Security Scheme Object, as it appears under `components.securitySchemes`. */
export type SecuritySchemeObject = Record<string, unknown> & {
  type: 'apiKey' | 'http' | 'oauth2' | 'openIdConnect' | 'mutualTLS'
}

/** What a scheme is told about the route it reads credentials for. */
export interface SchemeContext {
  /**
   * Every scope the route requires through this scheme, in order of first appearance: what its
   * OpenAPI security requirement lists (so a challenge for missing credentials can name them).
   */
  readonly scopes: readonly string[]
}

/**
 * Base of every security scheme: an input that reads credentials from the request, and the OpenAPI
 * security scheme that documents it. Subclasses implement `extract`, which returns the credentials or
 * throws an `HTTPException` (401 with the scheme's challenge) when `autoError` is on.
 */
export abstract class SecurityScheme<T = unknown> implements InputSource<T> {
  readonly '~gatehouse' = 'scheme' as const
  declare readonly '~types'?: { readonly output: T }
  /** The key under `components.securitySchemes` and in operation `security` requirements. */
  abstract readonly schemeName: string
  /**
   * `false` makes the scheme optional: missing credentials give `undefined` instead of a 401, and
   * OpenAPI documents the operation as also callable without them.
   */
  abstract readonly autoError: boolean
  /** The OpenAPI Security Scheme Object. */
  abstract readonly model: SecuritySchemeObject
  /** Read the credentials; runs once per request however often the scheme appears in the tree. */
  abstract extract(request: RequestView, context?: SchemeContext): T | Promise<T>
}

/**
 * A scheme that reads another one and presents its credentials its own way (the scheme inside
 * `createCurrentPrincipal`). Overriding the scheme it reads (`dependencyOverrides.set(oauth2Scheme,
 * …)`, as a FastAPI test suite does) reaches it: the plan asks it for its stand-in around the
 * replacement.
 */
export interface SchemeReader {
  /** The scheme whose override this one follows. */
  readonly reads: SecurityScheme<unknown>
  /** What to use instead of this scheme while `reads` is replaced by `replacement`. */
  insteadOf(replacement: unknown): unknown
}

export function isSchemeReader(value: unknown): value is SchemeReader {
  return (
    value instanceof SecurityScheme &&
    typeof (value as Partial<SchemeReader>).insteadOf === 'function' &&
    (value as Partial<SchemeReader>).reads instanceof SecurityScheme
  )
}
