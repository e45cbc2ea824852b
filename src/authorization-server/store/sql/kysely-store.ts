import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely'
import { ServiceUnavailableError } from '../../../core/errors/index.js'
import { refusedOnceClosed } from '../closed-store.js'
import type { AuthorizationServerStore } from '../store.js'
import {
  clientFromRow,
  clientToRow,
  consentFromRow,
  keyFromRow,
  keyToRow,
  throttleFromRow,
  userFromRow,
  userToRow,
  words,
} from './rows.js'
import type { AuthorizationServerDatabase } from './schema.js'
import { tokenQueries } from './token-queries.js'

/** Options of {@link createKyselyStore}. */
export interface KyselyStoreOptions {
  /**
   * Whether a driver error means "the database cannot serve now" (locked, gone): such errors
   * become a 503 `ServiceUnavailableError` with `Retry-After` instead of a 500.
   */
  isUnavailable?: ((error: unknown) => boolean) | undefined
  /**
   * Milliseconds to keep retrying a call that failed as unavailable before answering 503, with
   * pauses that let the event loop run; default 0 (at once). SQLite's busy handler would wait for
   * another process's lock synchronously, freezing every request of this one meanwhile. Every
   * store call is one statement, reads, or one transaction, so running it again is safe.
   */
  retryFor?: number | undefined
  /**
   * Also destroy the Kysely instance on `close()`; default true. Either way the store answers
   * every call after `close()` with a 503.
   */
  destroyOnClose?: boolean | undefined
}

/** At most this many bcrypt kinds (variant and cost) are sampled: more than a store's history holds. */
const SAMPLED_BCRYPT_KINDS = 100
/** At most this many groups of other hashes (Argon2 parameters, with a little salt) are sampled. */
const SAMPLED_OTHER_KINDS = 2000

/**
 * The store over any Kysely instance whose database was migrated with `migrateToLatest`: one set
 * of queries for every SQL dialect (SQLite here; PostgreSQL adds only its dialect). The instance
 * may be the app's own, typed with its tables beside these (`Kysely<AppTables &
 * AuthorizationServerDatabase>`).
 * @example
 * const db = new Kysely<AuthorizationServerDatabase>({ dialect })
 * await migrateToLatest(db)
 * const store = createKyselyStore(db)
 */
export function createKyselyStore<DB extends AuthorizationServerDatabase>(
  db: Kysely<DB>,
  options: KyselyStoreOptions = {},
): AuthorizationServerStore {
  // Kysely's types are invariant in the database type; the queries touch only these tables.
  const store = queries(db as unknown as Kysely<AuthorizationServerDatabase>, options)
  return refusedOnceClosed(
    options.isUnavailable ? guarded(store, options.isUnavailable, options.retryFor ?? 0) : store,
  )
}

/**
 * Every method of `store`, run again after a pause while it fails as "unavailable" and `retryFor`
 * milliseconds have not passed, then turned into a 503.
 */
function guarded(
  store: AuthorizationServerStore,
  isUnavailable: (error: unknown) => boolean,
  retryFor: number,
): AuthorizationServerStore {
  const wrapped: Record<string, unknown> = {}
  for (const [name, method] of Object.entries(store)) {
    const call = method as (...a: unknown[]) => Promise<unknown>
    wrapped[name] = async (...args: unknown[]) => {
      const deadline = performance.now() + retryFor
      for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
        try {
          return await call.apply(store, args)
        } catch (error) {
          if (!isUnavailable(error)) throw error
          if (performance.now() + pause > deadline)
            throw new ServiceUnavailableError(1, 'The database is busy', {
              cause: error,
              logCause: true,
            })
        }
        await new Promise((resolve) => setTimeout(resolve, pause))
      }
    }
  }
  return wrapped as unknown as AuthorizationServerStore
}

