import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Gatehouse, OAuth2PasswordBearer, OpenIdConnect } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import { createDocsRoutes, type DocsOptions, type DocsRoute } from '../src/docs/index.js'
import { describeEachEngine, type Send, serveThrough } from './helpers/http.js'

const require = createRequire(import.meta.url)
const swaggerUIDist = dirname(require.resolve('swagger-ui-dist/package.json'))
const redoc = dirname(require.resolve('redoc/package.json'))

const DEFAULTS: DocsOptions = {
  title: 'Gatehouse',
  openapiUrl: '/openapi.json',
  docsUrl: '/docs',
  redocUrl: '/redoc',
  oauth2RedirectUrl: '/docs/oauth2-redirect',
}

const STRICT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
  "frame-ancestors 'self'"
const REDOC_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
  "frame-ancestors 'self'; style-src-attr 'none'; worker-src blob:"

function routeAt(routes: DocsRoute[], path: string): DocsRoute {
  const route = routes.find((candidate) => candidate.path === path)
  if (route === undefined) throw new Error(`no route at ${path}`)
  return route
}

function get(send: Send, path: string, headers: HeadersInit = {}): Promise<Response> {
  return send(path, { headers })
}

async function html(send: Send, path: string): Promise<string> {
  return (await get(send, path)).text()
}

/** A page straight from its route handler, for options no app would accept as a route. */
async function routeHTML(routes: DocsRoute[], path: string): Promise<string> {
  return (await routeAt(routes, path).handle(new Request(`http://127.0.0.1${path}`))).text()
}

/** Every `<script>` tag with its attributes and body. */
function scripts(page: string): { attributes: string; body: string }[] {
  return [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].map((match) => ({
    attributes: match[1] ?? '',
    body: match[2] ?? '',
  }))
}

/** Every `src` and `href` attribute value. */
function links(page: string): string[] {
  return [...page.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1] ?? '')
}

function configBlock(page: string): Record<string, unknown> {
  const block = scripts(page).find(({ attributes }) => attributes.includes('application/json'))
  return JSON.parse(block?.body ?? 'null')
}

