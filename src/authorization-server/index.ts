// Declarations use Node types (`node:http`, `NodeJS`): TypeScript 6+ no longer loads @types/node unless asked.
/// <reference types="node" preserve="true" />
export type { Administration, AdministrationOptions, NewClient, NewUser } from './admin.js'
export { createAdministration } from './admin.js'
export type {
  ConsentOptions,
  ConsentRequest,
  LoginOptions,
} from './authorize/authorize-options.js'
export type { AuthorizationServerMetadata } from './endpoints/discovery.js'
export { LoginThrottledError } from './errors.js'
export type { AuthorizationCodeRequest } from './grants/authorization-codes.js'
export type { SigningAlgorithm } from './keys/key-material.js'
export type { SigningKeyInfo } from './keys/key-ring.js'
export type {
  AuthorizationServerOptions,
  IntrospectedToken,
  IntrospectionOptions,
} from './options.js'
export type { PrincipalDependency, PrincipalOptions, TokenPrincipal } from './principal.js'
export { AuthorizationServerBearer } from './principal.js'
export type {
  RegistrableGrantType,
  RegistrationOptions,
} from './registration/registration-options.js'
export type { ScopeDescriptions } from './scopes.js'
export type { AuthorizationServer } from './server.js'
export { createAuthorizationServer } from './server.js'
export { createMemoryStore } from './store/memory-store.js'
export type { DatabaseLocation, OpenStoreOptions } from './store/open-store.js'
export { openStore, parseDatabaseURL } from './store/open-store.js'
export type { PostgresStoreOptions } from './store/postgres-store.js'
export { openPostgresStore } from './store/postgres-store.js'
export { redactDatabaseURL } from './store/postgres-url.js'
export type {
  AuthorizationCodeRecord,
  ClientRecord,
  ConsentRecord,
  GrantType,
  KeyPurpose,
  KeyRecord,
  RefreshTokenRecord,
  SecretAuthMethod,
  ThrottleRecord,
  TokenFamilyRecord,
  UserChanges,
  UserRecord,
} from './store/records.js'
export type { KyselyStoreOptions } from './store/sql/kysely-store.js'
export { createKyselyStore } from './store/sql/kysely-store.js'
export { createMigrator, migrateToLatest } from './store/sql/migrations.js'
export type {
  AuthorizationCodesTable,
  AuthorizationServerDatabase,
  ClientsTable,
  ConsentsTable,
  KeysTable,
  RefreshTokensTable,
  RevokedTokensTable,
  ThrottlesTable,
  TokenFamiliesTable,
  UsersTable,
} from './store/sql/schema.js'
export type { SQLiteStoreOptions } from './store/sql/sqlite.js'
export { openSQLiteStore } from './store/sql/sqlite.js'
export type {
  AuthorizationServerStore,
  ClientStore,
  ConsentStore,
  KeyStore,
  PurgeResult,
  RedemptionResult,
  RotationResult,
  ThrottleStore,
  TokenStore,
  UserStore,
} from './store/store.js'
export type { AccessTokenVerifier, VerifyOptions } from './tokens/verifier.js'
export type { LoginResult, PasswordLogin } from './users/password-login.js'
export type { ThrottleOptions } from './users/throttle.js'
