import {
  type AssetSpec,
  assetResponse,
  isPackageInstalled,
  PACKAGE_ASSETS,
  resolveAsset,
  textAsset,
} from './internal/assets.js'
import {
  contentSecurityPolicy,
  htmlResponse,
  REDOC_POLICY,
  SWAGGER_UI_POLICY,
} from './internal/csp.js'
import { relativeURL } from './internal/html.js'
import { oauth2RedirectHTML, redocHTML, swaggerUIHTML } from './internal/pages.js'
import { SWAGGER_UI_INIT_SCRIPT } from './internal/swagger-ui-init.js'

/**
 * Where and how to serve the documentation pages; FastAPI's `FastAPI(...)` documentation arguments.
 *
 * Route paths (`docsUrl`, `redocUrl`, `oauth2RedirectUrl`) are paths as mounted. Pages link to each
 * other and to their assets with relative URLs, so they also work under a root path or sub-app.
 */
export interface DocsOptions {
  /** The API's title; pages are titled `${title} - Swagger UI` and `${title} - ReDoc`. */
  title: string
  /** The URL the browser loads the OpenAPI document from, root path prefix included if any. */
  openapiUrl: string
  /** The Swagger UI page, or `null` for none (then no OAuth2 redirect page either). */
  docsUrl: string | null
  /** The ReDoc page, or `null` for none. */
  redocUrl: string | null
  /** Swagger UI's OAuth2 redirect page, or `null` for none. */
  oauth2RedirectUrl: string | null
  /** Swagger UI configuration merged over FastAPI's defaults; must be JSON-serializable. */
  swaggerUiParameters?: Record<string, unknown> | undefined
  /** Passed to Swagger UI's `ui.initOAuth(...)`, e.g. `{ clientId, usePkceWithAuthorizationCodeGrant }`. */
  swaggerUiInitOAuth?: Record<string, unknown> | undefined
  /**
   * Origins the pages may send requests to besides their own (`https://auth.example.com`: a token
   * endpoint elsewhere), added to the policy's `connect-src`; asked each time a page is served.
   */
  connectOrigins?: (() => readonly string[]) | undefined
}

/** One `GET` route as a plain Web `Request` → `Response` handler, for any server to mount. */
export interface DocsRoute {
  method: 'GET'
  path: string
  handle(request: Request): Response | Promise<Response>
}

/** FastAPI's `swagger_ui_default_parameters`. */
const SWAGGER_UI_DEFAULT_PARAMETERS: Record<string, unknown> = {
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
}

