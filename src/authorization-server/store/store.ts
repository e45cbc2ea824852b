import type {
  AuthorizationCodeRecord,
  ClientRecord,
  ConsentRecord,
  KeyPurpose,
  KeyRecord,
  RefreshTokenRecord,
  ThrottleRecord,
  TokenFamilyRecord,
  UserChanges,
  UserRecord,
} from './records.js'

/** Users: looked up by id (token subjects) and by username (logins). */
export interface UserStore {
  /** Adds a user; `false` when the id or the username is taken. */
  createUser(user: UserRecord): Promise<boolean>
  findUserById(id: string): Promise<UserRecord | undefined>
  findUserByUsername(username: string): Promise<UserRecord | undefined>
  /** Changes a user; `false` when there is no such user. */
  updateUser(id: string, changes: UserChanges): Promise<boolean>
  /** Every user, by username. */
  listUsers(): Promise<UserRecord[]>
  /**
   * A few stored password hashes, one of each algorithm and cost (bcrypt's `$2b$12$`, an Argon2
   * parameter set), so that unknown users are checked against a decoy as slow as the slowest
   * real hash from the first login on. Optional: without it, the hasher learns a kind when it
   * first checks one, and until then a user with a slower legacy hash answers more slowly.
   */
  passwordHashSamples?(): Promise<string[]>
}

/** Registered clients. */
export interface ClientStore {
  /** Adds a client; `false` when the id is taken. */
  createClient(client: ClientRecord): Promise<boolean>
  findClient(id: string): Promise<ClientRecord | undefined>
  /** Every client, by id. */
  listClients(): Promise<ClientRecord[]>
}

/** What {@link TokenStore.rotateRefreshToken} did. */
export type RotationResult =
  /** The token was current: it is now used and `next` is the family's current token. */
  | { readonly outcome: 'rotated'; readonly family: TokenFamilyRecord }
  /**
   * The token was rotated a moment ago (within the grace window) and its successor is still
   * unused: the caller answers with that same successor again, nothing changed.
   */
  | { readonly outcome: 'retried'; readonly family: TokenFamilyRecord; readonly successor: string }
  /** The token was already rotated: the whole family is now revoked. */
  | { readonly outcome: 'reused'; readonly familyId: string }
  /** Unknown, expired, or its family is revoked or over. */
  | { readonly outcome: 'invalid' }

/** What {@link TokenStore.redeemCode} did. */
export type RedemptionResult =
  /** First redemption: the code is used and the family (with its first refresh token) exists. */
  | { readonly outcome: 'redeemed' }
  /** Already redeemed: the family the first redemption created is now revoked. */
  | { readonly outcome: 'reused'; readonly familyId: string | null }
  /** Unknown or expired. */
  | { readonly outcome: 'invalid' }

/**
 * Refresh-token families, authorization codes and revoked access tokens. Every state change that
 * must hold across processes is one method here, which a SQL store runs as one transaction that
 * starts with its conditional write.
 */
export interface TokenStore {
  /** Starts a family (a password login), with its first refresh token when one is issued. */
  createFamily(family: TokenFamilyRecord, refreshToken?: RefreshTokenRecord): Promise<void>
  /** A refresh token and its family, whatever their state. */
  findRefreshToken(
    hash: string,
  ): Promise<{ token: RefreshTokenRecord; family: TokenFamilyRecord } | undefined>
  /**
   * Exchanges a refresh token for its successor, atomically: a current token is marked used and
   * `next` inserted; a used one within `graceSeconds` of its use whose successor is still unused
   * is a retry (`graceSeconds` 0: never); any other used one revokes the family.
   */
  rotateRefreshToken(input: {
    hash: string
    next: { hash: string; expiresAt: number }
    now: number
    graceSeconds: number
  }): Promise<RotationResult>
  /** Revokes a family (idempotent): its refresh tokens and access tokens stop working. */
  revokeFamily(familyId: string, now: number): Promise<void>
  /** Stores a new authorization code. */
  createCode(code: AuthorizationCodeRecord): Promise<void>
  findCode(hash: string): Promise<AuthorizationCodeRecord | undefined>
  /**
   * Redeems a code, atomically: the first redemption of an unexpired code marks it used and
   * creates `family` (and `refreshToken`); a later one revokes the family the first created.
   */
  redeemCode(input: {
    hash: string
    now: number
    family: TokenFamilyRecord
    refreshToken?: RefreshTokenRecord | undefined
  }): Promise<RedemptionResult>
  /** Records a revoked access token until it would have expired anyway (idempotent). */
  revokeAccessToken(jti: string, expiresAt: number): Promise<void>
  /** Whether an access token was revoked, itself or through its family. */
  isAccessTokenRevoked(jti: string, familyId?: string): Promise<boolean>
}

