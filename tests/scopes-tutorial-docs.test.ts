import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium, openPage } from './helpers/chromium.js'
import { startScopesApp } from './helpers/scopes-app.js'

let running: Awaited<ReturnType<typeof startScopesApp>>
let browser: Browser
beforeAll(async () => {
  running = await startScopesApp()
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await running?.close()
})

describe('the tutorial app in Swagger UI (real Chromium)', { timeout: 60_000 }, () => {
  test('log in through the Authorize dialog with both scopes, then call /users/me/', async () => {
    const { page, record, close } = await openPage(browser, `${running.url}/docs`)
    try {
      const paths = page.locator('.opblock .opblock-summary-path')
      await paths.first().waitFor()
      expect(await paths.allTextContents()).toEqual([
        '/token',
        '/users/me/',
        '/users/me/items/',
        '/status/',
      ])

      await page.locator('.scheme-container button.authorize').click()
      const dialog = page.locator('.modal-ux .auth-container', { hasText: 'OAuth2PasswordBearer' })
      await dialog.waitFor()
      expect(await dialog.locator('.scopes p.name').allTextContents()).toEqual(['me', 'items'])
      expect(await dialog.locator('.scopes p.description').allTextContents()).toEqual([
        'Read information about the current user.',
        'Read items.',
      ])

      await dialog.locator('#oauth_username').fill('johndoe')
      await dialog.locator('#oauth_password').fill('secret')
      await dialog.locator('label[for="me-password-checkbox-OAuth2PasswordBearer"]').click()
      await dialog.locator('label[for="items-password-checkbox-OAuth2PasswordBearer"]').click()
      await dialog.locator('button.modal-btn.auth.authorize').click()
      await dialog.locator('button.modal-btn.auth.authorize', { hasText: 'Logout' }).waitFor()
      await page.locator('.modal-ux button.btn-done').click()

      const me = page.locator('.opblock', { hasText: '/users/me/' }).filter({ hasNotText: 'items' })
      await me.locator('.opblock-summary').click()
      await me.locator('button.try-out__btn').click()
      await me.locator('button.execute').click()
      const body = me.locator('.live-responses-table .response-col_description pre').first()
      await body.waitFor()
      expect(JSON.parse((await body.textContent()) ?? '')).toEqual({
        username: 'johndoe',
        email: 'johndoe@example.com',
        full_name: 'John Doe',
        disabled: false,
      })

      expect(record.cspViolations).toEqual([])
      expect(record.pageErrors).toEqual([])
      expect(record.blockedRequests).toEqual([])
    } finally {
      await close()
    }
  })
})
