import { createHash, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { type AddressInfo, createServer as createNetServer } from 'node:net'
import { type RunningServer, serve } from 'gatehouse'
import { type AuthorizationServer, createMemoryStore } from 'gatehouse/authorization-server'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAuthorizationServerApp } from '../examples/authorization-server/app.js'
import { launchChromium } from './helpers/chromium.js'

// Real users open the sign-in page from a client's site, on another site than the issuer
// (`localhost` here, the issuer on `127.0.0.1`), and sometimes in two tabs at once: the cookies'
// SameSite rules then decide what the browser sends, which only a browser can show.

let browser: Browser
let running: RunningServer
let server: AuthorizationServer
let clientSite: Server
let clientOrigin: string
let issuer: string
const password = randomBytes(12).toString('base64url')
const callbacks: URLSearchParams[] = []

beforeAll(async () => {
  clientSite = createServer((req, res) => {
    const url = new URL(req.url ?? '/', clientOrigin)
    if (url.pathname === '/callback') callbacks.push(url.searchParams)
    const to = url.searchParams.get('to') ?? ''
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(
      url.pathname === '/start'
        ? `<a id="go" href="${to.replaceAll('"', '&quot;')}">sign in</a>`
        : '<p id="done">back at the client</p>',
    )
  })
  await new Promise<void>((resolve) => clientSite.listen(0, '127.0.0.1', resolve))
  clientOrigin = `http://localhost:${(clientSite.address() as AddressInfo).port}`
  ;({ running, server, issuer } = await start())
  browser = await launchChromium()
})

/** A free port on 127.0.0.1: the issuer names it, so it is chosen before the server starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

/** The example's server, its issuer naming its port, with a user and a client on another site. */
async function start() {
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  const example = createAuthorizationServerApp({ issuer, store: createMemoryStore() })
  await example.server.admin.createUser({ username: 'tabby', password, scopes: ['read'] })
  await example.server.admin.createClient({
    id: 'tabs-app',
    name: 'Tabs app',
    public: true,
    grantTypes: ['authorization_code'],
    redirectUris: [`${clientOrigin}/callback`],
    scopes: ['read'],
  })
  return {
    running: await serve(example.app, { port, hostname: '127.0.0.1' }),
    server: example.server,
    issuer,
  }
}

afterAll(async () => {
  await Promise.all([browser?.close(), running?.close()])
  await server?.store.close()
  await new Promise((resolve) => clientSite?.close(resolve))
})

/** A tab sent to `/authorize` by a link on the client's site, as every real client does. */
async function arriveFromClient(context: BrowserContext, state: string): Promise<Page> {
  const verifier = randomBytes(32).toString('base64url')
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: 'tabs-app',
    redirect_uri: `${clientOrigin}/callback`,
    scope: 'read',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })
  const page = await context.newPage()
  await page.goto(`${clientOrigin}/start?to=${encodeURIComponent(`${issuer}/authorize?${query}`)}`)
  await Promise.all([page.waitForURL(`${issuer}/authorize?*`), page.click('#go')])
  return page
}

async function signIn(page: Page): Promise<void> {
  await page.fill('input[name="username"]', 'tabby')
  await page.fill('input[name="password"]', password)
  await Promise.all([page.waitForLoadState(), page.click('button[type="submit"]')])
}

describe('the sign-in and consent pages as a browser uses them, in Chromium', {
  timeout: 60_000,
}, () => {
  test("a second arrival from the client's site leaves the first tab's forms valid", async () => {
    const context = await browser.newContext()
    try {
      const first = await arriveFromClient(context, 'tab-1')
      const second = await arriveFromClient(context, 'tab-2')
      await signIn(first)
      // Signed in, the first tab shows the consent page; a third arrival must not spoil it either.
      await arriveFromClient(context, 'tab-3')
      await Promise.all([
        first.waitForURL(`${clientOrigin}/callback?*`),
        first.click('button[value="allow"]'),
      ])
      expect(callbacks.at(-1)?.get('state')).toBe('tab-1')
      expect(callbacks.at(-1)?.get('code')).toMatch(/^[A-Za-z0-9_-]{20,}$/)
      // The second tab's login form still works too: the user is signed in by now, so it is
      // answered with the consent page.
      await signIn(second)
      await Promise.all([
        second.waitForURL(`${clientOrigin}/callback?*`),
        second.click('button[value="allow"]'),
      ])
      expect(callbacks.at(-1)?.get('state')).toBe('tab-2')
    } finally {
      await context.close()
    }
  })

  test('a double click on Allow over a slow link ends at the client, not at an error page', async () => {
    const context = await browser.newContext()
    try {
      const page = await arriveFromClient(context, 'double-click')
      await signIn(page)
      // Each answer to the form comes back 600 ms late, as on a slow link: the second click
      // starts a new navigation, and the browser drops the first answer (the code).
      await page.route(`${issuer}/authorize`, async (route) => {
        if (route.request().method() !== 'POST') return route.continue()
        const response = await route.fetch({ maxRedirects: 0 })
        await new Promise((resolve) => setTimeout(resolve, 600))
        await route.fulfill({ response }).catch(() => {})
      })
      const before = callbacks.length
      // The second post starts the request again: the consent page, anew.
      const restarted = page.waitForResponse(
        (response) =>
          response.request().method() === 'GET' &&
          response.url().startsWith(`${issuer}/authorize?`),
      )
      await page.evaluate(() => {
        const allow = document.querySelector<HTMLButtonElement>('button[value="allow"]')
        allow?.click()
        setTimeout(() => allow?.click(), 200)
      })
      expect((await restarted).status()).toBe(200)
      await page.waitForLoadState()
      await page.unroute(`${issuer}/authorize`)
      await Promise.all([
        page.waitForURL(`${clientOrigin}/callback?*`),
        page.click('button[value="allow"]'),
      ])
      expect(callbacks.at(-1)?.get('state')).toBe('double-click')
      expect(callbacks.length).toBe(before + 1)
    } finally {
      await context.close()
    }
  })
})