describeEachEngine('the docs pages served by an app', (engine) => {
  const send = serveThrough(engine, new Gatehouse())
  const sendCustomized = serveThrough(
    engine,
    new Gatehouse({
      swaggerUiParameters: { deepLinking: false, syntaxHighlight: { theme: 'obsidian' } },
      swaggerUiInitOAuth: { clientId: 'docs', usePkceWithAuthorizationCodeGrant: true },
    }),
  )
  const breakout = '</script><script>alert(1)</script><!--'
  const sendBreakout = serveThrough(engine, new Gatehouse({ swaggerUiParameters: { breakout } }))
  const title = '</title><script>alert("x")</script> & Co'
  const sendTitled = serveThrough(engine, new Gatehouse({ title }))
  const sendRelocated = serveThrough(
    engine,
    new Gatehouse({
      docsUrl: '/reference/swagger',
      swaggerUiOAuth2RedirectUrl: '/oauth2/callback',
    }),
  )
  const sendWithoutRedirect = serveThrough(
    engine,
    new Gatehouse({ swaggerUiOAuth2RedirectUrl: null }),
  )

  test.each([
    ['/docs', STRICT_CSP],
    ['/docs/oauth2-redirect', STRICT_CSP],
    ['/redoc', REDOC_CSP],
  ])('%s is HTML under a strict CSP', async (path, csp) => {
    const response = await get(send, path)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-cache')
    expect(response.headers.get('content-security-policy')).toBe(csp)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
  })

  test.each(['/docs', '/docs/oauth2-redirect', '/redoc'])(
    '%s has no inline executable script and no remote URL',
    async (path) => {
      const page = await html(send, path)
      const tags = scripts(page)
      expect(tags.length).toBeGreaterThan(0)
      for (const { attributes, body } of tags) {
        if (attributes.includes('type="application/json"')) continue
        expect(attributes).toMatch(/^ src="[^"]+"$/)
        expect(body).toBe('')
      }
      expect(page).not.toMatch(/\son[a-z]+=|javascript:/i)
      expect(page).not.toMatch(/https?:\/\/|\/\/cdn/i)
    },
  )

  test.each([
    [
      '/docs/assets/swagger-ui-bundle.js',
      join(swaggerUIDist, 'swagger-ui-bundle.js'),
      'text/javascript; charset=utf-8',
    ],
    [
      '/docs/assets/swagger-ui.css',
      join(swaggerUIDist, 'swagger-ui.css'),
      'text/css; charset=utf-8',
    ],
    ['/docs/assets/favicon-32x32.png', join(swaggerUIDist, 'favicon-32x32.png'), 'image/png'],
    ['/redoc/assets/favicon-32x32.png', join(swaggerUIDist, 'favicon-32x32.png'), 'image/png'],
    [
      '/docs/assets/oauth2-redirect.js',
      join(swaggerUIDist, 'oauth2-redirect.js'),
      'text/javascript; charset=utf-8',
    ],
  ])('%s serves the installed file', async (path, file, contentType) => {
    const response = await get(send, path)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(contentType)
    expect(response.headers.get('cache-control')).toBe('public, max-age=86400')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(file))).toBe(true)
  })

  test("ReDoc's bundle is served with its CDN logo swapped for an inline image", async () => {
    const file = readFileSync(join(redoc, 'bundles/redoc.standalone.js'), 'utf8')
    const served = await (await get(send, '/redoc/assets/redoc.standalone.js')).text()
    expect(file).toContain('"https://cdn.redoc.ly/redoc/logo-mini.svg"')
    expect(served).not.toContain('cdn.redoc.ly')
    const logo = 'data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27/%3E'
    expect(served).toBe(file.replace('https://cdn.redoc.ly/redoc/logo-mini.svg', logo))
  })

  test('the init script reads the configuration from the JSON data block', async () => {
    const response = await get(send, '/docs/assets/swagger-ui-init.js')
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    const script = await response.text()
    expect(script).toContain('document.getElementById("swagger-ui-config")')
    expect(script).toContain('SwaggerUIBundle(options)')
    expect(await html(send, '/docs')).toContain(
      '<script type="application/json" id="swagger-ui-config">',
    )
  })

  test('nothing outside the allow-list is served, dot segments or not', async () => {
    for (const path of [
      '/docs/assets/swagger-ui-bundle.js.map',
      '/docs/assets/index.html',
      '/docs/assets/oauth2-redirect.html',
      '/docs/assets/',
      '/docs/assets/../package.json',
      '/docs/assets/%2e%2e/%2e%2e/package.json',
      '/redoc/assets/redoc.standalone.js.map',
    ]) {
      const response = await send(path)
      expect(response.status).toBe(404)
      expect(await response.json()).toEqual({ detail: 'Not Found' })
    }
  })

  test('assets carry an ETag and answer If-None-Match with 304', async () => {
    const path = '/docs/assets/swagger-ui.css'
    const etag = (await get(send, path)).headers.get('etag')
    expect(etag).toMatch(/^"[\w-]{27}"$/)
    for (const ifNoneMatch of [etag ?? '', `W/${etag}`, `"other", ${etag}`, '*']) {
      const response = await get(send, path, { 'if-none-match': ifNoneMatch })
      expect(response.status).toBe(304)
      expect(response.headers.get('etag')).toBe(etag)
      expect(await response.text()).toBe('')
    }
    expect((await get(send, path, { 'if-none-match': '"other"' })).status).toBe(200)
  })

  test('the OAuth2 redirect page loads swagger-ui-dist’s script and sends no Referer', async () => {
    const response = await get(send, '/docs/oauth2-redirect')
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
    const tags = scripts(await response.text())
    expect(tags).toEqual([{ attributes: ' src="./assets/oauth2-redirect.js"', body: '' }])
  })

  test('the Swagger UI configuration is FastAPI’s defaults with the options merged over', async () => {
    expect(configBlock(await html(sendCustomized, '/docs'))).toEqual({
      url: '/openapi.json',
      parameters: {
        dom_id: '#swagger-ui',
        layout: 'BaseLayout',
        deepLinking: false,
        showExtensions: true,
        showCommonExtensions: true,
        syntaxHighlight: { theme: 'obsidian' },
      },
      oauth2RedirectUrl: './docs/oauth2-redirect',
      initOAuth: { clientId: 'docs', usePkceWithAuthorizationCodeGrant: true },
    })
    expect(configBlock(await html(send, '/docs'))).toMatchObject({ initOAuth: null })
  })

  test('the JSON data block cannot be broken out of', async () => {
    const page = await html(sendBreakout, '/docs')
    expect(page).not.toContain('alert(1)</script>')
    expect(page).toContain('\\u003c/script\\u003e\\u003cscript\\u003ealert(1)')
    expect(configBlock(page)).toMatchObject({ parameters: { breakout } })
  })

  test('titles are HTML-escaped', async () => {
    const escaped = '&lt;/title&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co'
    expect(await html(sendTitled, '/docs')).toContain(`<title>${escaped} - Swagger UI</title>`)
    expect(await html(sendTitled, '/redoc')).toContain(`<title>${escaped} - ReDoc</title>`)
  })

  test('pages link to their routes relatively, so they work under a root path', async () => {
    const custom = createDocsRoutes({
      ...DEFAULTS,
      docsUrl: '/reference/swagger',
      oauth2RedirectUrl: '/oauth2/callback',
    })
    const paths = custom.map(({ path }) => `/root${path}`)
    for (const page of ['/reference/swagger', '/oauth2/callback', '/redoc']) {
      for (const link of links(await html(sendRelocated, page))) {
        expect(paths).toContain(new URL(link, `http://127.0.0.1/root${page}`).pathname)
      }
    }
    const { oauth2RedirectUrl } = configBlock(await html(sendRelocated, '/reference/swagger'))
    const redirect = new URL(String(oauth2RedirectUrl), 'http://127.0.0.1/root/reference/swagger')
    expect(redirect.pathname).toBe('/root/oauth2/callback')
  })

  test('without an OAuth2 redirect URL, Swagger UI gets none', async () => {
    expect(configBlock(await html(sendWithoutRedirect, '/docs'))).toMatchObject({
      oauth2RedirectUrl: null,
    })
  })
})

