/**
 * What the authorization server stores. Times are whole seconds since the epoch; secrets (client
 * secrets, refresh tokens, authorization codes) are only ever stored as keyed hashes.
 */

/** The grant types the token endpoint knows (RFC 6749 §4, §6). */
export type GrantType = 'authorization_code' | 'client_credentials' | 'password' | 'refresh_token'

/** A resource owner who can log in. */
export interface UserRecord {
  /** Stable identifier, the `sub` of the user's tokens. */
  readonly id: string
  /** What the user types to log in; unique. */
  readonly username: string
  /** A PHC string from the password hasher; `null` when the user cannot log in with a password. */
  readonly passwordHash: string | null
  /** Every scope this user may ever be granted. */
  readonly scopes: readonly string[]
  /** A disabled user cannot log in and their refresh tokens stop working. */
  readonly disabled: boolean
  readonly createdAt: number
}

/** The fields of a user that may change. */
export type UserChanges = Partial<Pick<UserRecord, 'passwordHash' | 'scopes' | 'disabled'>>

/** A registered OAuth 2.0 client. */
export interface ClientRecord {
  /** The `client_id`. */
  readonly id: string
  /** Keyed hash of the client secret; `null` for a public client (RFC 6749 §2.1). */
  readonly secretHash: string | null
  /** Shown to users on consent pages. */
  readonly name: string | null
  /** The grants this client may use; any other answers `unauthorized_client`. */
  readonly grantTypes: readonly GrantType[]
  /** Registered redirect URIs, compared exactly. */
  readonly redirectUris: readonly string[]
  /** Every scope this client may ever be granted. */
  readonly scopes: readonly string[]
  readonly createdAt: number
  /**
   * Registered by itself through open dynamic registration (RFC 7591), so by anyone: its redirect
   * URIs get no error redirect before a user has signed in (RFC 9700 §4.11.2), and it may
   * introspect only its own tokens. Absent (false) for clients an administrator created.
   */
  readonly selfRegistered?: boolean | undefined
  /**
   * The one way this confidential client authenticates at the token, revocation and
   * introspection endpoints, as it registered (RFC 7591 `token_endpoint_auth_method`); the other
   * is refused. Absent: either (clients an administrator made, unless given).
   */
  readonly tokenEndpointAuthMethod?: SecretAuthMethod | undefined
}

/** The ways a confidential client sends its secret (RFC 6749 §2.3.1), as RFC 7591 names them. */
export const SECRET_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const

/** How a confidential client sends its secret. */
export type SecretAuthMethod = (typeof SECRET_AUTH_METHODS)[number]

export function isSecretAuthMethod(value: unknown): value is SecretAuthMethod {
  return (SECRET_AUTH_METHODS as readonly unknown[]).includes(value)
}

/**
 * One grant of access by a user to a client: what an authorization code or a password login
 * produced. Its refresh tokens rotate within it, and every access token issued from it names it
 * (`grant_id`), so revoking the family revokes them all at once.
 */
export interface TokenFamilyRecord {
  readonly id: string
  readonly clientId: string
  /** The user's id. */
  readonly subject: string
  /** The scopes granted; a refresh may ask for fewer, never more. */
  readonly scopes: readonly string[]
  /** RFC 8707 resource indicators the grant is bound to; empty means the default audience. */
  readonly resources: readonly string[]
  readonly createdAt: number
  /** The grant ends here: no refresh token and no access token of it outlives this. */
  readonly expiresAt: number
  /** Set when the family was revoked (by the user, or after reuse of a rotated token). */
  readonly revokedAt: number | null
}

/** One refresh token of a family. */
export interface RefreshTokenRecord {
  /** Keyed hash of the token. */
  readonly hash: string
  readonly familyId: string
  readonly issuedAt: number
  readonly expiresAt: number
  /** When it was exchanged for its successor; a second use is reuse. */
  readonly usedAt: number | null
  /** The successor's hash, once rotated. */
  readonly replacedBy: string | null
}

/** An authorization code issued by `/authorize`, single use. */
export interface AuthorizationCodeRecord {
  /** Keyed hash of the code. */
  readonly hash: string
  readonly clientId: string
  /** The user's id. */
  readonly subject: string
  /** The `redirect_uri` of the authorization request, `null` when it named none. */
  readonly redirectUri: string | null
  readonly scopes: readonly string[]
  readonly resources: readonly string[]
  /** The PKCE S256 challenge (RFC 7636). */
  readonly codeChallenge: string
  readonly createdAt: number
  readonly expiresAt: number
  readonly usedAt: number | null
  /** The family the first redemption created: revoked if the code is redeemed again. */
  readonly familyId: string | null
}

/** What a key is for. */
export type KeyPurpose = 'signing' | 'hashing'

/** A signing key, or the server's secret-hashing key. */
export interface KeyRecord {
  readonly kid: string
  readonly purpose: KeyPurpose
  /** `EdDSA`, `ES256`, `RS256`, `HS256` (signing) or `HMAC-SHA256` (hashing). */
  readonly algorithm: string
  /** The private (or secret) key as a JSON Web Key, serialized. */
  readonly privateJWK: string
  /** The public key as a JSON Web Key, serialized; `null` for symmetric keys. */
  readonly publicJWK: string | null
  readonly createdAt: number
  /** When it stopped signing; `null` while it is the active key. */
  readonly retiredAt: number | null
  /** When a retired key may be deleted: after the last token it signed expired. */
  readonly expiresAt: number | null
}

/** Failed login attempts counted under one key (a username or a client address). */
export interface ThrottleRecord {
  readonly key: string
  readonly failures: number
  readonly lastFailureAt: number
  /** The count is forgotten from here on. */
  readonly expiresAt: number
}

/** A user's remembered consent to a client: `/authorize` skips its consent page within it. */
export interface ConsentRecord {
  /** The user's id. */
  readonly subject: string
  readonly clientId: string
  /** The scopes consented to; a request for more asks again. */
  readonly scopes: readonly string[]
  readonly createdAt: number
  /** The consent is forgotten from here on. */
  readonly expiresAt: number
}
