import type { Router } from '../../core/declare/router.js'
import { HTTPException, isGatehouseError } from '../../core/errors/index.js'
import type { RequestView } from '../../core/run/request-view.js'
import type { ClientAuthenticationScheme } from '../clients/client-authentication.js'
import type { ServerContext } from '../context.js'
import { LoginThrottledError } from '../errors.js'
import type { SecretHasher } from '../keys/secret-hasher.js'
import {
  AuthorizationPageError,
  AuthorizationRedirectError,
  type AuthorizationRequest,
  authorizationQuery,
  readAuthorizationRequest,
} from './authorization-request.js'
import { errorResponseURL } from './authorization-response.js'
import { authorizeDocs, authorizeFormDocs } from './authorize-docs.js'
import { pageCookies } from './cookies.js'
import {
  continueAuthorization,
  currentUser,
  type Interaction,
  issueCode,
  type PendingAuthorization,
  rememberConsent,
  showLogin,
  useFormOnce,
  withoutLogin,
} from './interaction.js'
import { type PageForm, pageFormReader } from './page-form.js'
import { pageResponse, redirectResponse } from './page-response.js'
import { errorPage } from './pages.js'
import { unseal } from './sealed.js'

/** What the authorization endpoint gives the server's public API. */
export interface AuthorizationEndpoint {
  /** Signs a user in to the built-in session and sends the browser back to `returnTo`. */
  completeLogin(login: { userId: string; returnTo: string }): Promise<Response>
}

/**
 * `GET {issuer}/authorize` (RFC 6749 §4.1.1, PKCE S256, RFC 9207 `iss`, RFC 8707 `resource`)
 * and its `POST` for the login and consent forms. Problems with the client or redirect URI are
 * error pages; every other outcome goes back to the client's redirect URI.
 */
