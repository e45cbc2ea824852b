import { readConfig, sqliteFileOf } from '../../../examples/scopes/config.js'
import { openSQLiteUserStore, type UserInDB } from '../../../examples/scopes/users.js'

/**
 * What the hand-written `users-me` servers share with the tutorial app, so that only the framework
 * and the JWT library differ: the secret and the SQLite database from the same environment
 * (`SECRET_KEY`, `DATABASE_URL`), users loaded through the tutorial's own store (a prepared
 * `SELECT` per request, as the app does), and the tutorial's checks in its order.
 */
export const config = readConfig()
export const users = openSQLiteUserStore(sqliteFileOf(config))

/** A protected route of the tutorial: the scopes it requires and what it answers. */
export interface Route {
  readonly scopes: readonly string[]
  /** Refuse disabled users (the tutorial's `get_current_active_user`). */
  readonly activeOnly: boolean
  answer(user: UserInDB): object
}

export const routes: Readonly<Record<string, Route>> = {
  '/users/me/': {
    scopes: ['me'],
    activeOnly: true,
    // The tutorial's `User` model: these four fields, in this order.
    answer: (user) => ({
      username: user.username,
      email: user.email,
      full_name: user.full_name,
      disabled: user.disabled,
    }),
  },
  '/status/': { scopes: [], activeOnly: false, answer: () => ({ status: 'ok' }) },
}

/** An answer other than the route's own: the tutorial's error, with its challenge if any. */
export interface Refusal {
  readonly status: 400 | 401
  readonly body: { detail: string }
  readonly headers: Record<string, string>
}

const challenge = (route: Route) =>
  route.scopes.length === 0 ? 'Bearer' : `Bearer scope="${route.scopes.join(' ')}"`

/** 401 "Could not validate credentials", as for any bad or missing token. */
export function invalid(route: Route): Refusal {
  return {
    status: 401,
    body: { detail: 'Could not validate credentials' },
    headers: { 'www-authenticate': challenge(route) },
  }
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 8) return undefined
  if (header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined
  return header.slice(7).trim() || undefined
}

/**
 * Everything after the signature check: `exp` present and in the future, `sub` a non-empty string
 * naming a known user, `scopes` granting every scope the route requires, the user active.
 */
export function authorize(route: Route, claims: Record<string, unknown>): Outcome {
  const { exp, sub, scopes = [] } = claims
  if (typeof exp !== 'number' || exp <= Date.now() / 1000) return invalid(route)
  if (typeof sub !== 'string' || sub === '' || !Array.isArray(scopes)) return invalid(route)
  const user = users.find(sub)
  if (user === undefined) return invalid(route)
  for (const scope of route.scopes)
    if (!scopes.includes(scope))
      return {
        status: 401,
        body: { detail: 'Not enough permissions' },
        headers: { 'www-authenticate': challenge(route) },
      }
  if (route.activeOnly && user.disabled)
    return { status: 400, body: { detail: 'Inactive user' }, headers: {} }
  return user
}

/** A route's user, or why the request is refused. */
export type Outcome = UserInDB | Refusal

export const isRefusal = (value: Outcome): value is Refusal => 'status' in value
