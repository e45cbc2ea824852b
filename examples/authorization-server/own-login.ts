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
    ({ returnTo }) =>
      new Response(
        `<!doctype html><title>Sign in</title><form method="post" action="/login">
<input type="hidden" name="return_to" value="${escapeHTML(returnTo)}">
<input name="username" autocomplete="username"> <input name="password" type="password">
<button>Sign in</button></form>`,
        {
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
            // No other site may frame the page, nor post to it (below).
            'content-security-policy':
              "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
            'x-frame-options': 'DENY',
          },
        },
      ),
  )
  const ownOrigin = new URL(options.issuer).origin
  app.post(
    '/login',
    {
      inputs: {
        form: Form(z.object({ username: z.string(), password: z.string(), return_to: z.string() })),
        origin: Header(z.string().optional()),
        secFetchSite: Header(z.string().optional(), { alias: 'sec-fetch-site' }),
      },
    },
    async ({ form, origin, secFetchSite }) => {
      // Login CSRF: a form another site posts would sign the victim in as the attacker. Browsers
      // say where a form came from; the built-in pages refuse the same way.
      if (
        (origin !== undefined && origin !== ownOrigin) ||
        (secFetchSite ?? 'same-origin') !== 'same-origin'
      )
        throw new HTTPException(403, { detail: 'Cross-site sign-in refused' })
      // Throttled like the built-in page: a LoginThrottledError answers 429 with Retry-After.
      const result = await server.authenticateUser(form)
      if (!result.ok) throw new HTTPException(400, { detail: 'Wrong username or password' })
      // 303 to return_to (only an authorization URL of this server) with the login session.
      return server.completeLogin({ userId: result.user.id, returnTo: form.return_to })
    },
  )
  return { app, server }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}
const escapeHTML = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)
