import { GatehouseError, type OAuth2ErrorCode } from './gatehouse-error.js'

/**
 * An OAuth 2.0 error response (RFC 6749 §5.2): `{"error", "error_description"?, "error_uri"?}`,
 * status from the code (401 for `invalid_client`, 400 for most). `invalid_client` after HTTP Basic
 * client authentication carries a `WWW-Authenticate: Basic` challenge (§5.2), set with `challenge`.
 * The description is for developers and must never hold a secret or a value the client sent.
 * @example throw new OAuth2Error('invalid_grant', 'The authorization code was already used')
 */
export class OAuth2Error extends GatehouseError {
  override readonly name = 'OAuth2Error'
  readonly code: OAuth2ErrorCode
  readonly description: string | undefined
  readonly uri: string | undefined
  readonly #headers: Readonly<Record<string, string>>

  constructor(
    code: OAuth2ErrorCode,
    description?: string,
    options: { uri?: string; challenge?: string; headers?: Record<string, string> } = {},
  ) {
    super(description === undefined ? code : `${code}: ${description}`)
    this.code = code
    this.description = description
    this.uri = options.uri
    this.#headers = Object.freeze({
      ...options.headers,
      ...(options.challenge === undefined ? {} : { 'www-authenticate': options.challenge }),
    })
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