describe('createDocsRoutes', () => {
  const routes = createDocsRoutes(DEFAULTS)

  test('default options give the pages and exactly their assets', () => {
    expect(routes.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'GET /docs',
      'GET /docs/assets/swagger-ui-bundle.js',
      'GET /docs/assets/swagger-ui.css',
      'GET /docs/assets/favicon-32x32.png',
      'GET /docs/assets/swagger-ui-init.js',
      'GET /docs/oauth2-redirect',
      'GET /docs/assets/oauth2-redirect.js',
      'GET /redoc',
      'GET /redoc/assets/redoc.standalone.js',
      'GET /redoc/assets/favicon-32x32.png',
    ])
  })

  test('no route serves anything outside the allow-list', () => {
    const paths = routes.map(({ path }) => path)
    for (const path of [
      '/docs/assets/swagger-ui-bundle.js.map',
      '/docs/assets/index.html',
      '/docs/assets/oauth2-redirect.html',
      '/docs/assets/../package.json',
      '/docs/assets/',
      '/redoc/assets/redoc.standalone.js.map',
    ]) {
      expect(paths).not.toContain(path)
    }
    expect(paths.every((path) => !path.includes('*') && !path.includes(':'))).toBe(true)
  })

  test('ReDoc starts from the spec-url attribute, escaped', async () => {
    const custom = createDocsRoutes({ ...DEFAULTS, openapiUrl: '/api/openapi.json?a=1&b="2"' })
    expect(await routeHTML(custom, '/redoc')).toContain(
      '<redoc spec-url="/api/openapi.json?a=1&amp;b=&quot;2&quot;"></redoc>',
    )
  })

  test('null URLs disable their pages', () => {
    const paths = (options: Partial<DocsOptions>) =>
      createDocsRoutes({ ...DEFAULTS, ...options }).map(({ path }) => path)
    expect(paths({ docsUrl: null, redocUrl: null })).toEqual([])
    expect(paths({ docsUrl: null })).toEqual([
      '/redoc',
      '/redoc/assets/redoc.standalone.js',
      '/redoc/assets/favicon-32x32.png',
    ])
    expect(paths({ redocUrl: null }).some((path) => path.startsWith('/redoc'))).toBe(false)
    const noRedirect = paths({ oauth2RedirectUrl: null })
    expect(noRedirect).not.toContain('/docs/oauth2-redirect')
    expect(noRedirect).not.toContain('/docs/assets/oauth2-redirect.js')
  })

  test('a docs page at the root keeps its assets under /assets', () => {
    const custom = createDocsRoutes({ ...DEFAULTS, docsUrl: '/', redocUrl: null })
    expect(custom.map(({ path }) => path)).toContain('/assets/swagger-ui-bundle.js')
  })

  test.each<[string, Partial<DocsOptions>]>([
    ['docsUrl', { docsUrl: 'docs' }],
    ['docsUrl', { docsUrl: '/docs/' }],
    ['redocUrl', { redocUrl: '/a/../redoc' }],
    ['redocUrl', { redocUrl: '/redoc/:file' }],
    ['docsUrl', { docsUrl: '/docs//ui' }],
    ['oauth2RedirectUrl', { oauth2RedirectUrl: '/docs/redirect?x=1' }],
    ['openapiUrl', { openapiUrl: '' }],
    ['overlap', { redocUrl: '/docs' }],
    [
      'swaggerUiParameters.requestInterceptor',
      { swaggerUiParameters: { requestInterceptor: () => {} } },
    ],
    ['swaggerUiInitOAuth', { swaggerUiInitOAuth: { n: 1n } }],
  ])('misuse throws a TypeError naming %s', (name, options) => {
    expect(() => createDocsRoutes({ ...DEFAULTS, ...options })).toThrow(TypeError)
    expect(() => createDocsRoutes({ ...DEFAULTS, ...options })).toThrow(name)
  })
})

