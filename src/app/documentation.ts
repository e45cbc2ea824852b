import { originProblem } from '../core/origin-text.js'
import type { BaseRequestView } from '../core/run/request-view.js'
import { jsonReply, type Reply } from '../core/run/respond.js'
import { createDocsRoutes, isReDocInstalled } from '../docs/index.js'
import type { OpenAPIDocument } from '../openapi/document.js'

/** The documentation URLs of an app, settled and checked at construction. */
export interface DocumentationSettings {
  readonly title: string
  readonly openapiUrl: string | null
  readonly docsUrl: string | null
  readonly redocUrl: string | null
  readonly oauth2RedirectUrl: string | null
  readonly swaggerUiParameters: Record<string, unknown> | undefined
  readonly swaggerUiInitOAuth: Record<string, unknown> | undefined
  /** Origins the pages may also send requests to (`docsConnectOrigins`), checked. */
  readonly connectOrigins: readonly string[]
}

/** A GET route of the documentation: the OpenAPI document, a page or an asset. */
export interface DocumentationRoute {
  readonly path: string
  handle(view: BaseRequestView): Reply | Promise<Reply>
}

interface DocumentationOptions {
  title?: string | undefined
  openapiUrl?: string | null | undefined
  docsUrl?: string | null | undefined
  redocUrl?: string | null | undefined
  swaggerUiOAuth2RedirectUrl?: string | null | undefined
  swaggerUiParameters?: Record<string, unknown> | undefined
  swaggerUiInitOAuth?: Record<string, unknown> | undefined
  docsConnectOrigins?: readonly string[] | undefined
}

/**
 * Apply the defaults (`/openapi.json`, `/docs`, `/redoc`, `/docs/oauth2-redirect`) and check them
 * now: overlapping URLs, or a ReDoc page asked for without the optional `redoc` package, throw a
 * `TypeError` naming the option instead of failing on the first request.
 */
export function resolveDocumentation(options: DocumentationOptions): DocumentationSettings {
  const openapiUrl = options.openapiUrl === undefined ? '/openapi.json' : options.openapiUrl
  const off = openapiUrl === null
  const docsUrl = off ? null : options.docsUrl === undefined ? '/docs' : options.docsUrl
  const redocUrl = off ? null : options.redocUrl === undefined ? '/redoc' : options.redocUrl
  if (options.redocUrl !== undefined && options.redocUrl !== null && !isReDocInstalled())
    throw new TypeError(
      'Gatehouse: `redocUrl` needs the optional "redoc" package: npm install redoc',
    )
  const redirect = options.swaggerUiOAuth2RedirectUrl
  const oauth2RedirectUrl =
    docsUrl === null ? null : redirect === undefined ? `${docsUrl}/oauth2-redirect` : redirect
  const settings: DocumentationSettings = {
    title: options.title ?? 'Gatehouse',
    openapiUrl,
    docsUrl,
    redocUrl,
    oauth2RedirectUrl,
    swaggerUiParameters: options.swaggerUiParameters,
    swaggerUiInitOAuth: options.swaggerUiInitOAuth,
    connectOrigins: checkedOrigins(options.docsConnectOrigins),
  }
  if (openapiUrl !== null) {
    if (typeof openapiUrl !== 'string' || !openapiUrl.startsWith('/'))
      throw new TypeError(
        'Gatehouse: `openapiUrl` must be null or an absolute path such as "/openapi.json"',
      )
    // Builds the page routes once now, so their own checks (paths, JSON options) run at construction.
    const taken = new Map<string, string>([[openapiUrl, 'openapiUrl']])
    for (const route of pageRoutes(settings, '')) {
      const owner = ownerOf(settings, route.path)
      const other = taken.get(route.path)
      if (other !== undefined) checkOverlap(other, owner, route.path)
      taken.set(route.path, owner)
    }
  }
  return settings
}

function ownerOf(settings: DocumentationSettings, path: string): string {
  if (path === settings.docsUrl) return 'docsUrl'
  if (path === settings.redocUrl) return 'redocUrl'
  if (path === settings.oauth2RedirectUrl) return 'swaggerUiOAuth2RedirectUrl'
  if (settings.docsUrl !== null && path.startsWith(`${settings.docsUrl}/assets/`)) return 'docsUrl'
  return 'redocUrl'
}

/**
 * Each an origin exactly (`https://auth.example.com`, a port when not the default): it goes into
 * the pages' policy as it is, so nothing else (a path, a space, a `;`) may.
 */
