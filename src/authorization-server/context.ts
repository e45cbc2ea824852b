import { createPasswordHasher, type PasswordHasher } from '../password/index.js'
import { type CachedClientStore, cachedClientStore } from './clients/client-cache.js'
import { KeyRing } from './keys/key-ring.js'
import { loadSecretHasher, type SecretHasher } from './keys/secret-hasher.js'
import type { Settings } from './options.js'
import { type ResourcePolicy, resourcePolicy } from './resources.js'
import type { ScopePolicy } from './scopes.js'
import type { AuthorizationServerStore, UserStore } from './store/store.js'
import { type AccessTokenVerifier, createAccessTokenVerifier } from './tokens/verifier.js'
import { type LoginResult, loginWithPassword, type PasswordLogin } from './users/password-login.js'
import { LoginThrottle } from './users/throttle.js'

/** Everything the grants and endpoints share, built once per server. */
export interface ServerContext {
  readonly settings: Settings
  readonly store: AuthorizationServerStore
  /** Client lookups of the endpoints that authenticate clients, remembered briefly. */
  readonly clients: CachedClientStore
  readonly keys: KeyRing
  readonly verifier: AccessTokenVerifier
  readonly scopePolicy: ScopePolicy
  readonly resourcePolicy: ResourcePolicy
  /** The store's secret-hashing key, read (or created) on first use. */
  hasher(): Promise<SecretHasher>
  /** A throttled password login. */
  login(login: PasswordLogin): Promise<LoginResult>
  /** Now and then deletes what expired; called by the endpoints, never awaited by them. */
  maintain(): void
}

/** A retired key stays published this much longer than the tokens it signed could live. */
const CLOCK_MARGIN = 60
/** Keys are re-read at least this often (seconds), to see another process's rotation. */
const KEY_REFRESH = 60
/** Expired entries are purged at most this often (seconds). */
const PURGE_INTERVAL = 300

/**
 * How long a retired signing key stays published: it signs until its successor may
 * ({@link keyActivationDelay}), and its last token is verified with some clock skew.
 */
export function retiredKeyLifetime(accessTokenTTL: number): number {
  return accessTokenTTL + keyActivationDelay(KEY_REFRESH) + CLOCK_MARGIN
}

/**
 * How long after it is made a new signing key starts signing: two key-refresh intervals. After
 * one, every process publishes it (each re-reads the keys that often); a resource server that
 * fetched a JWKS without it did so at least one interval before the first token it signs, so
 * re-fetching on the unknown `kid` is not held back by a cool-down shorter than that (30 s for
 * Gatehouse's and jose's remote key sets).
 */
export function keyActivationDelay(refreshInterval: number): number {
  return 2 * refreshInterval
}

/** Builds the shared context of a server from its settings. */
export function createContext(settings: Settings): ServerContext {
  const { store, now } = settings
  const keys = new KeyRing({
    store,
    algorithm: settings.algorithm,
    secret: settings.secret,
    rotateAfter: settings.rotateAfter,
    retiredKeyLifetime: retiredKeyLifetime(settings.accessTokenTTL),
    refreshInterval: KEY_REFRESH,
    activationDelay: keyActivationDelay(KEY_REFRESH),
    now,
  })
  let hasher: Promise<SecretHasher> | undefined
  const loadHasher = () => {
    hasher ??= loadSecretHasher(store, now()).catch((error: unknown) => {
      hasher = undefined
      throw error
    })
    return hasher
  }
  let passwords: PasswordHasher | undefined = settings.passwords
  let throttle: LoginThrottle | undefined
  let hashKinds: Promise<void> | undefined
  let lastPurge = now()
  return {
    settings,
    store,
    clients: cachedClientStore(store),
    keys,
    verifier: createAccessTokenVerifier({
      issuer: settings.issuer,
      keys,
      store,
      now,
      clockTolerance: 0,
    }),
    scopePolicy: { known: new Set(Object.keys(settings.scopes)), defaults: settings.defaultScopes },
    resourcePolicy: resourcePolicy(settings.audience, settings.resources),
    hasher: loadHasher,
    async login(login) {
      passwords ??= createPasswordHasher()
      // Before the first check: a fresh process would otherwise know only Argon2id, and a user
      // with a slower legacy hash (bcrypt) would answer more slowly than an unknown one.
      hashKinds ??= noteHashKinds(store, passwords).catch((error: unknown) => {
        hashKinds = undefined
        throw error
      })
      await hashKinds
      const policy = settings.throttle
      // One for the server: it keeps which attempts are running (see `oneAtATime`).
      if (policy && throttle === undefined) {
        const hasher = await loadHasher()
        throttle ??= new LoginThrottle(store, policy, hasher)
      }
      return loginWithPassword(login, { store, passwords, throttle, now })
    },
    maintain() {
      const at = now()
      if (at - lastPurge < PURGE_INTERVAL) return
      lastPurge = at
      // Best effort: a failed purge is retried next time and never fails a request.
      store.purgeExpired(at).catch(() => {})
    },
  }
}

/** Tells the hasher every kind of password hash the store holds (see `passwordHashSamples`). */
async function noteHashKinds(store: UserStore, passwords: PasswordHasher): Promise<void> {
  if (store.passwordHashSamples === undefined) return
  passwords.noteStoredHashes(await store.passwordHashSamples())
}
