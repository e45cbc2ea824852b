import { createHash } from 'node:crypto'
import { escapeHTML as e } from '../../docs/internal/html.js'

/** The pages' one stylesheet, inline and allowed by its hash: no request for an asset. */
const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5 }
body { margin: 0; display: grid; min-height: 100vh; place-items: center; background: Canvas }
main { width: min(24rem, 100% - 2rem); padding: 2rem 0 }
h1 { font-size: 1.5rem; margin: 0 0 .5rem }
form { display: grid; gap: .75rem; margin-top: 1.5rem }
label { font-weight: 600 }
input { font: inherit; padding: .5rem; border: 1px solid GrayText; border-radius: .25rem }
button { font: inherit; padding: .6rem 1rem; border-radius: .25rem; border: 1px solid ButtonBorder; cursor: pointer }
button.primary { background: #2457c5; border-color: #2457c5; color: #fff }
.actions { display: flex; gap: .75rem } .actions button { flex: 1 }
.error { padding: .5rem .75rem; border-left: .25rem solid #c62828; background: #c628281a }
ul.scopes { padding: 0; list-style: none } ul.scopes li { padding: .5rem 0; border-bottom: 1px solid #8884 }
ul.scopes code { font-weight: 600; display: block }
.note { color: GrayText; font-size: .9rem }
`.trim()

/** The `style-src` source of {@link STYLE}. */
export const STYLE_SOURCE = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`
}

/** The hidden fields every form of the pages posts back. */
export interface FormState {
  /** `${issuer}/authorize`. */
  readonly action: string
  /** The sealed authorization request. */
  readonly request: string
  readonly csrfToken: string
}

function hidden(state: FormState, step: 'login' | 'consent'): string {
  return [
    `<input type="hidden" name="step" value="${step}">`,
    `<input type="hidden" name="request" value="${e(state.request)}">`,
    `<input type="hidden" name="csrf_token" value="${e(state.csrfToken)}">`,
  ].join('\n')
}

/** The built-in login page. */
export function loginPage(page: {
  clientName: string
  state: FormState
  error?: string | undefined
  username?: string | undefined
}): string {
  const error = page.error === undefined ? '' : `<p class="error" role="alert">${e(page.error)}</p>`
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
<p>to continue to <strong>${e(page.clientName)}</strong></p>
${error}
<form method="post" action="${e(page.state.action)}">
${hidden(page.state, 'login')}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required autofocus value="${e(page.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button class="primary" type="submit">Sign in</button>
</form>`,
  )
}

/** The consent page: who asks, for what, and where the answer goes. */
export function consentPage(page: {
  clientName: string
  username: string
  scopes: readonly { name: string; description: string }[]
  destination: string
  state: FormState
  /** Registered by itself (RFC 7591): its name is what it says of itself (RFC 7591 §5). */
  selfRegistered?: boolean | undefined
  /** Whether to offer "Not {user}? Sign out" (the built-in session, which this server can end). */
  signOut?: boolean | undefined
}): string {
  const scopes =
    page.scopes.length === 0
      ? '<p>It asks for no particular permission.</p>'
      : `<ul class="scopes">
${page.scopes.map((s) => `<li><code>${e(s.name)}</code>${e(s.description)}</li>`).join('\n')}
</ul>`
  return layout(
    `Authorize ${page.clientName}`,
    `<h1>Authorize ${e(page.clientName)}</h1>
<p><strong>${e(page.clientName)}</strong> asks to use your account (<strong>${e(page.username)}</strong>) with these permissions:</p>
${scopes}
${page.selfRegistered ? '<p class="note">This application registered itself: its name has not been checked by this server.</p>\n' : ''}<p class="note">Either way you go back to ${e(page.destination)}.</p>
<form method="post" action="${e(page.state.action)}">
${hidden(page.state, 'consent')}
<div class="actions">
<button class="primary" type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</div>
${page.signOut === false ? '' : `<button type="submit" name="decision" value="switch">Not ${e(page.username)}? Sign out</button>\n`}</form>`,
  )
}

/** A page for what cannot go back to the application. */
export function errorPage(message: string): string {
  return layout(
    'Authorization failed',
    `<h1>Authorization failed</h1>
<p class="error" role="alert">${e(message)}</p>
<p class="note">Go back to the application and try again.</p>`,
  )
}
