import { isInvalidTokenError } from '../../core/errors/index.js'
import { SIGNED_COMPACT_JWS } from '../../jwt/compact.js'
import type { VerifiedToken } from '../../jwt/index.js'
import type { ServerContext } from '../context.js'
import type { RefreshTokenRecord, TokenFamilyRecord } from '../store/records.js'

/** A token presented to `/revoke` or `/introspect`, as this server knows it. */
export type KnownToken =
  | { readonly type: 'access_token'; readonly token: VerifiedToken; readonly revoked: boolean }
  | {
      readonly type: 'refresh_token'
      readonly record: RefreshTokenRecord
      readonly family: TokenFamilyRecord
    }

/**
 * Finds a token among this server's access and refresh tokens, whatever `token_type_hint` says
 * (RFC 7009 §2.1: the hint only orders the search). Access tokens must verify (signature,
 * issuer, expiry), whatever their audience; `undefined` for anything else.
 */
export async function lookUpToken(
  context: ServerContext,
  token: string,
): Promise<KnownToken | undefined> {
  if (SIGNED_COMPACT_JWS.test(token)) {
    let verified: VerifiedToken
    try {
      verified = await context.verifier.verify(token, { checkRevocation: false })
    } catch (error) {
      // Not ours, or no longer valid; anything else (the store is down) is not an answer.
      if (isInvalidTokenError(error)) return undefined
      throw error
    }
    return {
      type: 'access_token',
      token: verified,
      revoked: await context.verifier.isRevoked(verified),
    }
  }
  const hasher = await context.hasher()
  const found = await context.store.findRefreshToken(hasher.hash('refresh-token', token))
  return found ? { type: 'refresh_token', record: found.token, family: found.family } : undefined
}

/** Whether a refresh token still works: unused, unexpired, its family live. */
export function isRefreshTokenActive(
  known: Extract<KnownToken, { type: 'refresh_token' }>,
  now: number,
): boolean {
  const { record, family } = known
  return (
    record.usedAt === null &&
    record.expiresAt > now &&
    family.revokedAt === null &&
    family.expiresAt > now
  )
}
