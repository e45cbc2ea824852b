import { isOAuth2Error } from '../../core/errors/index.js'
import type { RequestView } from '../../core/run/request-view.js'
import type { ServerContext } from '../context.js'
import { issueAuthorizationCode } from '../grants/authorization-codes.js'
import { randomSecret, type SecretHasher } from '../keys/secret-hasher.js'
import { grantScopes } from '../scopes.js'
import type { ClientRecord, UserRecord } from '../store/records.js'
import {
  AuthorizationRedirectError,
  type AuthorizationRequest,
  authorizationQuery,
  type Prompt,
} from './authorization-request.js'
import { codeResponseURL, formActionSource } from './authorization-response.js'
import { csrfToken, type PageCookies } from './cookies.js'
import { pageResponse, redirectResponse } from './page-response.js'
import { consentPage, type FormState, loginPage } from './pages.js'
import { seal } from './sealed.js'

/** What the steps of `/authorize` share. */
export interface Interaction {
  readonly context: ServerContext
  readonly cookies: PageCookies
  /** `${issuer}/authorize`: where the forms post and the login sends the browser back. */
  readonly authorizeURL: string
}

/** How long the login and consent forms stay valid, in seconds. */
const FORM_TTL = 900

/** A pending authorization, sealed into the pages' forms. */
export interface PendingAuthorization {
  readonly exp: number
  /** This form's own random id: a consent form is accepted once (see `useFormOnce`). */
  readonly form: string
  readonly request: AuthorizationRequest
  /** Consent step: the signed-in user and the scopes the page showed. */
  readonly user?: string
  readonly scopes?: readonly string[]
}

/**
 * The signed-in user: the app's own login (`login.authenticate`) first, then the built-in
 * session cookie. A session whose user is gone or disabled counts as nobody.
 */
export async function currentUser(
  interaction: Interaction,
  view: RequestView,
  hasher: SecretHasher,
): Promise<UserRecord | undefined> {
  return (await signedIn(interaction, view, hasher))?.user
}

/** {@link currentUser}, and whether the app's own login vouched for it (its session is the app's). */
async function signedIn(
  interaction: Interaction,
  view: RequestView,
  hasher: SecretHasher,
): Promise<{ user: UserRecord; byApp: boolean } | undefined> {
  const { settings, store } = interaction.context
  const authenticate = settings.interaction.authenticate
  const appUser = authenticate ? await authenticate(view) : undefined
  if (typeof appUser === 'string' && appUser !== '') {
    const user = await store.findUserById(appUser)
    if (!user) throw new Error('login.authenticate returned an id that no user in the store has')
    return { user, byApp: true }
  }
  const sessionUser = interaction.cookies.sessionUser(view, hasher, settings.now())
  const user = sessionUser === undefined ? undefined : await store.findUserById(sessionUser)
  return user && !user.disabled ? { user, byApp: false } : undefined
}

/** The hidden fields of a page's form, and the CSRF cookie when the browser has none yet. */
function formState(
  interaction: Interaction,
  view: RequestView,
  hasher: SecretHasher,
  pending: Omit<PendingAuthorization, 'exp' | 'form'>,
): { state: FormState; setCookie: string | undefined } {
  const csrf = interaction.cookies.csrf(view)
  const exp = interaction.context.settings.now() + FORM_TTL
  const form = randomSecret(16)
  return {
    state: {
      action: interaction.authorizeURL,
      request: seal(hasher, 'authorization-request', { ...pending, exp, form }),
      csrfToken: csrfToken(hasher, csrf.secret),
    },
    setCookie: csrf.setCookie,
  }
}

/** The name a page shows for a client. */
export const clientName = (client: ClientRecord) => client.name ?? client.id

const redirectError = (
  request: AuthorizationRequest,
  code: 'login_required' | 'consent_required',
  description: string,
) => new AuthorizationRedirectError(code, description, request)

/** The built-in login page for a request. */
export function showLogin(
  interaction: Interaction,
  view: RequestView,
  hasher: SecretHasher,
  found: { request: AuthorizationRequest; client: ClientRecord },
  page: {
    status?: number | undefined
    error?: string | undefined
    username?: string | undefined
    headers?: Record<string, string> | undefined
  } = {},
): Response {
  const { state, setCookie } = formState(interaction, view, hasher, { request: found.request })
  return pageResponse(
    loginPage({
      clientName: clientName(found.client),
      state,
      error: page.error,
      username: page.username,
    }),
    {
      status: page.status,
      headers: page.headers,
      cookies: [setCookie],
      formTargets: [formActionSource(found.request.target)].filter((s) => s !== undefined),
    },
  )
}

/**
 * Carries a valid authorization request on from wherever it stands: to the login when nobody is
 * signed in, to the consent page when the user has not consented, or straight back to the
 * client with a code. `prompt=none` turns every page into an error instead.
 */