/** Route paths must be plain: routers read `:`, `*` and `{}` as patterns. */
function checkPath(name: string, value: string | null): void {
  if (value === null || value === '/') return
  const segments =
    typeof value === 'string' && value.startsWith('/') ? value.slice(1).split('/') : []
  if (segments.length === 0 || segments.some((s) => /^\.{0,2}$|[?#\\:*{}\s]/.test(s))) {
    throw new TypeError(
      `${name} must be null or a plain absolute path such as "/docs" (no query, fragment, pattern, empty, "." or ".." segment)`,
    )
  }
}

function checkJSON(name: string, value: Record<string, unknown> | undefined): void {
  if (value === undefined) return
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be a plain object`)
  }
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'function' || typeof entry === 'symbol') {
      throw new TypeError(`${name}.${key} must be JSON-serializable: it is sent to the browser`)
    }
  }
  try {
    JSON.stringify(value)
  } catch {
    throw new TypeError(`${name} must be JSON-serializable: it is sent to the browser`)
  }
}

function assetsBase(pageUrl: string): string {
  return `${pageUrl === '/' ? '' : pageUrl}/assets`
}

function assetRoute(path: string, spec: AssetSpec): DocsRoute {
  resolveAsset(spec)
  return { method: 'GET', path, handle: (request) => assetResponse(request, spec) }
}

function pageRoute(
  path: string,
  html: string,
  csp: () => string,
  headers?: Record<string, string>,
): DocsRoute {
  return { method: 'GET', path, handle: () => htmlResponse(html, csp(), headers) }
}

/** The policy of a page, with the origins its requests may go to besides its own. */
function policyOf(options: DocsOptions, policy: typeof SWAGGER_UI_POLICY): () => string {
  const origins = options.connectOrigins
  if (origins === undefined) {
    const fixed = contentSecurityPolicy(policy)
    return () => fixed
  }
  return () => contentSecurityPolicy(policy, origins())
}

function swaggerUIRoutes(options: DocsOptions, docsUrl: string): DocsRoute[] {
  const base = assetsBase(docsUrl)
  const paths = {
    css: `${base}/swagger-ui.css`,
    favicon: `${base}/favicon-32x32.png`,
    bundle: `${base}/swagger-ui-bundle.js`,
    init: `${base}/swagger-ui-init.js`,
    redirectScript: `${base}/oauth2-redirect.js`,
  }
  const redirectUrl = options.oauth2RedirectUrl
  const html = swaggerUIHTML({
    title: `${options.title} - Swagger UI`,
    cssHref: relativeURL(docsUrl, paths.css),
    faviconHref: relativeURL(docsUrl, paths.favicon),
    bundleSrc: relativeURL(docsUrl, paths.bundle),
    initSrc: relativeURL(docsUrl, paths.init),
    config: {
      url: options.openapiUrl,
      parameters: { ...SWAGGER_UI_DEFAULT_PARAMETERS, ...options.swaggerUiParameters },
      oauth2RedirectUrl: redirectUrl === null ? null : relativeURL(docsUrl, redirectUrl),
      initOAuth: options.swaggerUiInitOAuth ?? null,
    },
  })
  const routes = [
    pageRoute(docsUrl, html, policyOf(options, SWAGGER_UI_POLICY)),
    assetRoute(paths.bundle, PACKAGE_ASSETS.swaggerUIBundle),
    assetRoute(paths.css, PACKAGE_ASSETS.swaggerUICSS),
    assetRoute(paths.favicon, PACKAGE_ASSETS.favicon),
    assetRoute(paths.init, textAsset('swagger-ui-init', SWAGGER_UI_INIT_SCRIPT)),
  ]
  if (redirectUrl !== null) {
    const scriptSrc = relativeURL(redirectUrl, paths.redirectScript)
    // The redirect URL carries the authorization code or token: keep it out of Referer headers.
    const headers = { 'referrer-policy': 'no-referrer' }
    routes.push(
      pageRoute(
        redirectUrl,
        oauth2RedirectHTML(scriptSrc),
        policyOf(options, SWAGGER_UI_POLICY),
        headers,
      ),
      assetRoute(paths.redirectScript, PACKAGE_ASSETS.oauth2Redirect),
    )
  }
  return routes
}

/** Whether ReDoc can be served: its package is an optional peer dependency (`npm install redoc`). */
export function isReDocInstalled(): boolean {
  return isPackageInstalled('redoc')
}

/** Without the optional `redoc` package, the ReDoc page says how to get it. */
function redocMissingRoute(redocUrl: string): DocsRoute {
  const html =
    '<!doctype html><meta charset="utf-8"><title>ReDoc</title><p>ReDoc is not installed. Run <code>npm install redoc</code> and restart, or use the Swagger UI page.</p>'
  return {
    method: 'GET',
    path: redocUrl,
    handle: () => htmlResponse(html, contentSecurityPolicy(REDOC_POLICY), {}, 501),
  }
}

function redocRoutes(options: DocsOptions, redocUrl: string): DocsRoute[] {
  if (!isReDocInstalled()) return [redocMissingRoute(redocUrl)]
  const base = assetsBase(redocUrl)
  const paths = { standalone: `${base}/redoc.standalone.js`, favicon: `${base}/favicon-32x32.png` }
  const html = redocHTML({
    title: `${options.title} - ReDoc`,
    openapiUrl: options.openapiUrl,
    faviconHref: relativeURL(redocUrl, paths.favicon),
    standaloneSrc: relativeURL(redocUrl, paths.standalone),
  })
  return [
    pageRoute(redocUrl, html, policyOf(options, REDOC_POLICY)),
    assetRoute(paths.standalone, PACKAGE_ASSETS.redocStandalone),
    assetRoute(paths.favicon, PACKAGE_ASSETS.favicon),
  ]
}

/**
 * Creates the routes of FastAPI's documentation pages, Swagger UI and ReDoc, served entirely from
 * the installed `swagger-ui-dist` and `redoc` packages (no CDN) and under a strict
 * Content-Security-Policy (no inline script). Assets are a fixed allow-list, read once on first use.
 *
 * @example
 * ```ts
 * const routes = createDocsRoutes({
 *   title: 'Gatehouse',
 *   openapiUrl: '/openapi.json',
 *   docsUrl: '/docs',
 *   redocUrl: '/redoc',
 *   oauth2RedirectUrl: '/docs/oauth2-redirect',
 * })
 * for (const route of routes) app.get(route.path, (c) => route.handle(c.req.raw))
 * ```
 */
export function createDocsRoutes(options: DocsOptions): DocsRoute[] {
  if (typeof options.title !== 'string') throw new TypeError('title must be a string')
  if (typeof options.openapiUrl !== 'string' || options.openapiUrl === '') {
    throw new TypeError('openapiUrl must be a non-empty string')
  }
  checkPath('docsUrl', options.docsUrl)
  checkPath('redocUrl', options.redocUrl)
  checkPath('oauth2RedirectUrl', options.oauth2RedirectUrl)
  checkJSON('swaggerUiParameters', options.swaggerUiParameters)
  checkJSON('swaggerUiInitOAuth', options.swaggerUiInitOAuth)

  const routes = [
    ...(options.docsUrl === null ? [] : swaggerUIRoutes(options, options.docsUrl)),
    ...(options.redocUrl === null ? [] : redocRoutes(options, options.redocUrl)),
  ]
  const seen = new Set<string>()
  for (const { path } of routes) {
    if (seen.has(path)) {
      throw new TypeError(`docsUrl, redocUrl and oauth2RedirectUrl overlap: two routes at ${path}`)
    }
    seen.add(path)
  }
  return routes
}