describeEachEngine('docs pages and an authorization server elsewhere', (engine) => {
  const app = new Gatehouse({
    title: 'Elsewhere',
    servers: [{ url: 'https://api.example.com/v1' }, { url: '/relative' }],
  })
  const remote = new OAuth2PasswordBearer({
    tokenUrl: 'https://auth.example.com/oauth/token',
    refreshUrl: 'https://refresh.example.com:8443/r',
  })
  const local = new OAuth2PasswordBearer({ tokenUrl: 'token', schemeName: 'local' })
  app.get('/remote', { inputs: { token: remote } }, ({ token }) => token.length)
  app.get('/local', { inputs: { token: local } }, ({ token }) => token.length)
  const send = serveThrough(engine, app)

  test("the pages may fetch the flows' token endpoints and absolute servers, nothing else", async () => {
    // Swagger UI's Authorize dialog posts to the token URL; `connect-src 'self'` alone blocked it.
    const extra =
      "'self' https://api.example.com https://auth.example.com https://refresh.example.com:8443;"
    for (const path of ['/docs', '/docs/oauth2-redirect', '/redoc']) {
      const csp = (await send(path)).headers.get('content-security-policy') as string
      expect(csp, path).toContain(`connect-src ${extra}`)
      expect(csp, path).toContain("script-src 'self';")
    }
  })
})

describeEachEngine('docs pages with docsConnectOrigins', (engine) => {
  // An OpenID Connect discovery document may name its token endpoint on another host (Google's is
  // on oauth2.googleapis.com): the app names that origin, as nothing in the document does.
  const app = new Gatehouse({
    title: 'OIDC elsewhere',
    docsConnectOrigins: ['https://oauth2.googleapis.com', 'http://127.0.0.1:8081'],
  })
  const oidc = new OpenIdConnect({
    openIdConnectUrl: 'https://accounts.google.com/.well-known/openid-configuration',
  })
  app.get('/me', { inputs: { token: oidc } }, () => null)
  const send = serveThrough(engine, app)

  test('the pages may also fetch the origins the app names', async () => {
    const csp = (await send('/docs')).headers.get('content-security-policy') as string
    expect(csp).toContain(
      "connect-src 'self' https://accounts.google.com https://oauth2.googleapis.com http://127.0.0.1:8081;",
    )
  })
})

test.each([
  ['not an array', 'https://a.example', /`docsConnectOrigins` must be an array of origins/],
  [
    'a path',
    ['https://a.example/token'],
    /\[0\]` "https:\/\/a.example\/token" is not what browsers send: write "https:\/\/a.example"/,
  ],
  ['a trailing slash', ['https://a.example/'], /write "https:\/\/a.example"/],
  ['the default port', ['https://a.example:443'], /write "https:\/\/a.example"/],
  ['capitals', ['HTTPS://A.Example'], /write "https:\/\/a.example"/],
  ['a policy keyword', ["'self'"], /is not an http or https origin/],
  ['another scheme', ['ftp://a.example'], /is not an http or https origin/],
  ['not a string', [42], /\[0\]` is not a string/],
])(
  'docsConnectOrigins with %s is refused at construction, saying what to write',
  (_, docsConnectOrigins, message) => {
    expect(() => new Gatehouse({ docsConnectOrigins: docsConnectOrigins as never })).toThrow(
      message,
    )
  },
)
