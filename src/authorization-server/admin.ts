import { randomUUID } from 'node:crypto'
import { createPasswordHasher, type PasswordHasher } from '../password/index.js'
import { isClientName, MAX_CLIENT_NAME } from './clients/client-name.js'
import { isLoopbackHost, redirectURIProblem } from './clients/redirect-uri-syntax.js'
import { loadSecretHasher, randomSecret } from './keys/secret-hasher.js'
import { isScopeToken } from './scopes.js'
import {
  type ClientRecord,
  type GrantType,
  isSecretAuthMethod,
  type SecretAuthMethod,
  type UserRecord,
} from './store/records.js'
import type { AuthorizationServerStore } from './store/store.js'
import { normalizePassword, passwordProblem } from './users/password-text.js'
import { normalizeUsername, usernameProblem } from './users/username.js'

/** A user to create. */
export interface NewUser {
  username: string
  /** Hashed with Argon2id; without one the user cannot log in with a password. */
  password?: string | undefined
  /** Every scope the user may be granted; default none. */
  scopes?: readonly string[] | undefined
  disabled?: boolean | undefined
  /** The token subject; default a random UUID. */
  id?: string | undefined
}

/** A client to register. */
export interface NewClient {
  /** The `client_id`; default a random one. */
  id?: string | undefined
  /** A public client (a browser or native app) has no secret and must use PKCE. */
  public?: boolean | undefined
  /** Shown on consent pages: 1 to 200 printable characters. */
  name?: string | undefined
  grantTypes: readonly GrantType[]
  /**
   * Compared exactly at `/authorize`; https, or http on localhost, or an app's own scheme. Each
   * must be an absolute URI in the exact form the URL parser writes it (no control characters,
   * whitespace, user info or fragment); required with `authorization_code`.
   */
  redirectUris?: readonly string[] | undefined
  /** Every scope the client may be granted: at least one (with none it could get no token). */
  scopes?: readonly string[] | undefined
  /**
   * The one way a confidential client sends its secret; the other is then refused. Default
   * either: `client_secret_basic` or `client_secret_post`.
   */
  tokenEndpointAuthMethod?: SecretAuthMethod | undefined
  /**
   * Registered by itself (the registration endpoint sets this): see `ClientRecord.selfRegistered`.
   */
  selfRegistered?: boolean | undefined
}

/** Creating and listing users and clients, as the CLI and apps do it. */
export interface Administration {
  /** Creates a user; throws when the username or id is taken. */
  createUser(user: NewUser): Promise<UserRecord>
  /**
   * Registers a client and returns its secret (256 random bits), the one time it is ever seen:
   * only its keyed hash is stored. Public clients get none.
   */
  createClient(
    client: NewClient,
  ): Promise<{ client: ClientRecord; clientSecret?: string | undefined }>
}

const GRANT_TYPES: readonly string[] = [
  'authorization_code',
  'client_credentials',
  'password',
  'refresh_token',
]

/** Options of {@link createAdministration}. */
export interface AdministrationOptions {
  store: AuthorizationServerStore
  /** The hasher for new users' passwords; default a fresh Argon2id one. */
  passwords?: PasswordHasher | undefined
  /** The scopes users and clients may be given; default any valid scope token. */
  scopes?: readonly string[] | undefined
  /** The current time in epoch seconds; default the system clock. */
  now?: (() => number) | undefined
}

/**
 * User and client management over a store (what `gatehouse users create` and `gatehouse
 * clients create` run). `scopes`, when given, restricts what users and clients may be allowed.
 * @example
 * const admin = createAdministration({ store })
 * const { clientSecret } = await admin.createClient({ id: 'cli', grantTypes: ['client_credentials'], scopes: ['read'] })
 */