function checkedOrigins(origins: unknown): readonly string[] {
  if (origins === undefined) return []
  if (!Array.isArray(origins))
    throw new TypeError('Gatehouse: `docsConnectOrigins` must be an array of origins')
  return origins.map((origin: unknown, index) => {
    const problem =
      typeof origin !== 'string'
        ? 'is not a string'
        : /^https?:/i.test(origin)
          ? originProblem(origin)
          : 'is not an http or https origin such as "https://auth.example.com"'
    if (problem !== undefined)
      throw new TypeError(
        `Gatehouse: \`docsConnectOrigins[${index}]\` ${typeof origin === 'string' ? `${JSON.stringify(origin)} ` : ''}${problem}`,
      )
    return origin as string
  })
}

function checkOverlap(first: string, second: string, path: string): never {
  throw new TypeError(
    `Gatehouse: \`${first}\` and \`${second}\` overlap at ${path}: give one another path`,
  )
}

function pageRoutes(
  settings: DocumentationSettings,
  browserBase: string,
  openapi?: () => OpenAPIDocument,
) {
  return createDocsRoutes({
    ...(openapi
      ? {
          connectOrigins: () => [
            ...new Set([...otherOrigins(openapi()), ...settings.connectOrigins]),
          ],
        }
      : {}),
    title: settings.title,
    openapiUrl: `${browserBase}${settings.openapiUrl ?? ''}`,
    docsUrl: settings.docsUrl,
    redocUrl: settings.redocUrl,
    oauth2RedirectUrl: settings.oauth2RedirectUrl,
    ...(settings.swaggerUiParameters ? { swaggerUiParameters: settings.swaggerUiParameters } : {}),
    ...(settings.swaggerUiInitOAuth ? { swaggerUiInitOAuth: settings.swaggerUiInitOAuth } : {}),
  })
}

/** Every path the documentation occupies (for GET), so a route registered there can be refused. */
export function documentationPaths(settings: DocumentationSettings): Map<string, string> {
  const paths = new Map<string, string>()
  if (settings.openapiUrl === null) return paths
  paths.set(settings.openapiUrl, 'openapiUrl')
  for (const route of pageRoutes(settings, '')) paths.set(route.path, ownerOf(settings, route.path))
  return paths
}

/**
 * The documentation's routes. `browserBase` is the root path and mount point the browser sees in
 * front of every path (`/api/v1`), so the pages load the OpenAPI document from where it really is.
 */
export function documentationRoutes(
  settings: DocumentationSettings,
  browserBase: string,
  openapi: () => OpenAPIDocument,
): DocumentationRoute[] {
  if (settings.openapiUrl === null) return []
  const routes: DocumentationRoute[] = [
    { path: settings.openapiUrl, handle: () => jsonReply(openapi()) },
  ]
  for (const route of pageRoutes(settings, browserBase, openapi))
    routes.push({ path: route.path, handle: (view) => route.handle(view.request) })
  return routes
}

/**
 * The origins other than the page's own that the docs pages send requests to for this document:
 * the token (and refresh) endpoints of its OAuth2 flows, OpenID Connect discovery, and absolute
 * `servers`. Swagger UI's Authorize dialog and "Try it out" fetch them, which the pages' policy
 * would otherwise block (`connect-src 'self'`). Relative URLs are the page's own origin.
 */
function otherOrigins(document: OpenAPIDocument): string[] {
  const { servers, components } = document as {
    servers?: readonly { url?: unknown }[]
    components?: { securitySchemes?: Record<string, unknown> }
  }
  const urls: unknown[] = (Array.isArray(servers) ? servers : []).map((server) => server?.url)
  const schemes = components?.securitySchemes ?? {}
  for (const scheme of Object.values(schemes)) {
    const { flows, openIdConnectUrl } = scheme as { flows?: unknown; openIdConnectUrl?: unknown }
    urls.push(openIdConnectUrl)
    for (const flow of Object.values((flows ?? {}) as Record<string, unknown>)) {
      const { tokenUrl, refreshUrl } = flow as { tokenUrl?: unknown; refreshUrl?: unknown }
      urls.push(tokenUrl, refreshUrl)
    }
  }
  const origins = new Set<string>()
  for (const url of urls) {
    if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) continue
    try {
      // An origin has no space, quote or `;`: nothing in it can change the policy around it.
      origins.add(new URL(url).origin)
    } catch {}
  }
  return [...origins]
}
