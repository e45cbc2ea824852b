import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'

/**
 * The schema, as Kysely migrations written with its schema builder only (no dialect-specific
 * SQL), so SQLite and PostgreSQL share them. Add a migration; never edit a released one.
 */
const migrations: Readonly<Record<string, Migration>> = {
  '0001_authorization_server': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('gatehouse_users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text')
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('gatehouse_clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('secret_hash', 'text')
        .addColumn('name', 'text')
        .addColumn('grant_types', 'text', (c) => c.notNull())
        .addColumn('redirect_uris', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('gatehouse_token_families')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('resources', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute()
      await db.schema
        .createTable('gatehouse_refresh_tokens')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('family_id', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('replaced_by', 'text')
        .execute()
      await db.schema
        .createTable('gatehouse_authorization_codes')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('redirect_uri', 'text')
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('resources', 'text', (c) => c.notNull())
        .addColumn('code_challenge', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('family_id', 'text')
        .execute()
      await db.schema
        .createTable('gatehouse_revoked_tokens')
        .addColumn('jti', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('gatehouse_throttles')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema
        .createTable('gatehouse_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('algorithm', 'text', (c) => c.notNull())
        .addColumn('private_jwk', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('retired_at', 'bigint')
        .addColumn('expires_at', 'bigint')
        .execute()
      // At most one active key per purpose: processes starting together cannot both add one.
      await db.schema
        .createIndex('gatehouse_keys_one_active')
        .on('gatehouse_keys')
        .column('purpose')
        .unique()
        .where(sql.ref('retired_at'), 'is', null)
        .execute()
      for (const [table, column] of [
        ['gatehouse_token_families', 'expires_at'],
        ['gatehouse_refresh_tokens', 'expires_at'],
        ['gatehouse_refresh_tokens', 'family_id'],
        ['gatehouse_authorization_codes', 'expires_at'],
        ['gatehouse_revoked_tokens', 'expires_at'],
        ['gatehouse_throttles', 'expires_at'],
      ] as const)
        await db.schema.createIndex(`${table}_${column}`).on(table).column(column).execute()
    },
    async down(db: Kysely<unknown>) {
      for (const table of [
        'gatehouse_keys',
        'gatehouse_throttles',
        'gatehouse_revoked_tokens',
        'gatehouse_authorization_codes',
        'gatehouse_refresh_tokens',
        'gatehouse_token_families',
        'gatehouse_clients',
        'gatehouse_users',
      ])
        await db.schema.dropTable(table).execute()
    },
  },
  '0002_consents': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('gatehouse_consents')
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('gatehouse_consents_pk', ['subject', 'client_id'])
        .execute()
      await db.schema
        .createIndex('gatehouse_consents_expires_at')
        .on('gatehouse_consents')
        .column('expires_at')
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('gatehouse_consents').execute()
    },
  },
  '0003_self_registered_clients': {
    async up(db: Kysely<unknown>) {
      // Every client so far was made by an administrator (or registered before this was kept).
      await db.schema
        .alterTable('gatehouse_clients')
        .addColumn('self_registered', 'integer', (c) => c.notNull().defaultTo(0))
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('gatehouse_clients').dropColumn('self_registered').execute()
    },
  },
  '0004_client_auth_method': {
    async up(db: Kysely<unknown>) {
      // Null for every older client: it may authenticate either way, as before.
      await db.schema
        .alterTable('gatehouse_clients')
        .addColumn('token_endpoint_auth_method', 'text')
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema
        .alterTable('gatehouse_clients')
        .dropColumn('token_endpoint_auth_method')
        .execute()
    },
  },
}

const provider: MigrationProvider = {
  async getMigrations() {
    return { ...migrations }
  },
}

/**
 * A Kysely `Migrator` over the authorization server's migrations, with its own bookkeeping
 * tables (`gatehouse_migrations`, `gatehouse_migrations_lock`) so it can share a database with
 * the app's own migrations.
 * @example
 * const { error } = await createMigrator(db).migrateToLatest()
 */
export function createMigrator<DB>(db: Kysely<DB>): Migrator {
  return new Migrator({
    db: db as Kysely<unknown>,
    provider,
    migrationTableName: 'gatehouse_migrations',
    migrationLockTableName: 'gatehouse_migrations_lock',
  })
}

/**
 * Brings the database to the latest schema; throws what the migrator reports. Kysely's
 * PostgreSQL adapter runs it in a transaction under an advisory lock; {@link openSQLiteStore}
 * holds SQLite's write lock around it, so processes starting together migrate once.
 * @example
 * await migrateToLatest(db)
 */
export async function migrateToLatest<DB>(instance: Kysely<DB>): Promise<void> {
  // Any database type: an app's own `Kysely<AuthorizationServerDatabase>` (or one with its own
  // tables too) is migrated as it is; Kysely's types are invariant in it, so it is widened here.
  const db = instance as Kysely<unknown>
  const unknown = (await executedMigrations(db)).filter((name) => !Object.hasOwn(migrations, name))
  // Kysely calls this "corrupted migrations", which sends an operator looking for damage.
  if (unknown.length > 0)
    throw new Error(
      `the database was migrated by a newer version of Gatehouse (migration ${unknown.map((name) => JSON.stringify(name)).join(', ')} is unknown to this one): upgrade Gatehouse`,
    )
  const { error } = await createMigrator(db).migrateToLatest()
  if (error !== undefined) throw error
}

/** The migrations the database says ran; none when it has no bookkeeping table yet. */
async function executedMigrations(db: Kysely<unknown>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true })
  if (!tables.some((table) => table.name === 'gatehouse_migrations')) return []
  const rows = await (db as Kysely<{ gatehouse_migrations: { name: string } }>)
    .selectFrom('gatehouse_migrations')
    .select('name')
    .execute()
  return rows.map((row) => row.name)
}
