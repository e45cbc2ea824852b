import { randomUUID } from 'node:crypto'
import type { ServerContext } from '../context.js'
import { randomSecret, type SecretHasher } from '../keys/secret-hasher.js'
import { audienceOf } from '../resources.js'
import type { ClientRecord, RefreshTokenRecord, TokenFamilyRecord } from '../store/records.js'
import { signAccessToken } from '../tokens/access-token.js'

/** What a token response carries (RFC 6749 §5.1). */
export interface IssuedTokens {
  readonly accessToken: string
  readonly expiresIn: number
  readonly scopes: readonly string[]
  readonly refreshToken?: string | undefined
}

/** What an access token is issued for. */
export interface AccessGrant {
  readonly clientId: string
  readonly subject: string
  readonly scopes: readonly string[]
  readonly resources: readonly string[]
  /** The family it belongs to; its end caps the token's lifetime. */
  readonly family?: Pick<TokenFamilyRecord, 'id' | 'expiresAt'> | undefined
}

/** Signs an RFC 9068 access token for `grant`. */
export async function issueAccessToken(
  context: ServerContext,
  grant: AccessGrant,
): Promise<{ token: string; expiresIn: number }> {
  const { settings, keys, resourcePolicy } = context
  const iat = settings.now()
  const exp = Math.min(
    iat + settings.accessTokenTTL,
    grant.family?.expiresAt ?? Number.POSITIVE_INFINITY,
  )
  const signer = await keys.signer()
  const token = signAccessToken(signer, {
    iss: settings.issuer,
    sub: grant.subject,
    aud: audienceOf(resourcePolicy, grant.resources),
    client_id: grant.clientId,
    scope: grant.scopes.join(' '),
    jti: randomUUID(),
    iat,
    exp,
    ...(grant.family ? { grant_id: grant.family.id } : {}),
    ...(settings.scopesClaim ? { scopes: [...grant.scopes] } : {}),
  })
  return { token, expiresIn: exp - iat }
}

/** Whether `client` gets refresh tokens: the grant is enabled and the client registered for it. */
export function mayRefresh(context: ServerContext, client: ClientRecord): boolean {
  return (
    context.settings.grantTypes.includes('refresh_token') &&
    client.grantTypes.includes('refresh_token')
  )
}

/** A new family for a user's grant to a client; it ends at the grant lifetime. */
export function newFamily(
  context: ServerContext,
  grant: {
    clientId: string
    subject: string
    scopes: readonly string[]
    resources: readonly string[]
  },
  refreshable: boolean,
): TokenFamilyRecord {
  const { settings } = context
  const now = settings.now()
  return {
    id: randomUUID(),
    clientId: grant.clientId,
    subject: grant.subject,
    scopes: [...grant.scopes],
    resources: [...grant.resources],
    createdAt: now,
    // Without refresh tokens the grant is over when its one access token is.
    expiresAt: now + (refreshable ? settings.grantTTL : settings.accessTokenTTL),
    revokedAt: null,
  }
}

/** A new refresh token of `family`: the token to hand out and the record to store. */
export function newRefreshToken(
  context: ServerContext,
  hasher: SecretHasher,
  family: TokenFamilyRecord,
): { token: string; record: RefreshTokenRecord } {
  const token = randomSecret()
  const now = context.settings.now()
  return {
    token,
    record: {
      hash: hasher.hash('refresh-token', token),
      familyId: family.id,
      issuedAt: now,
      expiresAt: Math.min(now + context.settings.refreshTokenTTL, family.expiresAt),
      usedAt: null,
      replacedBy: null,
    },
  }
}

/**
 * The token that replaces `token` on rotation, derived from it with the server's key: a retry
 * within the grace window can be answered with the same successor, which is never stored in the
 * clear, and only someone holding `token` and the key can compute it.
 */
export function successorOf(hasher: SecretHasher, token: string): string {
  return hasher.hash('successor', token)
}

/** The body of a token response (RFC 6749 §5.1); the endpoint adds `Cache-Control: no-store`. */
export function tokenBody(issued: IssuedTokens): Record<string, string | number> {
  const body: Record<string, string | number> = {
    access_token: issued.accessToken,
    token_type: 'Bearer',
    expires_in: issued.expiresIn,
    scope: issued.scopes.join(' '),
  }
  if (issued.refreshToken !== undefined) body.refresh_token = issued.refreshToken
  return body
}
