import { randomBytes } from 'node:crypto'
import type { RequestView } from '../../core/run/request-view.js'
import { type CookieOptions, ResponseParameter } from '../../core/run/response-parameter.js'
import type { SecretHasher } from '../keys/secret-hasher.js'
import { seal, unseal } from './sealed.js'

/**
 * The cookies of the login and consent pages. With an `https` issuer they are `Secure` and carry
 * the `__Host-` prefix (no `Domain`, `Path=/`), so a sibling subdomain cannot plant them; on a
 * plain-http localhost issuer, for development, they are neither.
 */
export interface PageCookies {
  /** The signed-in user of the built-in login, if a valid session cookie names one. */
  sessionUser(view: RequestView, hasher: SecretHasher, now: number): string | undefined
  /** `Set-Cookie` for a new login session of `userId`, lasting `ttl` seconds. */
  startSession(hasher: SecretHasher, userId: string, now: number, ttl: number): string
  /** `Set-Cookie` that ends the login session. */
  endSession(): string
  /**
   * The browser's CSRF secret, and the `Set-Cookie` that gives it one when it has none yet. Its
   * form token is a MAC of it, so a form from another site, which cannot read the cookie, has
   * no valid token.
   */
  csrf(view: RequestView): { secret: string; setCookie?: string }
  /** Whether `token` is the form token of the request's CSRF cookie. */
  checkCSRF(view: RequestView, hasher: SecretHasher, token: string | undefined): boolean
}

const CSRF_SECRET = /^[A-Za-z0-9_-]{43}$/

/** The form token of a CSRF secret. */
export function csrfToken(hasher: SecretHasher, secret: string): string {
  return hasher.hash('csrf', secret)
}

/**
 * The page cookies of a server whose issuer is `secure` (https) and whose path has the tag
 * `pathTag` (`Settings.pathTag`, `''` at the root). Cookies are per origin and `__Host-` ones need
 * `Path=/`, so the issuers of one origin (`/tenants/a`, `/tenants/b`) tell theirs apart by name:
 * each issuer's own session and CSRF secret, signed with its own key, never overwritten by another's.
 *
 * Cookies are not kept apart by port (RFC 6265 §8.5), so on a plain-http loopback issuer every
 * loopback client's redirect listener (RFC 8252 §7.3) would get the session and could replay it.
 * There they are sent only to `pagePath`, the endpoint whose pages use them (`/authorize`), where
 * a listener's `/callback` is not.
 */
export function pageCookies(secure: boolean, pathTag = '', pagePath = '/'): PageCookies {
  const prefix = secure ? '__Host-' : ''
  const path = secure ? '/' : pagePath
  const suffix = pathTag === '' ? '' : `-${pathTag}`
  const sessionName = `${prefix}gatehouse-login${suffix}`
  const csrfName = `${prefix}gatehouse-csrf${suffix}`
  const setCookie = (name: string, value: string, options: CookieOptions) => {
    const parameter = new ResponseParameter(secure)
    parameter.setCookie(name, value, { path, httpOnly: true, secure, ...options })
    return parameter.cookies[0] as string
  }
  return {
    sessionUser(view, hasher, now) {
      const session = unseal(hasher, 'login-session', view.cookie(sessionName), now)
      return typeof session?.sub === 'string' ? session.sub : undefined
    },
    startSession(hasher, userId, now, ttl) {
      const value = seal(hasher, 'login-session', { sub: userId, iat: now, exp: now + ttl })
      // Lax, not Strict: the session must come along when a client's site sends the user here.
      return setCookie(sessionName, value, { sameSite: 'lax', maxAge: ttl })
    },
    endSession() {
      return setCookie(sessionName, '', { sameSite: 'lax', maxAge: 0, expires: new Date(0) })
    },
    csrf(view) {
      const current = view.cookie(csrfName)
      if (current !== undefined && CSRF_SECRET.test(current)) return { secret: current }
      const secret = randomBytes(32).toString('base64url')
      // Lax, not Strict: a Strict cookie stays behind when a client's site sends the user here, so
      // every arrival would look cookieless and get a new secret, spoiling the forms of the tabs
      // already open. Lax still keeps it off another site's POST, and the token and the
      // Origin/Sec-Fetch-Site check refuse those anyway.
      return { secret, setCookie: setCookie(csrfName, secret, { sameSite: 'lax' }) }
    },
    checkCSRF(view, hasher, token) {
      const secret = view.cookie(csrfName)
      if (secret === undefined || !CSRF_SECRET.test(secret) || token === undefined) return false
      return hasher.matches('csrf', secret, token)
    },
  }
}
