import {
  createCurrentPrincipal,
  createJWTCodec,
  createPasswordHasher,
  dependency,
  Gatehouse,
  HTTPException,
  OAuth2PasswordBearer,
  OAuth2PasswordRequestForm,
  Security,
  ServiceUnavailableError,
} from 'gatehouse'
import * as z from 'zod'
import type { UserStore } from './users.js'

export const ACCESS_TOKEN_EXPIRE_MINUTES = 30

export const Token = z
  .object({ access_token: z.string(), token_type: z.string() })
  .meta({ id: 'Token' })

export const User = z
  .object({
    username: z.string(),
    email: z.string().nullable().optional(),
    full_name: z.string().nullable().optional(),
    disabled: z.boolean().nullable().optional(),
  })
  .meta({ id: 'User' })

export interface ScopesAppOptions {
  /** The HS256 signing key. */
  secretKey: string
  users: UserStore
  /** Epoch seconds; tests freeze it. */
  now?: () => number
  /** Verified tokens remembered by the JWT codec (default 1000); 0 re-verifies every request. */
  jwtCacheSize?: number
}

/** FastAPI's "OAuth2 scopes" tutorial app, in Gatehouse. */
export function createScopesApp(options: ScopesAppOptions) {
  return createScopesTutorial(options).app
}

/**
 * The tutorial app with its dependencies, for tests that override them the FastAPI way:
 * `app.dependencyOverrides.set(getCurrentUser, fakeUser)`.
 */
export function createScopesTutorial({ secretKey, users, now, jwtCacheSize }: ScopesAppOptions) {
  const jwt = createJWTCodec({
    secret: secretKey,
    algorithm: 'HS256',
    ...(now ? { now } : {}),
    ...(jwtCacheSize === undefined ? {} : { cacheSize: jwtCacheSize }),
  })
  // Unknown users are checked against a decoy as slow to verify as the slowest stored hash (the
  // tutorial's bcrypt ones, until every user has logged in once and been upgraded).
  const passwords = createPasswordHasher({ storedHashes: users.storedHashes() })

  const oauth2Scheme = new OAuth2PasswordBearer({
    tokenUrl: 'token',
    scopes: { me: 'Read information about the current user.', items: 'Read items.' },
  })

  // The tutorial's get_current_user: verify the token, load the user, compare scopes.
  const getCurrentUser = createCurrentPrincipal({
    scheme: oauth2Scheme,
    jwt,
    loadPrincipal: (username) => users.find(username),
    errors: 'fastapi',
    name: 'getCurrentUser',
  })

  const getCurrentActiveUser = dependency(
    { currentUser: Security(getCurrentUser, { scopes: ['me'] }) },
    ({ currentUser }) => {
      if (currentUser.disabled) throw new HTTPException(400, { detail: 'Inactive user' })
      return currentUser
    },
  )

  const app = new Gatehouse({ title: 'FastAPI', version: '0.1.0' })

  app.post(
    '/token',
    // A login form is a few hundred bytes: refuse more before it is buffered.
    { inputs: { formData: OAuth2PasswordRequestForm }, response: Token, bodyLimit: 16 * 1024 },
    async function loginForAccessToken({ formData }) {
      const user = await users.find(formData.username)
      // Unknown users are checked against the decoy hash, so both failures take the same time.
      const { valid, newHash } = await passwords.verifyAndUpdate(
        formData.password,
        user?.hashed_password,
      )
      if (!user || !valid)
        throw new HTTPException(400, { detail: 'Incorrect username or password' })
      // The tutorial's bcrypt hashes are upgraded to argon2id on the first successful login. Best
      // effort: while the database cannot take the write (another process's lock), the password
      // was still right, and a later login upgrades it.
      if (newHash) await upgradeHash(users, user.username, newHash)
      // Grant only what was asked for and what this user may have, each scope once.
      const scopes = [...new Set(formData.scopes)].filter((scope) =>
        user.allowed_scopes.includes(scope),
      )
      const accessToken = await jwt.sign(
        { sub: user.username, scopes },
        { expiresIn: ACCESS_TOKEN_EXPIRE_MINUTES * 60 },
      )
      return { access_token: accessToken, token_type: 'bearer' }
    },
  )

  app.get(
    '/users/me/',
    { inputs: { currentUser: getCurrentActiveUser }, response: User },
    function readUsersMe({ currentUser }) {
      return currentUser
    },
  )

  app.get(
    '/users/me/items/',
    { inputs: { currentUser: Security(getCurrentActiveUser, { scopes: ['items'] }) } },
    function readOwnItems({ currentUser }) {
      return [{ item_id: 'Foo', owner: currentUser.username }]
    },
  )

  app.get('/status/', { inputs: { currentUser: getCurrentUser } }, function readSystemStatus() {
    return { status: 'ok' }
  })

  return { app, getCurrentUser, getCurrentActiveUser, oauth2Scheme }
}

/**
 * Stores an upgraded hash, or leaves the old one (still valid) when the store cannot take the
 * write now: SQLite locked by another process, PostgreSQL unavailable. Anything else is a fault.
 */
async function upgradeHash(users: UserStore, username: string, hash: string): Promise<void> {
  try {
    await users.updatePasswordHash(username, hash)
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    const busy = typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)
    // The old hash still verifies; the next successful login tries again.
    if (!busy && !(error instanceof ServiceUnavailableError)) throw error
  }
}
