import { CompiledQuery, type Kysely, sql } from 'kysely'
import type { RedemptionResult, RotationResult, TokenStore } from '../store.js'
import {
  codeFromRow,
  codeToRow,
  familyFromRow,
  familyToRow,
  refreshTokenFromRow,
  refreshTokenToRow,
} from './rows.js'
import type { AuthorizationServerDatabase } from './schema.js'

type DB = Kysely<AuthorizationServerDatabase>

/** Where a compiled revocation query takes the token's `jti` and its family's id. */
const JTI = '\u0000jti'
const FAMILY = '\u0000family'

/**
 * Token families, refresh tokens, codes and revocations in SQL. Each atomic operation is one
 * transaction whose first statement is its conditional `UPDATE … WHERE … RETURNING`: SQLite takes
 * its write lock there before reading anything, and PostgreSQL makes a concurrent transaction
 * wait on the row and re-check the `WHERE`, so exactly one of two racing callers wins.
 */
export function tokenQueries(db: DB): TokenStore {
  /** `true` when this call revoked it, `false` when it was revoked already (or is unknown). */
  const revokeFamily = async (trx: DB, familyId: string, now: number) => {
    const result = await trx
      .updateTable('gatehouse_token_families')
      .set({ revoked_at: now })
      .where('id', '=', familyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return result.numUpdatedRows > 0n
  }

  // Every request a bound resource server answers asks this, so its two shapes are compiled
  // once, with markers where the values go: building a Kysely query costs several times SQLite's
  // indexed lookup itself.
  const revokedQuery = (familyId: string | undefined) => {
    const byToken = db
      .selectFrom('gatehouse_revoked_tokens')
      .select(sql.lit(1).as('one'))
      .where('jti', '=', JTI)
    if (familyId === undefined) return byToken.compile()
    return byToken
      .unionAll(
        db
          .selectFrom('gatehouse_token_families')
          .select(sql.lit(1).as('one'))
          .where('id', '=', familyId)
          .where('revoked_at', 'is not', null),
      )
      .compile()
  }
  const revokedByToken = revokedQuery(undefined)
  const revokedByTokenOrFamily = revokedQuery(FAMILY)

  return {
    async createFamily(family, refreshToken) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('gatehouse_token_families').values(familyToRow(family)).execute()
        if (refreshToken)
          await trx
            .insertInto('gatehouse_refresh_tokens')
            .values(refreshTokenToRow(refreshToken))
            .execute()
      })
    },

    async findRefreshToken(hash) {
      const token = await db
        .selectFrom('gatehouse_refresh_tokens')
        .selectAll()
        .where('hash', '=', hash)
        .executeTakeFirst()
      if (!token) return undefined
      const family = await db
        .selectFrom('gatehouse_token_families')
        .selectAll()
        .where('id', '=', token.family_id)
        .executeTakeFirst()
      return family
        ? { token: refreshTokenFromRow(token), family: familyFromRow(family) }
        : undefined
    },

    rotateRefreshToken({ hash, next, now, graceSeconds }) {
      return db.transaction().execute(async (trx): Promise<RotationResult> => {
        const claimed = await trx
          .updateTable('gatehouse_refresh_tokens')
          .set({
            used_at: now,
            replaced_by: next.hash,
            // A used token is kept as long as its family lives, so a late replay is still seen.
            expires_at: (eb) =>
              eb
                .selectFrom('gatehouse_token_families as f')
                .select('f.expires_at')
                .whereRef('f.id', '=', 'gatehouse_refresh_tokens.family_id')
                .$castTo<{ expires_at: number }>(),
          })
          .where('hash', '=', hash)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom('gatehouse_token_families as f')
                .select(sql.lit(1).as('one'))
                .whereRef('f.id', '=', 'gatehouse_refresh_tokens.family_id')
                .where('f.revoked_at', 'is', null)
                .where('f.expires_at', '>', now),
            ),
          )
          .returning('family_id')
          .executeTakeFirst()
        if (claimed) {
          await trx
            .insertInto('gatehouse_refresh_tokens')
            .values({
              hash: next.hash,
              family_id: claimed.family_id,
              issued_at: now,
              expires_at: next.expiresAt,
              used_at: null,
              replaced_by: null,
            })
            .execute()
          const family = await trx
            .selectFrom('gatehouse_token_families')
            .selectAll()
            .where('id', '=', claimed.family_id)
            .executeTakeFirstOrThrow()
          return { outcome: 'rotated', family: familyFromRow(family) }
        }
        const row = await trx
          .selectFrom('gatehouse_refresh_tokens')
          .selectAll()
          .where('hash', '=', hash)
          .executeTakeFirst()
        const familyRow =
          row &&
          (await trx
            .selectFrom('gatehouse_token_families')
            .selectAll()
            .where('id', '=', row.family_id)
            .executeTakeFirst())
        if (!row || !familyRow) return { outcome: 'invalid' }
        const token = refreshTokenFromRow(row)
        const family = familyFromRow(familyRow)
        if (token.usedAt === null || family.revokedAt !== null || family.expiresAt <= now)
          return { outcome: 'invalid' }
        if (graceSeconds > 0 && token.replacedBy !== null && now - token.usedAt <= graceSeconds) {
          const successor = await trx
            .selectFrom('gatehouse_refresh_tokens')
            .select('used_at')
            .where('hash', '=', token.replacedBy)
            .executeTakeFirst()
          if (successor && successor.used_at === null)
            return { outcome: 'retried', family, successor: token.replacedBy }
        }
        // Concurrent replays each read the family unrevoked (PostgreSQL runs them side by side):
        // the revoking UPDATE decides, so exactly one reports the reuse and the others find the
        // family revoked, as they would have one after the other.
        if (!(await revokeFamily(trx, family.id, now))) return { outcome: 'invalid' }
        return { outcome: 'reused', familyId: family.id }
      })
    },

    async revokeFamily(familyId, now) {
      await revokeFamily(db, familyId, now)
    },

    async createCode(code) {
      await db.insertInto('gatehouse_authorization_codes').values(codeToRow(code)).execute()
    },

    async findCode(hash) {
      const row = await db
        .selectFrom('gatehouse_authorization_codes')
        .selectAll()
        .where('hash', '=', hash)
        .executeTakeFirst()
      return row ? codeFromRow(row) : undefined
    },

    redeemCode({ hash, now, family, refreshToken }) {
      return db.transaction().execute(async (trx): Promise<RedemptionResult> => {
        const claimed = await trx
          .updateTable('gatehouse_authorization_codes')
          // Kept as long as its family lives, so a late replay still revokes what it produced.
          .set({ used_at: now, family_id: family.id, expires_at: family.expiresAt })
          .where('hash', '=', hash)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .returning('hash')
          .executeTakeFirst()
        if (claimed) {
          await trx.insertInto('gatehouse_token_families').values(familyToRow(family)).execute()
          if (refreshToken)
            await trx
              .insertInto('gatehouse_refresh_tokens')
              .values(refreshTokenToRow(refreshToken))
              .execute()
          return { outcome: 'redeemed' }
        }
        const code = await trx
          .selectFrom('gatehouse_authorization_codes')
          .select(['used_at', 'family_id'])
          .where('hash', '=', hash)
          .executeTakeFirst()
        if (!code || code.used_at === null) return { outcome: 'invalid' }
        if (code.family_id !== null) await revokeFamily(trx, code.family_id, now)
        return { outcome: 'reused', familyId: code.family_id }
      })
    },

    async revokeAccessToken(jti, expiresAt) {
      await db
        .insertInto('gatehouse_revoked_tokens')
        .values({ jti, expires_at: expiresAt })
        .onConflict((oc) => oc.column('jti').doNothing())
        .execute()
    },

    async isAccessTokenRevoked(jti, familyId) {
      const query = familyId === undefined ? revokedByToken : revokedByTokenOrFamily
      const parameters = query.parameters.map((value) => (value === JTI ? jti : familyId))
      const { rows } = await db.executeQuery(CompiledQuery.raw(query.sql, parameters))
      return rows.length > 0
    },
  }
}
