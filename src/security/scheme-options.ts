/**
 * What a scheme gives the handler: `T`, or `T | undefined` when `autoError` is `false` (or only known
 * to be some boolean).
 */
export type SchemeValue<T, A extends boolean> = A extends false ? T | undefined : T

/** Options every security scheme takes. */
export interface SchemeOptions<A extends boolean = boolean> {
  /** The key under `components.securitySchemes`; defaults to the class name, as in FastAPI. */
  schemeName?: string | undefined
  /** Shown in the OpenAPI security scheme. */
  description?: string | undefined
  /**
   * `false` makes the scheme optional: missing credentials give the handler `undefined` instead of
   * a 401. Default `true`.
   */
  autoError?: A | undefined
}