function queries(
  db: Kysely<AuthorizationServerDatabase>,
  options: KyselyStoreOptions,
): AuthorizationServerStore {
  const inserted = (result: { numInsertedOrUpdatedRows?: bigint | undefined }) =>
    (result.numInsertedOrUpdatedRows ?? 0n) > 0n

  return {
    async createUser(user) {
      const result = await db
        .insertInto('gatehouse_users')
        .values(userToRow(user))
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst()
      return inserted(result)
    },
    async findUserById(id) {
      const row = await db
        .selectFrom('gatehouse_users')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      return row ? userFromRow(row) : undefined
    },
    async findUserByUsername(username) {
      const row = await db
        .selectFrom('gatehouse_users')
        .selectAll()
        .where('username', '=', username)
        .executeTakeFirst()
      return row ? userFromRow(row) : undefined
    },
    async updateUser(id, changes) {
      const set = {
        ...(changes.passwordHash === undefined ? {} : { password_hash: changes.passwordHash }),
        ...(changes.scopes === undefined ? {} : { scopes: words(changes.scopes) }),
        ...(changes.disabled === undefined ? {} : { disabled: changes.disabled ? 1 : 0 }),
      }
      if (Object.keys(set).length === 0) return (await this.findUserById(id)) !== undefined
      const result = await db
        .updateTable('gatehouse_users')
        .set(set)
        .where('id', '=', id)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },
    async listUsers() {
      const rows = await db.selectFrom('gatehouse_users').selectAll().orderBy('username').execute()
      return rows.map(userFromRow)
    },
    async passwordHashSamples() {
      // A hash's kind is its prefix. bcrypt's is exactly `$2b$12$`: one row per variant and cost,
      // asked apart so no number of other hashes can crowd them out. Argon2's runs to its
      // parameters, 31 characters for the default ones and fewer for cheaper ones, whose groups
      // then take in a character or two of salt: hence the generous bound (read once, at the
      // first login). A store with more groups than that may leave a kind out, which the hasher
      // then learns at its first check.
      const sample = (kind: RawBuilder<unknown>, where: RawBuilder<SqlBool>, limit: number) =>
        db
          .selectFrom('gatehouse_users')
          .select(sql<string>`min(password_hash)`.as('hash'))
          .where(where)
          .groupBy(kind)
          .limit(limit)
          .execute()
      const bcrypt = await sample(
        sql`substr(password_hash, 1, 7)`,
        sql<SqlBool>`password_hash like '$2%'`,
        SAMPLED_BCRYPT_KINDS,
      )
      const others = await sample(
        sql`substr(password_hash, 1, 31)`,
        sql<SqlBool>`password_hash not like '$2%'`,
        SAMPLED_OTHER_KINDS,
      )
      return [...bcrypt, ...others].map((row) => row.hash)
    },

    async createClient(client) {
      const result = await db
        .insertInto('gatehouse_clients')
        .values(clientToRow(client))
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst()
      return inserted(result)
    },
    async findClient(id) {
      const row = await db
        .selectFrom('gatehouse_clients')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      return row ? clientFromRow(row) : undefined
    },
    async listClients() {
      const rows = await db.selectFrom('gatehouse_clients').selectAll().orderBy('id').execute()
      return rows.map(clientFromRow)
    },

    ...tokenQueries(db),

    async readThrottle(key, now) {
      const row = await db
        .selectFrom('gatehouse_throttles')
        .selectAll()
        .where('key', '=', key)
        .where('expires_at', '>', now)
        .executeTakeFirst()
      return row ? throttleFromRow(row) : undefined
    },
    async recordFailure(key, now, windowSeconds) {
      const expiresAt = now + windowSeconds
      // One upsert: concurrent failures each add one, whichever process counts them.
      const row = await db
        .insertInto('gatehouse_throttles')
        .values({ key, failures: 1, last_failure_at: now, expires_at: expiresAt })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({
            failures: eb
              .case()
              .when('gatehouse_throttles.expires_at', '>', now)
              .then(eb('gatehouse_throttles.failures', '+', 1))
              .else(1)
              .end(),
            last_failure_at: now,
            expires_at: expiresAt,
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow()
      return throttleFromRow(row)
    },
    async clearThrottle(key) {
      await db.deleteFrom('gatehouse_throttles').where('key', '=', key).execute()
    },

    async listKeys() {
      const rows = await db
        .selectFrom('gatehouse_keys')
        .selectAll()
        .orderBy('created_at')
        // Keys made in the same second: the retired one is the older (see the memory store).
        .orderBy(sql`case when retired_at is null then 1 else 0 end`)
        .orderBy('retired_at')
        .orderBy('kid')
        .execute()
      return rows.map(keyFromRow)
    },
    async addKeyIfNoneActive(key) {
      // The partial unique index on unretired keys makes this a no-op when one exists.
      const result = await db
        .insertInto('gatehouse_keys')
        .values(keyToRow(key))
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst()
      return inserted(result)
    },
    rotateKey({ purpose, retire, next }) {
      return db.transaction().execute(async (trx) => {
        const retired = await trx
          .updateTable('gatehouse_keys')
          .set({ retired_at: retire.retiredAt, expires_at: retire.expiresAt })
          .where('kid', '=', retire.kid)
          .where('purpose', '=', purpose)
          .where('retired_at', 'is', null)
          .executeTakeFirst()
        if (retired.numUpdatedRows === 0n) return false
        await trx.insertInto('gatehouse_keys').values(keyToRow(next)).execute()
        return true
      })
    },

    async findConsent(subject, clientId, now) {
      const row = await db
        .selectFrom('gatehouse_consents')
        .selectAll()
        .where('subject', '=', subject)
        .where('client_id', '=', clientId)
        .where('expires_at', '>', now)
        .executeTakeFirst()
      return row ? consentFromRow(row) : undefined
    },
    async saveConsent(consent) {
      const row = {
        subject: consent.subject,
        client_id: consent.clientId,
        scopes: words(consent.scopes),
        created_at: consent.createdAt,
        expires_at: consent.expiresAt,
      }
      await db
        .insertInto('gatehouse_consents')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['subject', 'client_id']).doUpdateSet({
            scopes: row.scopes,
            created_at: row.created_at,
            expires_at: row.expires_at,
          }),
        )
        .execute()
    },
    async deleteConsent(subject, clientId) {
      await db
        .deleteFrom('gatehouse_consents')
        .where('subject', '=', subject)
        .where('client_id', '=', clientId)
        .execute()
    },

    purgeExpired(now) {
      return db.transaction().execute(async (trx) => {
        const purge = async (
          table:
            | 'gatehouse_token_families'
            | 'gatehouse_refresh_tokens'
            | 'gatehouse_authorization_codes'
            | 'gatehouse_revoked_tokens'
            | 'gatehouse_throttles'
            | 'gatehouse_keys'
            | 'gatehouse_consents',
        ) => {
          const result = await trx
            .deleteFrom(table)
            .where('expires_at', 'is not', null)
            .where('expires_at', '<=', now)
            .executeTakeFirst()
          return Number(result.numDeletedRows)
        }
        return {
          families: await purge('gatehouse_token_families'),
          refreshTokens: await purge('gatehouse_refresh_tokens'),
          codes: await purge('gatehouse_authorization_codes'),
          revokedTokens: await purge('gatehouse_revoked_tokens'),
          throttles: await purge('gatehouse_throttles'),
          keys: await purge('gatehouse_keys'),
          consents: await purge('gatehouse_consents'),
        }
      })
    },

    async close() {
      if (options.destroyOnClose !== false) await db.destroy()
    },
  }
}
