import type { ColumnType } from 'kysely'

/**
 * A time column (seconds since the epoch, `bigint`). Read as `number | string` because some
 * drivers (node-postgres) return 64-bit integers as strings; rows are converted with `Number`.
 */
type Time = ColumnType<number | string, number, number>
type NullableTime = ColumnType<number | string | null, number | null, number | null>

/** `gatehouse_users`: scopes space-separated, `disabled` 0 or 1. */
export interface UsersTable {
  id: string
  username: string
  password_hash: string | null
  scopes: string
  disabled: number
  created_at: Time
}

/** `gatehouse_clients`: grant types and redirect URIs as JSON arrays, scopes space-separated. */
export interface ClientsTable {
  id: string
  secret_hash: string | null
  name: string | null
  grant_types: string
  redirect_uris: string
  scopes: string
  created_at: Time
  /** 1 for a client that registered itself (migration 0003; 0 for every older row). */
  self_registered: number
  /** `client_secret_basic` or `client_secret_post`, or null for either (migration 0004). */
  token_endpoint_auth_method: string | null
}

/** `gatehouse_token_families`: resources as a JSON array. */
export interface TokenFamiliesTable {
  id: string
  client_id: string
  subject: string
  scopes: string
  resources: string
  created_at: Time
  expires_at: Time
  revoked_at: NullableTime
}

/** `gatehouse_refresh_tokens`, keyed by the token's hash. */
export interface RefreshTokensTable {
  hash: string
  family_id: string
  issued_at: Time
  expires_at: Time
  used_at: NullableTime
  replaced_by: string | null
}

/** `gatehouse_authorization_codes`, keyed by the code's hash. */
export interface AuthorizationCodesTable {
  hash: string
  client_id: string
  subject: string
  redirect_uri: string | null
  scopes: string
  resources: string
  code_challenge: string
  created_at: Time
  expires_at: Time
  used_at: NullableTime
  family_id: string | null
}

/** `gatehouse_revoked_tokens`: access tokens revoked before their `exp`. */
export interface RevokedTokensTable {
  jti: string
  expires_at: Time
}

/** `gatehouse_throttles`: failed-login counters. */
export interface ThrottlesTable {
  key: string
  failures: number
  last_failure_at: Time
  expires_at: Time
}

/** `gatehouse_keys`: at most one unretired key per purpose (a partial unique index). */
export interface KeysTable {
  kid: string
  purpose: string
  algorithm: string
  private_jwk: string
  public_jwk: string | null
  created_at: Time
  retired_at: NullableTime
  expires_at: NullableTime
}

/** `gatehouse_consents`: one per user and client, scopes space-separated. */
export interface ConsentsTable {
  subject: string
  client_id: string
  scopes: string
  created_at: Time
  expires_at: Time
}

/** The tables of the authorization server's SQL store, as Kysely sees them. */
export interface AuthorizationServerDatabase {
  gatehouse_users: UsersTable
  gatehouse_clients: ClientsTable
  gatehouse_token_families: TokenFamiliesTable
  gatehouse_refresh_tokens: RefreshTokensTable
  gatehouse_authorization_codes: AuthorizationCodesTable
  gatehouse_revoked_tokens: RevokedTokensTable
  gatehouse_throttles: ThrottlesTable
  gatehouse_keys: KeysTable
  gatehouse_consents: ConsentsTable
}
