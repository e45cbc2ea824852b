import { createServer } from 'node:net'
import { type RunningServer, serve } from 'gatehouse'
import { type AuthorizationServer, createMemoryStore } from 'gatehouse/authorization-server'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createAuthorizationServerApp } from '../examples/authorization-server/app.js'
import { type Seeded, seedDemo } from '../examples/authorization-server/seed.js'
import { launchChromium, openPage } from './helpers/chromium.js'

/** A free port on 127.0.0.1: the issuer names it, so it is chosen before the server starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

let browser: Browser
let running: RunningServer
let server: AuthorizationServer
let issuer: string
let seeded: Seeded

beforeAll(async () => {
  const port = await freePort()
  issuer = `http://127.0.0.1:${port}`
  const example = createAuthorizationServerApp({ issuer, store: createMemoryStore() })
  server = example.server
  seeded = (await seedDemo(server)) as Seeded
  ;[running, browser] = await Promise.all([
    serve(example.app, { port, hostname: '127.0.0.1' }),
    launchChromium(),
  ])
})

afterAll(async () => {
  await Promise.all([browser?.close(), running?.close()])
  await server?.store.close()
})

describe("Swagger UI's authorization code flow with PKCE, in Chromium", { timeout: 60_000 }, () => {
  test('Authorize, sign in on the built-in page, consent, and call the API with the token', async () => {
    const { page, record, close } = await openPage(browser, `${issuer}/docs`)
    try {
      await page.locator('.scheme-container button.authorize').click()
      const flow = page.locator('.modal-ux .auth-container', { hasText: 'authorizationCode' })
      await flow.waitFor()
      expect(await flow.locator('.scopes p.name').allTextContents()).toEqual([
        'read',
        'write',
        'admin',
      ])
      await flow.locator('label[for="read-authorizationCode-checkbox-OAuth2"]').click()
      const [popup] = await Promise.all([
        page.waitForEvent('popup'),
        flow.locator('button.modal-btn.auth.authorize').click(),
      ])

      // The authorization request Swagger UI made: PKCE S256, its redirect page, a state.
      const authorizeURL = new URL(popup.url())
      expect(authorizeURL.pathname).toBe('/authorize')
      expect(authorizeURL.searchParams.get('client_id')).toBe('swagger-ui')
      expect(authorizeURL.searchParams.get('code_challenge_method')).toBe('S256')
      expect(authorizeURL.searchParams.get('redirect_uri')).toBe(`${issuer}/docs/oauth2-redirect`)

      await popup.locator('input[name="username"]').fill('demo')
      await popup.locator('input[name="password"]').fill(seeded.password as string)
      await popup.locator('button[type="submit"]').click()
      await popup.locator('h1', { hasText: 'Authorize Swagger UI' }).waitFor()
      expect(await popup.locator('ul.scopes li').allTextContents()).toEqual(['readRead your data'])
      // Allow: back to oauth2-redirect.js, which hands the code over and closes the window.
      await Promise.all([
        popup.waitForEvent('close'),
        popup.locator('button[value="allow"]').click(),
      ])
      await flow.locator('button.modal-btn.auth.authorize', { hasText: 'Logout' }).waitFor()
      await flow.locator('button.btn-done').click()

      const whoami = page.locator('.opblock', { hasText: '/api/whoami' })
      await whoami.locator('.opblock-summary').click()
      await whoami.locator('button.try-out__btn').click()
      await whoami.locator('button.execute').click()
      const status = whoami.locator('.live-responses-table .response .response-col_status')
      await status.first().waitFor()
      expect((await status.first().textContent())?.trim()).toBe('200')
      const body = JSON.parse(
        (await whoami.locator('.live-responses-table .microlight').first().textContent()) ?? '',
      )
      const demo = await server.store.findUserByUsername('demo')
      expect(body).toEqual({ subject: demo?.id, client_id: 'swagger-ui', scopes: ['read'] })

      // The token exchange went to the token endpoint with the verifier, nothing elsewhere.
      expect(record.requests).toContain(`${issuer}/token`)
      expect(record.blockedRequests).toEqual([])
      expect(record.pageErrors).toEqual([])
      expect(record.consoleErrors).toEqual([])
      expect(record.cspViolations).toEqual([])
    } finally {
      await close()
    }
  })
})