/** Consents users gave to clients at `/authorize`, remembered for a while. */
export interface ConsentStore {
  /** The unexpired consent of a user to a client, if any. */
  findConsent(subject: string, clientId: string, now: number): Promise<ConsentRecord | undefined>
  /** Stores a consent, replacing the user's earlier one to the same client. */
  saveConsent(consent: ConsentRecord): Promise<void>
  /** Forgets a user's consent to a client (idempotent). */
  deleteConsent(subject: string, clientId: string): Promise<void>
}

/** Failed-login counters. */
export interface ThrottleStore {
  /** The counter under `key`, unless there is none or it expired. */
  readThrottle(key: string, now: number): Promise<ThrottleRecord | undefined>
  /**
   * Counts one failure, atomically: an expired counter starts again at 1; either way it now
   * expires `windowSeconds` after this failure.
   */
  recordFailure(key: string, now: number, windowSeconds: number): Promise<ThrottleRecord>
  clearThrottle(key: string): Promise<void>
}

/** Signing keys and the secret-hashing key. */
export interface KeyStore {
  /** Every key, oldest first. */
  listKeys(): Promise<KeyRecord[]>
  /**
   * Adds `key` unless an active (unretired) key of the same purpose exists, atomically, so
   * processes starting together agree on one. `true` when it was added.
   */
  addKeyIfNoneActive(key: KeyRecord): Promise<boolean>
  /**
   * Retires the active key `retire.kid` and adds `next` in its place, atomically; `false` (and
   * nothing changed) when `retire.kid` is not the active key of `purpose` any more.
   */
  rotateKey(input: {
    purpose: KeyPurpose
    retire: { kid: string; retiredAt: number; expiresAt: number }
    next: KeyRecord
  }): Promise<boolean>
}

/** How many expired entries {@link AuthorizationServerStore.purgeExpired} removed. */
export interface PurgeResult {
  readonly families: number
  readonly refreshTokens: number
  readonly codes: number
  readonly revokedTokens: number
  readonly throttles: number
  readonly keys: number
  readonly consents: number
}

/**
 * Everything the authorization server keeps, behind one interface: users, clients, token
 * families, codes, revoked access tokens, throttle counters, keys and remembered consents. Implementations: memory
 * ({@link createMemoryStore}) and SQL through Kysely ({@link openSQLiteStore}).
 * @example
 * const store = await openSQLiteStore('auth.db')
 * const server = createAuthorizationServer({ issuer, store, scopes })
 */
export interface AuthorizationServerStore
  extends UserStore,
    ClientStore,
    TokenStore,
    ThrottleStore,
    KeyStore,
    ConsentStore {
  /** Deletes what expired before `now`; the server calls it now and then. */
  purgeExpired(now: number): Promise<PurgeResult>
  /**
   * Releases the store's resources (the database connection). The built-in stores refuse every
   * call made after it with a 503 and let the calls under way finish first, each within its own
   * limits (a statement timeout, SQLite's `busyTimeout`): over an app's own Kysely instance
   * without timeouts, a call that never ends holds `close()` too.
   */
  close(): Promise<void>
}
