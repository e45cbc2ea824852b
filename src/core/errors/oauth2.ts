import { GatehouseError, type OAuth2ErrorCode } from './gatehouse-error.js'

/**
 * An OAuth 2.0 error response (RFC 6749 §5.2): `{"error", "error_description"?, "error_uri"?}`,
 * status from the code (401 for `invalid_client`, 400 for most). `invalid_client` after HTTP Basic
 * client authentication carries a `WWW-Authenticate: Basic` challenge (§5.2), set with `challenge`.
 * The description is for developers and must never hold a secret or a value the client sent.
 * `status` replaces the code's usual one where HTTP says more (413 for an `invalid_request` whose
 * body is too large).
 * @example throw new OAuth2Error('invalid_grant', 'The authorization code was already used')
 */
export class OAuth2Error extends GatehouseError {
  override readonly name = 'OAuth2Error'
  readonly code: OAuth2ErrorCode
  readonly description: string | undefined
  readonly uri: string | undefined
  readonly #headers: Readonly<Record<string, string>>
  readonly #status: number | undefined

  constructor(
    code: OAuth2ErrorCode,
    description?: string,
    options: {
      uri?: string | undefined
      challenge?: string | undefined
      headers?: Record<string, string> | undefined
      status?: number | undefined
    } = {},
  ) {
    super(description === undefined ? code : `${code}: ${description}`)
    this.code = code
    this.description = description
    this.uri = options.uri
    if (
      options.status !== undefined &&
      (!Number.isInteger(options.status) || options.status < 400 || options.status > 599)
    )
      throw new TypeError('OAuth2Error: `status` must be an HTTP error status (400 to 599)')
    this.#status = options.status
    this.#headers = Object.freeze({
      ...options.headers,
      ...(options.challenge === undefined ? {} : { 'www-authenticate': options.challenge }),
    })
  }

  override get status(): number {
    return this.#status ?? super.status
  }

  override get headers(): Readonly<Record<string, string>> {
    return this.#headers
  }

  override body(): unknown {
    return {
      error: this.code,
      ...(this.description === undefined ? {} : { error_description: this.description }),
      ...(this.uri === undefined ? {} : { error_uri: this.uri }),
    }
  }
}

/** Tells whether a value is an {@link OAuth2Error}, also across copies of the package. */
export function isOAuth2Error(value: unknown): value is OAuth2Error {
  return value instanceof OAuth2Error || (value instanceof Error && value.name === 'OAuth2Error')
}
