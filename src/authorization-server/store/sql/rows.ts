import type { Selectable } from 'kysely'
import {
  type AuthorizationCodeRecord,
  type ClientRecord,
  type ConsentRecord,
  type GrantType,
  isSecretAuthMethod,
  type KeyPurpose,
  type KeyRecord,
  type RefreshTokenRecord,
  type ThrottleRecord,
  type TokenFamilyRecord,
  type UserRecord,
} from '../records.js'
import type {
  AuthorizationCodesTable,
  ClientsTable,
  ConsentsTable,
  KeysTable,
  RefreshTokensTable,
  ThrottlesTable,
  TokenFamiliesTable,
  UsersTable,
} from './schema.js'

/** Records to rows and back: lists as space-separated words or JSON, times as numbers. */

export const words = (list: readonly string[]): string => list.join(' ')
const fromWords = (text: string): string[] => (text === '' ? [] : text.split(' '))
export const json = (list: readonly string[]): string => JSON.stringify(list)
const fromJSON = (text: string): string[] => JSON.parse(text) as string[]
const time = (value: number | string): number => Number(value)
const maybeTime = (value: number | string | null): number | null =>
  value === null ? null : Number(value)

export function userFromRow(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    scopes: fromWords(row.scopes),
    disabled: Number(row.disabled) === 1,
    createdAt: time(row.created_at),
  }
}

export function userToRow(user: UserRecord) {
  return {
    id: user.id,
    username: user.username,
    password_hash: user.passwordHash,
    scopes: words(user.scopes),
    disabled: user.disabled ? 1 : 0,
    created_at: user.createdAt,
  }
}

export function clientFromRow(row: Selectable<ClientsTable>): ClientRecord {
  return {
    id: row.id,
    secretHash: row.secret_hash,
    name: row.name,
    grantTypes: fromJSON(row.grant_types) as GrantType[],
    redirectUris: fromJSON(row.redirect_uris),
    scopes: fromWords(row.scopes),
    createdAt: time(row.created_at),
    ...(Number(row.self_registered) === 1 ? { selfRegistered: true } : {}),
    ...(isSecretAuthMethod(row.token_endpoint_auth_method)
      ? { tokenEndpointAuthMethod: row.token_endpoint_auth_method }
      : {}),
  }
}

export function clientToRow(client: ClientRecord) {
  return {
    id: client.id,
    secret_hash: client.secretHash,
    name: client.name,
    grant_types: json(client.grantTypes),
    redirect_uris: json(client.redirectUris),
    scopes: words(client.scopes),
    created_at: client.createdAt,
    self_registered: client.selfRegistered === true ? 1 : 0,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? null,
  }
}

export function familyFromRow(row: Selectable<TokenFamiliesTable>): TokenFamilyRecord {
  return {
    id: row.id,
    clientId: row.client_id,
    subject: row.subject,
    scopes: fromWords(row.scopes),
    resources: fromJSON(row.resources),
    createdAt: time(row.created_at),
    expiresAt: time(row.expires_at),
    revokedAt: maybeTime(row.revoked_at),
  }
}

export function familyToRow(family: TokenFamilyRecord) {
  return {
    id: family.id,
    client_id: family.clientId,
    subject: family.subject,
    scopes: words(family.scopes),
    resources: json(family.resources),
    created_at: family.createdAt,
    expires_at: family.expiresAt,
    revoked_at: family.revokedAt,
  }
}

export function refreshTokenFromRow(row: Selectable<RefreshTokensTable>): RefreshTokenRecord {
  return {
    hash: row.hash,
    familyId: row.family_id,
    issuedAt: time(row.issued_at),
    expiresAt: time(row.expires_at),
    usedAt: maybeTime(row.used_at),
    replacedBy: row.replaced_by,
  }
}

export function refreshTokenToRow(token: RefreshTokenRecord) {
  return {
    hash: token.hash,
    family_id: token.familyId,
    issued_at: token.issuedAt,
    expires_at: token.expiresAt,
    used_at: token.usedAt,
    replaced_by: token.replacedBy,
  }
}

export function codeFromRow(row: Selectable<AuthorizationCodesTable>): AuthorizationCodeRecord {
  return {
    hash: row.hash,
    clientId: row.client_id,
    subject: row.subject,
    redirectUri: row.redirect_uri,
    scopes: fromWords(row.scopes),
    resources: fromJSON(row.resources),
    codeChallenge: row.code_challenge,
    createdAt: time(row.created_at),
    expiresAt: time(row.expires_at),
    usedAt: maybeTime(row.used_at),
    familyId: row.family_id,
  }
}

export function codeToRow(code: AuthorizationCodeRecord) {
  return {
    hash: code.hash,
    client_id: code.clientId,
    subject: code.subject,
    redirect_uri: code.redirectUri,
    scopes: words(code.scopes),
    resources: json(code.resources),
    code_challenge: code.codeChallenge,
    created_at: code.createdAt,
    expires_at: code.expiresAt,
    used_at: code.usedAt,
    family_id: code.familyId,
  }
}

export function throttleFromRow(row: Selectable<ThrottlesTable>): ThrottleRecord {
  return {
    key: row.key,
    failures: Number(row.failures),
    lastFailureAt: time(row.last_failure_at),
    expiresAt: time(row.expires_at),
  }
}

export function keyFromRow(row: Selectable<KeysTable>): KeyRecord {
  return {
    kid: row.kid,
    purpose: row.purpose as KeyPurpose,
    algorithm: row.algorithm,
    privateJWK: row.private_jwk,
    publicJWK: row.public_jwk,
    createdAt: time(row.created_at),
    retiredAt: maybeTime(row.retired_at),
    expiresAt: maybeTime(row.expires_at),
  }
}

export function keyToRow(key: KeyRecord) {
  return {
    kid: key.kid,
    purpose: key.purpose,
    algorithm: key.algorithm,
    private_jwk: key.privateJWK,
    public_jwk: key.publicJWK,
    created_at: key.createdAt,
    retired_at: key.retiredAt,
    expires_at: key.expiresAt,
  }
}

export function consentFromRow(row: Selectable<ConsentsTable>): ConsentRecord {
  return {
    subject: row.subject,
    clientId: row.client_id,
    scopes: fromWords(row.scopes),
    createdAt: time(row.created_at),
    expiresAt: time(row.expires_at),
  }
}