export function addAuthorizationEndpoint(
  router: Router,
  context: ServerContext,
  clientAuth: ClientAuthenticationScheme,
): AuthorizationEndpoint {
  const { settings } = context
  const path = `${settings.basePath}/authorize`
  const authorizeURL = `${settings.endpointBase}/authorize`
  const interaction: Interaction = {
    context,
    cookies: pageCookies(
      settings.issuer.startsWith('https:'),
      settings.pathTag,
      new URL(authorizeURL).pathname,
    ),
    authorizeURL,
  }
  const issuerOrigin = new URL(settings.issuer).origin

  router.get(
    path,
    {
      inputs: { request: clientAuth },
      // The scheme only hands over the request head: the endpoint needs no credentials.
      security: [],
      summary: 'Authorization endpoint',
      description:
        'Starts the authorization code flow (RFC 6749 §4.1, PKCE S256 required): the user signs in and consents, then the browser goes back to the redirect URI with `code`, `state` and `iss`.',
      operationId: `oauth2Authorize${settings.operationSuffix}`,
      openapiExtra: authorizeDocs,
    },
    async function authorize({ request }) {
      context.maintain()
      const view = request.view
      return answer(settings.issuer, 302, async () => {
        try {
          return await continueAuthorization(
            interaction,
            view,
            await readAuthorizationRequest(context, (name) => view.queryAll(name)),
          )
        } catch (error) {
          throw await unlessSignedIn(error, view)
        }
      })
    },
  )

  router.post(
    path,
    {
      inputs: { form: pageFormReader(settings.bodyLimit), request: clientAuth },
      security: [],
      bodyLimit: settings.bodyLimit,
      summary: 'Login and consent forms',
      description: "The built-in login and consent pages' forms post here.",
      operationId: `oauth2AuthorizeForm${settings.operationSuffix}`,
      openapiExtra: authorizeFormDocs,
    },
    async function authorizeForm({ form, request }) {
      const { view, address } = request
      return answer(settings.issuer, 303, async () => {
        if (!form.ok) throw new AuthorizationPageError(form.problem, form.status)
        if (!isSameOrigin(view, issuerOrigin))
          throw new AuthorizationPageError('The form was not sent from this site.', 403)
        const hasher = await context.hasher()
        if (!interaction.cookies.checkCSRF(view, hasher, form.get('csrf_token')))
          throw new AuthorizationPageError(
            'The form has expired or was not sent from this site.',
            403,
          )
        // Unsealed whatever its age, then its age checked: one MAC check for both outcomes.
        const pending = readPending(
          unseal(hasher, 'authorization-request', form.get('request'), Number.NEGATIVE_INFINITY),
        )
        // Altered, or sealed under a key this server no longer has: one message for both.
        if (!pending) throw new AuthorizationPageError('The form is not valid or has expired.')
        // Left open too long, but sealed by this server: the same request again, with a fresh
        // page, rather than a dead end (the GET checks all of it anew). A login form keeps
        // `prompt=login`: the sign-in it asks for has not happened.
        if (pending.exp <= settings.now())
          return backToRequest(pending.request, { signedIn: pending.user !== undefined })
        const query = new URLSearchParams(authorizationQuery(pending.request))
        const found = await readAuthorizationRequest(context, (name) => query.getAll(name))
        const step = form.get('step')
        if (step === 'login') return login(form, found, address, view, hasher)
        if (step === 'consent') return consent(form, found, pending, view, hasher)
        throw new AuthorizationPageError('The form is not one of this server.')
      })
    },
  )

  /**
   * RFC 9700 §4.11.2: anyone can register a client, and with it a redirect URI, so a bad request of
   * a self-registered client would make this server an open redirector to that URI. Its errors are
   * sent there only once a user has signed in (or for `prompt=none`, the silent case the RFC
   * allows); before that they are a page here.
   */
  async function unlessSignedIn(error: unknown, view: RequestView): Promise<unknown> {
    if (!(error instanceof AuthorizationRedirectError) || !error.untrusted) return error
    if (error.code === 'login_required' || error.code === 'consent_required') return error
    if (await currentUser(interaction, view, await context.hasher())) return error
    return new AuthorizationPageError(`The request cannot be completed: ${error.message}.`)
  }

  async function login(
    form: Extract<PageForm, { ok: true }>,
    found: Awaited<ReturnType<typeof readAuthorizationRequest>>,
    address: string | undefined,
    view: RequestView,
    hasher: SecretHasher,
  ): Promise<Response> {
    if (settings.interaction.loginUrl !== undefined)
      throw new AuthorizationPageError("Sign in through the application's own login page.")
    const username = form.get('username')
    const password = form.get('password')
    const again = (status: number, error: string, headers?: Record<string, string>) =>
      showLogin(interaction, view, hasher, found, { status, error, headers, username })
    if (username === undefined || password === undefined)
      return again(400, 'Enter your username and password.')
    let result: Awaited<ReturnType<ServerContext['login']>>
    try {
      result = await context.login({ username, password, clientAddress: address })
    } catch (error) {
      if (!(error instanceof LoginThrottledError)) throw error
      return again(
        429,
        `Too many failed sign-ins. Try again in ${error.retryAfter} second${error.retryAfter === 1 ? '' : 's'}.`,
        {
          'retry-after': String(error.retryAfter),
        },
      )
    }
    // Disabled users get this answer too, whatever their password (it must not confirm it).
    if (!result.ok) return again(400, 'The username or password is not right.')
    const now = settings.now()
    const session = interaction.cookies.startSession(
      hasher,
      result.user.id,
      now,
      settings.interaction.sessionTTL,
    )
    // Back to the request, which goes on to consent.
    return backToRequest(found.request, { signedIn: true, cookies: [session] })
  }

  /**
   * A 303 to the same authorization request, which the GET checks and answers anew; once the user
   * has signed in for it, without `prompt=login`, which that sign-in satisfied.
   */
  function backToRequest(
    request: AuthorizationRequest,
    { signedIn, cookies = [] }: { signedIn: boolean; cookies?: string[] },
  ): Response {
    const query = authorizationQuery(
      request,
      signedIn ? withoutLogin(request.prompt) : request.prompt,
    )
    return redirectResponse(`${interaction.authorizeURL}?${query}`, { status: 303, cookies })
  }

  async function consent(
    form: Extract<PageForm, { ok: true }>,
    found: Awaited<ReturnType<typeof readAuthorizationRequest>>,
    pending: PendingAuthorization,
    view: RequestView,
    hasher: SecretHasher,
  ): Promise<Response> {
    if (pending.user === undefined || pending.scopes === undefined)
      throw new AuthorizationPageError('The form is not a consent form.')
    const user = await currentUser(interaction, view, hasher)
    // Signed out since (the session ended while the page was open): sign in again, same request.
    if (user === undefined) return backToRequest(found.request, { signedIn: false })
    if (user.id !== pending.user)
      throw new AuthorizationPageError('You are signed in as another user than the one asked.', 403)
    const decision = form.get('decision')
    // Someone else's session on a shared browser: it ends here (the only way, besides its
    // `sessionTTL`), and the same request asks for a sign-in.
    if (decision === 'switch')
      return backToRequest(found.request, {
        signedIn: false,
        cookies: [interaction.cookies.endSession()],
      })
    if (decision !== 'allow' && decision !== 'deny')
      throw new AuthorizationPageError('Choose to allow or deny.')
    // Once only: a replayed consent (the same page posted again) would issue a second code. The
    // same user's second post is a double click on a slow link, whose first answer (the code) the
    // browser dropped: instead of a dead end, it starts the same request again, which shows the
    // consent page anew, or issues a new code where the consent is remembered.
    if (!(await useFormOnce(interaction, pending)))
      return backToRequest(found.request, { signedIn: true })
    if (decision === 'deny')
      throw new AuthorizationRedirectError(
        'access_denied',
        'The user denied the request',
        found.request,
      )
    const location = await issueCode(context, found.request, user, pending.scopes)
    await rememberConsent(context, user.id, found.client.id, pending.scopes)
    return redirectResponse(location, { status: 303 })
  }

  return {
    async completeLogin({ userId, returnTo }) {
      const location = authorizationURLOf(returnTo, interaction.authorizeURL, path)
      if (location === undefined)
        throw new HTTPException(400, {
          detail: 'return_to is not an authorization URL of this server',
        })
      const user = typeof userId === 'string' ? await context.store.findUserById(userId) : undefined
      if (!user || user.disabled)
        throw new HTTPException(400, { detail: 'The user cannot sign in' })
      const now = settings.now()
      const cookie = interaction.cookies.startSession(
        await context.hasher(),
        user.id,
        now,
        settings.interaction.sessionTTL,
      )
      return redirectResponse(location, { status: 303, cookies: [cookie] })
    },
  }
}