export async function continueAuthorization(
  interaction: Interaction,
  view: RequestView,
  found: { request: AuthorizationRequest; client: ClientRecord },
): Promise<Response> {
  const { context } = interaction
  const { settings } = context
  const { request, client } = found
  const hasher = await context.hasher()
  const session = request.prompt.includes('login')
    ? undefined
    : await signedIn(interaction, view, hasher)
  const user = session?.user
  if (!user) {
    if (request.prompt.includes('none'))
      throw redirectError(request, 'login_required', 'The user is not signed in')
    const loginUrl = settings.interaction.loginUrl
    if (loginUrl === undefined) return showLogin(interaction, view, hasher, found)
    const back = authorizationQuery(request, withoutLogin(request.prompt))
    const query = new URLSearchParams({ return_to: `${interaction.authorizeURL}?${back}` })
    if (request.prompt.includes('login')) query.set('prompt', 'login')
    return redirectResponse(`${loginUrl}${loginUrl.includes('?') ? '&' : '?'}${query}`)
  }
  if (user.disabled)
    throw new AuthorizationRedirectError(
      'access_denied',
      'The user cannot authorize clients',
      request,
    )
  const scopes = redirectOnOAuthError(request, () =>
    grantScopes(context.scopePolicy, request.scope, [client.scopes, user.scopes]),
  )
  if (
    !request.prompt.includes('consent') &&
    (await hasConsented(context, client, user, scopes, request.target))
  )
    return redirectResponse(await issueCode(context, request, user, scopes))
  if (request.prompt.includes('none'))
    throw redirectError(request, 'consent_required', 'The user has not consented to this client')
  const { state, setCookie } = formState(interaction, view, hasher, {
    request,
    user: user.id,
    scopes,
  })
  return pageResponse(
    consentPage({
      clientName: clientName(client),
      username: user.username,
      scopes: scopes.map((name) => ({ name, description: settings.scopes[name] ?? '' })),
      destination: destinationOf(request.target),
      state,
      selfRegistered: client.selfRegistered === true,
      // Only the built-in session can be ended here; the app's own login ends its own.
      signOut: session?.byApp !== true,
    }),
    {
      cookies: [setCookie],
      formTargets: [formActionSource(request.target)].filter((s) => s !== undefined),
    },
  )
}

/**
 * Whether the consent page can be skipped: the app says so, or a remembered consent covers it.
 * A remembered consent is not used for a public client redirecting anywhere but an https URL
 * (RFC 8252 §8.6): any program on the machine can listen on a loopback port, with the any-port
 * rule, or claim an app scheme, and so pass for the client; the user must see who is asking.
 */
async function hasConsented(
  context: ServerContext,
  client: ClientRecord,
  user: UserRecord,
  scopes: readonly string[],
  target: string,
): Promise<boolean> {
  const { skipConsent, rememberConsent } = context.settings.interaction
  if (skipConsent && (await skipConsent({ client, user, scopes: [...scopes] }))) return true
  if (rememberConsent === 0) return false
  if (client.secretHash === null && !target.startsWith('https://')) return false
  const consent = await context.store.findConsent(user.id, client.id, context.settings.now())
  return consent !== undefined && scopes.every((scope) => consent.scopes.includes(scope))
}

/** Remembers that the user consented to `scopes` (with what they consented to before). */
export async function rememberConsent(
  context: ServerContext,
  subject: string,
  clientId: string,
  scopes: readonly string[],
): Promise<void> {
  const ttl = context.settings.interaction.rememberConsent
  if (ttl === 0) return
  const now = context.settings.now()
  const earlier = await context.store.findConsent(subject, clientId, now)
  await context.store.saveConsent({
    subject,
    clientId,
    scopes: [...new Set([...(earlier?.scopes ?? []), ...scopes])],
    createdAt: now,
    expiresAt: now + ttl,
  })
}

/** Issues the code and returns the success response URL; request problems become redirects. */
export async function issueCode(
  context: ServerContext,
  request: AuthorizationRequest,
  user: UserRecord,
  scopes: readonly string[],
): Promise<string> {
  const code = await redirectOnOAuthErrorAsync(request, () =>
    issueAuthorizationCode(context, {
      clientId: request.clientId,
      userId: user.id,
      redirectUri: request.redirectUri,
      scopes,
      resources: request.resources,
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: 'S256',
    }),
  )
  return codeResponseURL(request, context.settings.issuer, code)
}

/** `prompt` once the user signed in: `login` is satisfied, and asking again would loop. */
export const withoutLogin = (prompt: readonly Prompt[]) => prompt.filter((p) => p !== 'login')

/** Where the user goes back to, as the consent page names it: the host, or the app's scheme. */
function destinationOf(target: string): string {
  const url = new URL(target)
  return url.host === '' ? url.protocol.slice(0, -1) : url.host
}

function redirectOnOAuthError<T>(request: AuthorizationRequest, run: () => T): T {
  try {
    return run()
  } catch (error) {
    if (isOAuth2Error(error))
      throw new AuthorizationRedirectError(error.code, error.description ?? error.code, request)
    throw error
  }
}

async function redirectOnOAuthErrorAsync<T>(
  request: AuthorizationRequest,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (isOAuth2Error(error))
      throw new AuthorizationRedirectError(error.code, error.description ?? error.code, request)
    throw error
  }
}

/**
 * Accepts a consent form once: its id is counted in the store (as throttle counters are, so every
 * instance on the store agrees, and two posts at once cannot both be first) until the form would
 * have expired anyway. A second post of the same form, a replay, is refused.
 */
export async function useFormOnce(
  interaction: Interaction,
  pending: PendingAuthorization,
): Promise<boolean> {
  const { store, settings } = interaction.context
  const now = settings.now()
  const counted = await store.recordFailure(
    `consent-form:${pending.form}`,
    now,
    Math.max(1, pending.exp - now),
  )
  return counted.failures === 1
}
