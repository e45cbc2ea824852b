import { Form, Gatehouse, Header, HTTPException, Query } from 'gatehouse'
import {
  type AuthorizationServerStore,
  createAuthorizationServer,
} from 'gatehouse/authorization-server'
import * as z from 'zod'
import { SCOPES } from './app.js'

/**
 * An app that brings its own login page: `/authorize` sends users who are not signed in to
 * `/login?return_to=…`, and the app hands them back with `server.completeLogin()` once it has
 * checked them its own way (here the server's throttled password check, where an app might
 * add a second factor or a single sign-on).
 */
export function createOwnLoginApp(options: { issuer: string; store: AuthorizationServerStore }) {
  const server = createAuthorizationServer({
    ...options,
    scopes: SCOPES,
    defaultScopes: ['read'],
    login: { url: '/login' },
    // First-party clients skip the consent page.
    consent: { skip: ({ client }) => client.id === 'first-party' },
  })
  const app = new Gatehouse({ title: 'Own login' })
  app.include(server.router)

  app.get(
    '/login',
    { inputs: { returnTo: Query(z.string(), { alias: 'return_to' }) } },
    ({ returnTo }) => loginPage(returnTo),
  )
  const ownOrigin = new URL(options.issuer).origin
  app.post(
    '/login',
    {
      inputs: {
        form: Form(z.object({ username: z.string(), password: z.string(), return_to: z.string() })),
        origin: Header(z.string().optional()),
        secFetchSite: Header(z.string().optional(), { alias: 'sec-fetch-site' }),
        request: Request,
      },
    },
    async ({ form, origin, secFetchSite, request }) => {
      // Login CSRF: a form another site posts would sign the victim in as the attacker. Browsers
      // say where a form came from; the built-in pages refuse the same way.
      if (
        (origin !== undefined && origin !== ownOrigin) ||
        (secFetchSite ?? 'same-origin') !== 'same-origin'
      )
        throw new HTTPException(403, { detail: 'Cross-site sign-in refused' })
      // Throttled like the built-in page, per username and client address (taken from `request`):
      // a LoginThrottledError answers 429 with Retry-After.
      const { username, password } = form
      const result = await server.authenticateUser({ username, password, request })
      if (!result.ok) return loginPage(form.return_to, 'Wrong username or password.', 400)
      // 303 to return_to (only an authorization URL of this server) with the login session.
      return server.completeLogin({ userId: result.user.id, returnTo: form.return_to })
    },
  )
  return { app, server }
}

/**
 * The sign-in form, again with `message` after a failed attempt. No other site may frame it; its
 * policy has no `form-action`, which browsers also apply to the redirects after the post (here
 * `/authorize`, then the client's redirect URI, another origin), and that would stop the user
 * before the client. Posts from other sites are refused by the handler instead.
 */
function loginPage(returnTo: string, message?: string, status = 200): Response {
  const notice = message === undefined ? '' : `<p role="alert">${escapeHTML(message)}</p>`
  return new Response(
    `<!doctype html><title>Sign in</title>${notice}<form method="post" action="/login">
<input type="hidden" name="return_to" value="${escapeHTML(returnTo)}">
<input name="username" autocomplete="username" required>
<input name="password" type="password" autocomplete="current-password" required>
<button>Sign in</button></form>`,
    {
      status,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        'x-frame-options': 'DENY',
      },
    },
  )
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}
const escapeHTML = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)