export function createAdministration(options: AdministrationOptions): Administration {
  const { store } = options
  const now = options.now ?? (() => Math.floor(Date.now() / 1000))
  let passwords = options.passwords
  const checkScopes = (scopes: readonly string[], what: string) => {
    for (const scope of scopes)
      if (!isScopeToken(scope) || (options.scopes !== undefined && !options.scopes.includes(scope)))
        throw new TypeError(`${what}: unknown or invalid scope "${scope}"`)
  }
  return {
    async createUser(input) {
      const problem = usernameProblem(input.username)
      if (problem !== undefined) throw new TypeError(`createUser: \`username\` ${problem}`)
      const username = normalizeUsername(input.username)
      const scopes = [...new Set(input.scopes ?? [])]
      checkScopes(scopes, 'createUser')
      if (
        input.password !== undefined &&
        (typeof input.password !== 'string' || input.password === '')
      )
        throw new TypeError('createUser: `password` must be a non-empty string')
      const passwordIssue =
        input.password === undefined ? undefined : passwordProblem(input.password)
      if (passwordIssue !== undefined)
        throw new TypeError(`createUser: \`password\` ${passwordIssue}`)
      passwords ??= createPasswordHasher()
      const user: UserRecord = {
        id: input.id ?? randomUUID(),
        username,
        passwordHash:
          input.password === undefined
            ? null
            : await passwords.hash(normalizePassword(input.password)),
        scopes,
        disabled: input.disabled === true,
        createdAt: now(),
      }
      if (await takenInAnyCase(user.id, (spelling) => store.findClient(spelling)))
        throw sharedSubject('createUser', 'a client')
      if (!(await store.createUser(user)))
        throw new Error(`createUser: the username or id is already taken`)
      return user
    },

    async createClient(input) {
      const id = input.id ?? randomSecret(16)
      if (typeof id !== 'string' || !/^[\x20-\x7E]{1,255}$/.test(id))
        throw new TypeError(
          'createClient: `id` must be 1 to 255 printable ASCII characters (RFC 6749 VSCHAR)',
        )
      const grantTypes = [...new Set(input.grantTypes ?? [])]
      if (grantTypes.length === 0 || !grantTypes.every((g) => GRANT_TYPES.includes(g)))
        throw new TypeError(
          `createClient: \`grantTypes\` must be some of ${GRANT_TYPES.join(', ')}`,
        )
      if (input.public === true && grantTypes.includes('client_credentials'))
        throw new TypeError('createClient: a public client cannot use client_credentials')
      // Clients that could never get a token are set-up mistakes, not clients.
      if (
        grantTypes.includes('refresh_token') &&
        !grantTypes.includes('authorization_code') &&
        !grantTypes.includes('password')
      )
        throw new TypeError(
          'createClient: `grantTypes` refresh_token needs authorization_code or password, the grants that issue refresh tokens',
        )
      const name = input.name
      if (name !== undefined && !isClientName(name))
        throw new TypeError(
          `createClient: \`name\` must be 1 to ${MAX_CLIENT_NAME} printable characters`,
        )
      if (input.redirectUris !== undefined && !Array.isArray(input.redirectUris))
        throw new TypeError('createClient: `redirectUris` must be an array of strings')
      const redirectUris = [...new Set(input.redirectUris ?? [])]
      for (const uri of redirectUris) checkRedirectUri(uri)
      if (grantTypes.includes('authorization_code') && redirectUris.length === 0)
        throw new TypeError(
          'createClient: `redirectUris` is required with the authorization_code grant',
        )
      const scopes = [...new Set(input.scopes ?? [])]
      checkScopes(scopes, 'createClient')
      // Every token carries a scope the client may have (an empty request gets the default,
      // narrowed to the client's, and none left is invalid_scope).
      if (scopes.length === 0)
        throw new TypeError(
          'createClient: `scopes` must name at least one scope: a client with none could never get a token',
        )
      const method = input.tokenEndpointAuthMethod
      if (method !== undefined && !isSecretAuthMethod(method))
        throw new TypeError(
          'createClient: `tokenEndpointAuthMethod` must be client_secret_basic or client_secret_post',
        )
      if (method !== undefined && input.public === true)
        throw new TypeError('createClient: a public client has no secret to send')
      const clientSecret = input.public === true ? undefined : randomSecret()
      const hasher = await loadSecretHasher(store, now())
      const client: ClientRecord = {
        id,
        secretHash: clientSecret === undefined ? null : hasher.hash('client-secret', clientSecret),
        name: name ?? null,
        grantTypes,
        redirectUris,
        scopes,
        createdAt: now(),
        ...(input.selfRegistered === true ? { selfRegistered: true } : {}),
        ...(method === undefined ? {} : { tokenEndpointAuthMethod: method }),
      }
      if (await takenInAnyCase(id, (spelling) => store.findUserById(spelling)))
        throw sharedSubject('createClient', 'a user')
      if (!(await store.createClient(client)))
        throw new Error(`createClient: the client id is already taken`)
      return clientSecret === undefined ? { client } : { client, clientSecret }
    },
  }
}

/**
 * Whether the other kind holds `id` as written, in lower case or in upper case: a resource server
 * may compare a UUID subject in any case (or keep it in a PostgreSQL `uuid` column), so
 * `7154BD60-…` is the user `7154bd60-…`. Mixed spellings are not looked for; generated ids are
 * lower-case.
 */
export async function takenInAnyCase(
  id: string,
  find: (id: string) => Promise<unknown>,
): Promise<boolean> {
  for (const spelling of new Set([id, id.toLowerCase(), id.toUpperCase()]))
    if (await find(spelling)) return true
  return false
}

/**
 * Users' and clients' ids are one namespace: a `client_credentials` token's `sub` is its client's
 * id (RFC 9068 §2.2), so a client whose id were a user's would get tokens a resource server reads
 * as that user's (RFC 9700 §4.14). Both are refused, whichever was made first.
 */
function sharedSubject(operation: string, holder: string): Error {
  return new Error(
    `${operation}: the id is ${holder}'s; users and clients need different ids, since a client's own tokens carry its id as their subject`,
  )
}

/**
 * RFC 6749 §3.1.2 and OAuth 2.1: an absolute URI in the exact form it is used in, no fragment or
 * credentials ({@link redirectURIProblem}); no script or local scheme; plain http only for
 * loopback hosts.
 */
function checkRedirectUri(uri: unknown): void {
  if (typeof uri !== 'string')
    throw new TypeError('createClient: `redirectUris` must be an array of strings')
  const problem = redirectURIProblem(uri)
  if (problem !== undefined)
    throw new TypeError(`createClient: \`redirectUris\`: a redirect URI ${problem}`)
  const url = new URL(uri)
  if (['javascript:', 'data:', 'vbscript:', 'file:', 'blob:'].includes(url.protocol))
    throw new TypeError(
      'createClient: `redirectUris`: a redirect URI must not use a script or local scheme',
    )
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    throw new TypeError(
      'createClient: `redirectUris`: http redirect URIs are allowed for localhost only',
    )
}
