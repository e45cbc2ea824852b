import { SecurityScheme } from '../core/declare/security-scheme.js'
import { HTTPException } from '../core/errors/index.js'
import type { RequestView } from '../core/run/request-view.js'

/**
 * The user's scheme as `createCurrentPrincipal` reads it: the same `schemeName` and the very same
 * `model` (so OpenAPI documents one scheme), but missing credentials give `undefined` instead of
 * the scheme's own 401, so the dependency answers them with its full challenge (`realm`, `scope`,
 * `resource_metadata`). Any other error of the scheme (a 400 for a malformed request) passes.
 */
export class PrincipalScheme extends SecurityScheme<string | undefined> {
  readonly schemeName: string
  // The principal is required: the operation is documented as needing this scheme.
  readonly autoError = true
  readonly model: SecurityScheme['model']
  readonly #inner: SecurityScheme<string | undefined>

  constructor(inner: SecurityScheme<string | undefined>) {
    super()
    this.#inner = inner
    this.schemeName = inner.schemeName
    this.model = inner.model
  }

  // Synchronous when the user's scheme is: the tutorial's hot path stays free of promises.
  extract(request: RequestView): string | undefined | Promise<string | undefined> {
    let token: string | undefined | Promise<string | undefined>
    try {
      token = this.#inner.extract(request)
    } catch (error) {
      return missingOnly(error)
    }
    return token instanceof Promise ? token.then(present, missingOnly) : present(token)
  }
}

function present(token: string | undefined): string | undefined {
  return typeof token === 'string' && token !== '' ? token : undefined
}

function missingOnly(error: unknown): undefined {
  if (error instanceof HTTPException && error.status === 401) return undefined
  throw error
}
