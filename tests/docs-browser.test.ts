import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDocsRoutes } from '../src/docs/index.js'
import {
  launchChromium,
  openPage,
  type PageRecord,
  serveFetch,
  type TestServer,
} from './helpers/chromium.js'

const SCOPES = {
  me: 'Read information about the current user.',
  items: 'Read items.',
}

const openapi = {
  openapi: '3.1.0',
  info: { title: 'Gatehouse Browser Test', version: '0.1.0' },
  paths: {
    '/users/me': {
      get: {
        summary: 'Read Users Me',
        operationId: 'read_users_me',
        security: [{ OAuth2PasswordBearer: ['me'] }],
        responses: { '200': { description: 'Successful Response' } },
      },
    },
    '/users/me/items': {
      get: {
        summary: 'Read Own Items',
        operationId: 'read_own_items',
        security: [{ OAuth2PasswordBearer: ['items'] }, { OAuth2Implicit: ['items'] }],
        responses: { '200': { description: 'Successful Response' } },
      },
    },
  },
  components: {
    securitySchemes: {
      OAuth2PasswordBearer: {
        type: 'oauth2',
        flows: { password: { tokenUrl: 'token', scopes: SCOPES } },
      },
      OAuth2Implicit: {
        type: 'oauth2',
        flows: { implicit: { authorizationUrl: '/authorize', scopes: SCOPES } },
      },
    },
  },
}

const routes = createDocsRoutes({
  title: 'Gatehouse Browser Test',
  openapiUrl: '/openapi.json',
  docsUrl: '/docs',
  redocUrl: '/redoc',
  oauth2RedirectUrl: '/docs/oauth2-redirect',
  swaggerUiInitOAuth: { clientId: 'docs-test-client' },
})

const authorizeRequests: URL[] = []

/** An authorization server that grants every implicit-flow request at once. */
function authorize(url: URL): Response {
  authorizeRequests.push(url)
  const fragment = new URLSearchParams({
    access_token: 'test-token',
    token_type: 'bearer',
    state: url.searchParams.get('state') ?? '',
  })
  const location = `${url.searchParams.get('redirect_uri')}#${fragment}`
  return new Response(null, { status: 302, headers: { location } })
}

function handler(request: Request): Response | Promise<Response> {
  const url = new URL(request.url)
  const route = routes.find((candidate) => candidate.path === url.pathname)
  if (route !== undefined) return route.handle(request)
  if (url.pathname === '/openapi.json') return Response.json(openapi)
  if (url.pathname === '/authorize') return authorize(url)
  return new Response('Not Found', { status: 404 })
}

let server: TestServer
let browser: Browser

beforeAll(async () => {
  ;[server, browser] = await Promise.all([serveFetch(handler), launchChromium()])
})

afterAll(async () => {
  await Promise.all([browser?.close(), server?.close()])
})

function expectCleanAndLocal(record: PageRecord): void {
  expect(record.cspViolations).toEqual([])
  expect(record.consoleErrors).toEqual([])
  expect(record.pageErrors).toEqual([])
  expect(record.blockedRequests).toEqual([])
  for (const url of record.requests) {
    expect(url.startsWith(`${server.origin}/`) || url.startsWith('blob:')).toBe(true)
  }
}

describe('documentation pages in Chromium', { timeout: 40_000 }, () => {
  test('Swagger UI renders the operations and the Authorize dialog lists the scopes', async () => {
    const { page, record, close } = await openPage(browser, `${server.origin}/docs`)
    try {
      const operations = page.locator('.opblock .opblock-summary-path')
      await operations.first().waitFor()
      expect(await operations.allTextContents()).toEqual(['/users/me', '/users/me/items'])
      await operations.first().click()
      await page.locator('.opblock.is-open .responses-wrapper').waitFor()

      await page.locator('.scheme-container button.authorize').click()
      const password = page.locator('.modal-ux .auth-container', {
        hasText: 'OAuth2PasswordBearer',
      })
      await password.waitFor()
      expect(await password.locator('.scopes p.name').allTextContents()).toEqual(['me', 'items'])

      expect(await page.title()).toBe('Gatehouse Browser Test - Swagger UI')
      expect(record.requests).toContain(`${server.origin}/openapi.json`)
      expectCleanAndLocal(record)
    } finally {
      await close()
    }
  })

  test('the OAuth2 redirect page completes an implicit flow under the CSP', async () => {
    const { page, record, close } = await openPage(browser, `${server.origin}/docs`)
    try {
      await page.locator('.scheme-container button.authorize').click()
      const implicit = page.locator('.modal-ux .auth-container', { hasText: 'OAuth2Implicit' })
      await implicit.locator('label[for="items-implicit-checkbox-OAuth2Implicit"]').click()
      const button = implicit.locator('button.modal-btn.auth.authorize')
      const [popup] = await Promise.all([page.waitForEvent('popup'), button.click()])
      // oauth2-redirect.js hands the token back to Swagger UI, then closes its window.
      await popup.waitForEvent('close')
      await implicit.locator('button.modal-btn.auth.authorize', { hasText: 'Logout' }).waitFor()

      const [request] = authorizeRequests
      expect(request?.searchParams.get('client_id')).toBe('docs-test-client')
      expect(request?.searchParams.get('redirect_uri')).toBe(
        `${server.origin}/docs/oauth2-redirect`,
      )
      expect(record.requests).toContain(`${server.origin}/docs/assets/oauth2-redirect.js`)
      expectCleanAndLocal(record)
    } finally {
      await close()
    }
  })

  test('ReDoc renders the title and the operations', async () => {
    const { page, record, close } = await openPage(browser, `${server.origin}/redoc`)
    try {
      const heading = page.locator('h1')
      await heading.waitFor()
      expect(await heading.textContent()).toContain('Gatehouse Browser Test')
      const operations = page.locator('h2', { hasText: /^Read (Users Me|Own Items)\s*$/ })
      await operations.nth(1).waitFor()
      const names = (await operations.allTextContents()).map((name) => name.trim())
      expect(names).toEqual(['Read Users Me', 'Read Own Items'])

      // The search index runs in a blob: Web Worker, allowed by worker-src.
      await page.getByPlaceholder('Search...').fill('Own Items')
      await page.locator('[role="search"] li', { hasText: 'Read Own Items' }).waitFor()
      expect(await page.title()).toBe('Gatehouse Browser Test - ReDoc')
      expectCleanAndLocal(record)
    } finally {
      await close()
    }
  })

  test('the recorder sees CSP violations, so "none" above is meaningful', async () => {
    const { page, record, close } = await openPage(browser, `${server.origin}/docs/oauth2-redirect`)
    try {
      await page.evaluate(() => {
        const script = document.createElement('script')
        script.textContent = 'window.injected = true'
        document.body.append(script)
      })
      await expect.poll(() => record.cspViolations.length).toBeGreaterThan(0)
      expect(record.cspViolations[0]?.directive).toBe('script-src-elem')
      expect(await page.evaluate(() => 'injected' in window)).toBe(false)
    } finally {
      await close()
    }
  })
})
