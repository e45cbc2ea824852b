export { createMemoryStore } from './store/memory-store.js'
export type {
  AuthorizationCodeRecord,
  ClientRecord,
  GrantType,
  KeyPurpose,
  KeyRecord,
  RefreshTokenRecord,
  ThrottleRecord,
  TokenFamilyRecord,
  UserChanges,
  UserRecord,
} from './store/records.js'
export type { KyselyStoreOptions } from './store/sql/kysely-store.js'
export { createKyselyStore } from './store/sql/kysely-store.js'
export { createMigrator, migrateToLatest } from './store/sql/migrations.js'
export type { AuthorizationServerDatabase } from './store/sql/schema.js'
export type { SQLiteStoreOptions } from './store/sql/sqlite.js'
export { openSQLiteStore } from './store/sql/sqlite.js'
export type {
  AuthorizationServerStore,
  ClientStore,
  KeyStore,
  PurgeResult,
  RedemptionResult,
  RotationResult,
  ThrottleStore,
  TokenStore,
  UserStore,
} from './store/store.js'