/**
 * `returnTo` as the `Location` to send, when it is this server's authorization URL (absolute, or
 * its path) with a query: parsed and written out again, so what came from a form can never break
 * the header (CR, LF, non-ASCII are dropped or percent-encoded, as a browser would send them).
 */
function authorizationURLOf(
  returnTo: unknown,
  authorizeURL: string,
  path: string,
): string | undefined {
  if (typeof returnTo !== 'string') return undefined
  const relative = returnTo.startsWith(`${path}?`)
  if (!relative && !returnTo.startsWith(`${authorizeURL}?`)) return undefined
  let url: URL
  try {
    url = new URL(returnTo, authorizeURL)
  } catch {
    return undefined
  }
  const expected = new URL(authorizeURL)
  if (url.origin !== expected.origin || url.pathname !== expected.pathname) return undefined
  return relative ? `${url.pathname}${url.search}` : url.href
}

/**
 * The page and redirect errors of a step as answers, and a store or hasher that cannot answer now
 * (503) as a page a browser can show, with its `Retry-After`; anything else is the server's
 * problem.
 */
async function answer(
  issuer: string,
  status: 302 | 303,
  run: () => Promise<Response>,
): Promise<Response> {
  try {
    return await run()
  } catch (error) {
    if (error instanceof AuthorizationPageError)
      return pageResponse(errorPage(error.message), { status: error.status })
    if (error instanceof AuthorizationRedirectError)
      return redirectResponse(errorResponseURL(error, issuer, error.code, error.message), {
        status,
      })
    if (isGatehouseError(error) && error.status === 503)
      return pageResponse(errorPage('The service is busy. Try again in a moment.'), {
        status: 503,
        headers: error.headers,
      })
    throw error
  }
}

/** A form post from another site: its `Origin` or `Sec-Fetch-Site` says so. */
function isSameOrigin(view: RequestView, origin: string): boolean {
  const sent = view.header('origin')
  if (sent !== undefined && sent !== origin) return false
  const site = view.header('sec-fetch-site')
  return site === undefined || site === 'same-origin'
}

/** The pending authorization of a sealed form value (made by this server, so only shape-checked). */
function readPending(value: Record<string, unknown> | undefined): PendingAuthorization | undefined {
  const request = value?.request as AuthorizationRequest | undefined
  if (!value || request === null || typeof request !== 'object') return undefined
  if (typeof request.clientId !== 'string' || !Array.isArray(request.scope)) return undefined
  if (typeof value.form !== 'string' || value.form === '') return undefined
  const { user, scopes } = value
  if (user !== undefined && typeof user !== 'string') return undefined
  if (
    scopes !== undefined &&
    !(Array.isArray(scopes) && scopes.every((s) => typeof s === 'string'))
  )
    return undefined
  return value as unknown as PendingAuthorization
}
