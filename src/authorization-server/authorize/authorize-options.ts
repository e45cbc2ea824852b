import { refuseUnknownOptions } from '../../core/declare/known-options.js'
import type { RequestView } from '../../core/run/request-view.js'
import type { ClientRecord, UserRecord } from '../store/records.js'

/**
 * The login step of `/authorize`. By default the server shows its own login page and keeps a
 * short signed session cookie; an app with its own login plugs it in here.
 */
export interface LoginOptions {
  /**
   * Who is signed in to your app, from your own session (a cookie your login sets): the store
   * user's id (`UserRecord.id`), or `undefined` for nobody. Asked first on every authorization
   * request; when it names a user, the server's login page and session are not used.
   */
  authenticate?:
    | ((request: RequestView) => string | null | undefined | Promise<string | null | undefined>)
    | undefined
  /**
   * Your own login page (an absolute URL, or a path on this app). A user nobody signed in is sent
   * there with `return_to`, the authorization URL to come back to once signed in (with
   * `prompt=login`, also `prompt=login`); hand the user back by setting your session (read by
   * `authenticate`) or with `server.completeLogin()`.
   */
  url?: string | undefined
  /** How long the built-in login session lasts, in seconds; default 900. */
  sessionTTL?: number | undefined
}

/** What {@link ConsentOptions.skip} is told about a request. */
export interface ConsentRequest {
  readonly client: ClientRecord
  readonly user: UserRecord
  /** The scopes the client would get. */
  readonly scopes: readonly string[]
}

/** The consent step of `/authorize`. */
export interface ConsentOptions {
  /**
   * Remember a user's consent to a client this many seconds: while it lasts, a request for no
   * more scopes than consented skips the page (`prompt=consent` always shows it). Default 0:
   * ask every time.
   */
  remember?: number | undefined
  /** Skip the page for some requests, e.g. your own first-party clients. */
  skip?: ((request: ConsentRequest) => boolean | Promise<boolean>) | undefined
}

/** The login and consent settings after validation. */
export interface InteractionSettings {
  readonly authenticate: LoginOptions['authenticate']
  readonly loginUrl: string | undefined
  readonly sessionTTL: number
  readonly rememberConsent: number
  readonly skipConsent: ConsentOptions['skip']
}

const fail = (message: string): never => {
  throw new TypeError(`createAuthorizationServer: ${message}`)
}

const LOGIN_OPTIONS = new Set(['authenticate', 'url', 'sessionTTL'])
const CONSENT_OPTIONS = new Set(['remember', 'skip'])

/** Checks the `login` and `consent` options once; mistakes are `TypeError`s naming them. */
export function resolveInteraction(
  login: LoginOptions | undefined,
  consent: ConsentOptions | undefined,
): InteractionSettings {
  if (login !== undefined)
    refuseUnknownOptions('createAuthorizationServer', login, LOGIN_OPTIONS, 'option', 'login.')
  if (consent !== undefined)
    refuseUnknownOptions(
      'createAuthorizationServer',
      consent,
      CONSENT_OPTIONS,
      'option',
      'consent.',
    )
  const { authenticate, url, sessionTTL = 900 } = login ?? {}
  if (authenticate !== undefined && typeof authenticate !== 'function')
    fail('`login.authenticate` must be a function')
  if (url !== undefined && (typeof url !== 'string' || !isLoginURL(url)))
    fail('`login.url` must be an http(s) URL or a path starting with "/"')
  if (!Number.isSafeInteger(sessionTTL) || sessionTTL < 1)
    fail('`login.sessionTTL` must be an integer ≥ 1')
  const { remember = 0, skip } = consent ?? {}
  if (!Number.isSafeInteger(remember) || remember < 0)
    fail('`consent.remember` must be an integer ≥ 0')
  if (skip !== undefined && typeof skip !== 'function') fail('`consent.skip` must be a function')
  return {
    authenticate,
    loginUrl: url,
    sessionTTL,
    rememberConsent: remember,
    skipConsent: skip,
  }
}

function isLoginURL(url: string): boolean {
  if (url.startsWith('/')) return !url.startsWith('//') && !url.includes('#')
  try {
    const parsed = new URL(url)
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hash === ''
  } catch {
    return false
  }
}
