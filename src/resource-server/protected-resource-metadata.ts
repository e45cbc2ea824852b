import type { Gatehouse } from '../app/gatehouse.js'
import type { CompiledRoute } from '../core/compile/compile-route.js'
import { refuseUnknownOptions } from '../core/declare/known-options.js'
import { issuerURL } from '../jwt/fetch-json.js'

/** Options of {@link protectedResourceMetadata} and {@link mountProtectedResourceMetadata}. */
export interface ProtectedResourceOptions {
  /** This API's resource identifier (RFC 8707/9728): an `https:` URL, no query or fragment. */
  resource: string
  /** Issuer identifiers of the authorization servers whose tokens this API accepts. */
  authorizationServers?: readonly string[] | undefined
  /** Scopes clients may request for this API. Defaults to every scope the app's routes require. */
  scopesSupported?: readonly string[] | undefined
  /** How a token may be sent. Defaults to `['header']`, the only way Gatehouse's bearer schemes read it. */
  bearerMethodsSupported?: readonly ('header' | 'body' | 'query')[] | undefined
  /** This API's own JWKS (for responses it signs), when it has one. */
  jwksUri?: string | undefined
  resourceName?: string | undefined
  resourceDocumentation?: string | undefined
  resourcePolicyUri?: string | undefined
  resourceTosUri?: string | undefined
  /** Further RFC 9728 fields, as they are to appear (e.g. `dpop_bound_access_tokens_required`). */
  extra?: Readonly<Record<string, unknown>> | undefined
}

/** The RFC 9728 §2 document. */
export interface ProtectedResourceMetadata {
  resource: string
  authorization_servers?: string[]
  scopes_supported: string[]
  bearer_methods_supported: string[]
  jwks_uri?: string
  resource_name?: string
  resource_documentation?: string
  resource_policy_uri?: string
  resource_tos_uri?: string
  [field: string]: unknown
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource'
const OWNER = 'protectedResourceMetadata'

/**
 * Where a resource's RFC 9728 metadata lives: the well-known segment goes between the host and the
 * resource's path (§3.1). Pass it to `createCurrentPrincipal({ resourceMetadata })`.
 * @example
 * protectedResourceMetadataURL('https://api.example.com/v1')
 * // 'https://api.example.com/.well-known/oauth-protected-resource/v1'
 */
export function protectedResourceMetadataURL(resource: string): string {
  const url = resourceURL(resource)
  return `${url.origin}${wellKnownPath(url)}`
}

const METADATA_OPTIONS = new Set([
  'resource',
  'authorizationServers',
  'scopesSupported',
  'bearerMethodsSupported',
  'jwksUri',
  'resourceName',
  'resourceDocumentation',
  'resourcePolicyUri',
  'resourceTosUri',
  'extra',
])
const MOUNT_OPTIONS = new Set([...METADATA_OPTIONS, 'path'])

/**
 * Builds the RFC 9728 document from the app: `scopes_supported` from the scopes its routes require
 * (first seen first), unless given.
 * @example
 * const document = protectedResourceMetadata(app, {
 *   resource: 'https://api.example.com',
 *   authorizationServers: ['https://auth.example.com'],
 * })
 */
export function protectedResourceMetadata(
  app: { readonly routes: readonly CompiledRoute[] },
  options: ProtectedResourceOptions,
): ProtectedResourceMetadata {
  refuseUnknownOptions('protectedResourceMetadata', options, METADATA_OPTIONS)
  // RFC 9728 §3.3: `resource` is the identifier exactly as given, not a normalised form of it.
  resourceURL(options.resource)
  const resource = options.resource
  const servers = options.authorizationServers?.map((server, index) => {
    issuerURL(server, `${OWNER}: "authorizationServers[${index}]"`, false)
    return server
  })
  const optional = (name: string, value: string | undefined) =>
    value === undefined ? {} : { [name]: issuerURL(value, `${OWNER}: "${name}"`, false).href }
  return {
    ...options.extra,
    resource,
    ...(servers === undefined ? {} : { authorization_servers: servers }),
    scopes_supported: [...(options.scopesSupported ?? scopesOf(app.routes))],
    bearer_methods_supported: [...(options.bearerMethodsSupported ?? ['header'])],
    ...optional('jwks_uri', options.jwksUri),
    ...(options.resourceName === undefined ? {} : { resource_name: options.resourceName }),
    ...optional('resource_documentation', options.resourceDocumentation),
    ...optional('resource_policy_uri', options.resourcePolicyUri),
    ...optional('resource_tos_uri', options.resourceTosUri),
  }
}

/**
 * Serves the RFC 9728 document at its well-known path (left out of the OpenAPI document), built from
 * the routes the app has when it is first asked, and returns its URL for `resourceMetadata`.
 * @example
 * const resourceMetadata = mountProtectedResourceMetadata(app, { resource, authorizationServers })
 */
export function mountProtectedResourceMetadata(
  app: Gatehouse<unknown>,
  options: ProtectedResourceOptions & {
    /** The path on this app, when a proxy serves it under another one. Defaults to the well-known path. */
    path?: string | undefined
  },
): string {
  refuseUnknownOptions('mountProtectedResourceMetadata', options, MOUNT_OPTIONS)
  const { path, ...document } = options
  // Checks every option now, so a mistake fails at start-up, not on the first request.
  protectedResourceMetadata({ routes: [] }, document)
  let built: { routes: number; body: ProtectedResourceMetadata } | undefined
  app.get(
    path ?? wellKnownPath(routableResource(options.resource)),
    { includeInSchema: false },
    () => {
      if (built?.routes !== app.routes.length)
        built = { routes: app.routes.length, body: protectedResourceMetadata(app, document) }
      return built.body
    },
  )
  return protectedResourceMetadataURL(options.resource)
}

function resourceURL(resource: unknown): URL {
  const url = issuerURL(resource, `${OWNER}: "resource"`, false)
  if (url.search !== '') throw new TypeError(`${OWNER}: "resource" must not have a query`)
  return url
}

/** The resource, when its well-known path can be a route's literal path (no escapes). */
function routableResource(resource: unknown): URL {
  const url = resourceURL(resource)
  if (url.pathname.includes('%'))
    throw new TypeError(
      `${OWNER}: "resource" has an escaped path (${url.pathname}) that cannot be a route's path; give "path", where this app serves the document`,
    )
  return url
}

// RFC 9728 §3.1 (as RFC 8414 §3.1 for issuers): a terminating slash of the resource's path is
// removed before the path goes after the well-known string, so `https://api.example.com/v1/`
// has its document at `/.well-known/oauth-protected-resource/v1`, where clients look.
function wellKnownPath(url: URL): string {
  const path = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname
  return `${WELL_KNOWN}${path}`
}

/**
 * The scopes the routes require, first seen first. Not every scope a scheme declares: a scheme
 * bound to an authorization server declares all of that server's scopes, some for other APIs or
 * for administrators, and MCP clients ask for every scope listed here when a challenge names none.
 */
function scopesOf(routes: readonly CompiledRoute[]): string[] {
  const scopes = new Set<string>()
  for (const route of routes)
    for (const { scopes: required } of route.runtime.plan.security)
      for (const scope of required) scopes.add(scope)
  return [...scopes]
}
