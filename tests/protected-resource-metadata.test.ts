import {
  APIKeyHeader,
  createCurrentPrincipal,
  createJWTCodec,
  dependency,
  Gatehouse,
  InsufficientScopeError,
  mountProtectedResourceMetadata,
  OAuth2AuthorizationCodeBearer,
  Path,
  protectedResourceMetadata,
  protectedResourceMetadataURL,
  Security,
} from 'gatehouse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { type Send, transports } from './helpers/http.js'

const RESOURCE = 'https://api.example'
const AUTH = 'https://auth.example'
const codec = createJWTCodec({
  secret: 'protected-resource-test-secret-32-bytes',
  audience: RESOURCE,
})

function buildApp() {
  const app = new Gatehouse()
  const scheme = new OAuth2AuthorizationCodeBearer({
    authorizationUrl: `${AUTH}/authorize`,
    tokenUrl: `${AUTH}/token`,
    // Declared, but no route of this API requires it (another API's): not in scopes_supported.
    scopes: {
      'orders:read': 'Read orders',
      'orders:write': 'Write orders',
      'reports:read': 'Read reports',
    },
  })
  const resourceMetadata = mountProtectedResourceMetadata(app, {
    resource: RESOURCE,
    authorizationServers: [AUTH],
    resourceName: 'Orders',
    resourceDocumentation: `${RESOURCE}/docs`,
  })
  const current = createCurrentPrincipal({
    scheme,
    jwt: codec,
    loadPrincipal: (subject) => ({ subject }),
    errors: 'rfc6750',
    resourceMetadata,
  })
  const admin = dependency({ who: Security(current, { scopes: ['admin'] }) }, ({ who }) => who)
  app.get(
    '/orders',
    { inputs: { who: Security(current, { scopes: ['orders:read'] }) } },
    ({ who }) => who,
  )
  // Registered after the metadata route: its scopes still count.
  app.delete(
    '/orders/{id}',
    { inputs: { id: Path(z.string()), who: Security(admin, { scopes: ['orders:write'] }) } },
    () => ({}),
  )
  app.get('/keyed', { inputs: { key: new APIKeyHeader({ name: 'x-key' }) } }, () => ({}))
  // Scopes that depend on the request (an MCP server's tools on one endpoint): thrown by hand.
  app.post(
    '/tools/{tool}',
    { inputs: { tool: Path(z.string()), who: Security(current, { scopes: ['orders:read'] }) } },
    ({ tool }) => {
      if (tool === 'refund')
        throw new InsufficientScopeError(['orders:read', 'orders:write'], {
          realm: 'orders',
          resourceMetadata,
        })
      // A scope named after the request, as a server of many tools builds it.
      if (tool.startsWith('tool:')) throw new InsufficientScopeError(['orders:read', tool])
      return { ran: tool }
    },
  )
  return { app, resourceMetadata }
}

describe.each(transports)('RFC 9728 metadata through $name', (transport) => {
  let send: Send
  let close: () => Promise<void>
  let resourceMetadata: string
  beforeAll(async () => {
    const built = buildApp()
    resourceMetadata = built.resourceMetadata
    ;({ send, close } = await transport.open(built.app))
  })
  afterAll(() => close())

  it('serves the document at the well-known path, built from the app', async () => {
    const response = await send('/.well-known/oauth-protected-resource')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('application/json')
    expect(await response.json()).toEqual({
      resource: RESOURCE,
      authorization_servers: [AUTH],
      scopes_supported: ['orders:read', 'orders:write', 'admin'],
      bearer_methods_supported: ['header'],
      resource_name: 'Orders',
      resource_documentation: `${RESOURCE}/docs`,
    })
  })

  it("a handler's own InsufficientScopeError names the scopes and the metadata (step-up)", async () => {
    const token = await codec.sign({ sub: 'ada', scope: 'orders:read' })
    const headers = { authorization: `Bearer ${token}` }
    expect((await send('/tools/lookup', { method: 'POST', headers })).status).toBe(200)
    const refused = await send('/tools/refund', { method: 'POST', headers })
    expect(refused.status).toBe(403)
    expect(refused.headers.get('www-authenticate')).toBe(
      `Bearer realm="orders", error="insufficient_scope", scope="orders:read orders:write", resource_metadata="${resourceMetadata}"`,
    )
    expect(await refused.json()).toEqual({ detail: 'Not enough permissions' })
  })

  it('a challenge carries only scope tokens, whatever the request put into a scope name', async () => {
    const token = await codec.sign({ sub: 'ada', scope: 'orders:read' })
    const headers = { authorization: `Bearer ${token}` }
    for (const [tool, scope] of [
      ['tool:search', 'orders:read tool:search'],
      // A space would add a scope (admin) to what a stepping-up client asks for.
      ['tool:search%20admin', 'orders:read'],
      // CR LF, U+2028 and a quote are no header value's or scope's characters (once a 500).
      ['tool:x%0D%0Ay', 'orders:read'],
      ['tool:x%E2%80%A8y', 'orders:read'],
      ['tool:a%22b', 'orders:read'],
    ]) {
      const refused = await send(`/tools/${tool}`, { method: 'POST', headers })
      expect(refused.status, tool).toBe(403)
      expect(refused.headers.get('www-authenticate'), tool).toBe(
        `Bearer error="insufficient_scope", scope="${scope}"`,
      )
    }
  })

  it('is left out of the OpenAPI document', async () => {
    const document = await (await send('/openapi.json')).json()
    expect(Object.keys(document.paths)).toEqual([
      '/orders',
      '/orders/{id}',
      '/keyed',
      '/tools/{tool}',
    ])
  })

  it('is named by resource_metadata in every challenge, and 403 lists every scope needed', async () => {
    expect(resourceMetadata).toBe(`${RESOURCE}/.well-known/oauth-protected-resource`)
    const missing = await send('/orders/7', { method: 'DELETE' })
    expect(missing.status).toBe(401)
    // The first 401 names what to ask for (RFC 6750 §3, MCP's scope selection), like the 403.
    expect(missing.headers.get('www-authenticate')).toBe(
      `Bearer scope="orders:write admin", resource_metadata="${resourceMetadata}"`,
    )
    const reader = await codec.sign({ sub: 'ada', scope: 'orders:read admin' })
    const refused = await send('/orders/7', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${reader}` },
    })
    expect(refused.status).toBe(403)
    expect(refused.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", scope="orders:write admin", resource_metadata="${resourceMetadata}"`,
    )
    const invalid = await send('/orders', { headers: { authorization: 'Bearer x.y.z' } })
    expect(invalid.headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_token", scope="orders:read", resource_metadata="${resourceMetadata}"`,
    )
  })

  it('answers two sets of credentials with 400 invalid_request and a challenge (RFC 6750 §3.1)', async () => {
    const token = await codec.sign({ sub: 'ada', scope: 'orders:read' })
    const headers = new Headers()
    headers.append('authorization', `Bearer ${token}`)
    headers.append('authorization', `Bearer ${token}`)
    const response = await send('/orders', { headers })
    expect(response.status).toBe(400)
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_request", resource_metadata="${resourceMetadata}"`,
    )
    expect(await response.json()).toEqual({
      detail: 'More than one set of credentials in the Authorization header',
    })
  })
})

describe.each(transports)('a resource whose path ends in a slash, through $name', (transport) => {
  it('has its document at the path without the slash, the URL its challenges name', async () => {
    const app = new Gatehouse()
    const resource = 'https://api.example/v1/'
    const url = mountProtectedResourceMetadata(app, { resource })
    expect(url).toBe('https://api.example/.well-known/oauth-protected-resource/v1')
    const { send, close } = await transport.open(app)
    try {
      const response = await send('/.well-known/oauth-protected-resource/v1')
      expect(response.status).toBe(200)
      // `resource` is the identifier exactly as given (RFC 9728 §3.3).
      expect(await response.json()).toMatchObject({ resource })
    } finally {
      await close()
    }
  })
})

describe('protectedResourceMetadataURL and options', () => {
  it('inserts the well-known segment between host and path (RFC 9728 §3.1)', () => {
    expect(protectedResourceMetadataURL('https://api.example')).toBe(
      'https://api.example/.well-known/oauth-protected-resource',
    )
    expect(protectedResourceMetadataURL('https://api.example/')).toBe(
      'https://api.example/.well-known/oauth-protected-resource',
    )
    expect(protectedResourceMetadataURL('https://api.example:8443/v1/orders')).toBe(
      'https://api.example:8443/.well-known/oauth-protected-resource/v1/orders',
    )
    // A terminating slash of the path is removed first (RFC 9728 §3.1), where clients look.
    expect(protectedResourceMetadataURL('https://api.example/v1/')).toBe(
      'https://api.example/.well-known/oauth-protected-resource/v1',
    )
  })

  it('serves a resource with a path at its own well-known path, or where told', async () => {
    const app = new Gatehouse()
    mountProtectedResourceMetadata(app, { resource: 'https://api.example/v1' })
    mountProtectedResourceMetadata(app, { resource: 'https://api.example/v2', path: '/meta' })
    const v1 = await app.request('/.well-known/oauth-protected-resource/v1')
    expect(await v1.json()).toMatchObject({
      resource: 'https://api.example/v1',
      scopes_supported: [],
    })
    expect(await (await app.request('/meta')).json()).toMatchObject({
      resource: 'https://api.example/v2',
    })
  })

  it('takes given scopes, bearer methods and extra fields', () => {
    const document = protectedResourceMetadata(buildApp().app, {
      resource: RESOURCE,
      scopesSupported: ['a'],
      bearerMethodsSupported: ['header', 'body'],
      jwksUri: `${RESOURCE}/jwks.json`,
      extra: { dpop_bound_access_tokens_required: false },
    })
    expect(document).toEqual({
      resource: RESOURCE,
      scopes_supported: ['a'],
      bearer_methods_supported: ['header', 'body'],
      jwks_uri: `${RESOURCE}/jwks.json`,
      dpop_bound_access_tokens_required: false,
    })
  })

  it('names a bad option at set-up', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ resource: 'api.example' }, '"resource" must be an absolute URL'],
      [{ resource: 'http://api.example' }, '"resource" must use https:'],
      [
        { resource: 'https://api.example/#x' },
        '"resource" must not carry credentials or a fragment',
      ],
      [{ resource: 'https://api.example/?tenant=1' }, '"resource" must not have a query'],
      [{ resource: 'https://api.example/a%20b' }, '"resource" has an escaped path (/a%20b)'],
      [{ resource: RESOURCE, authorizationServers: ['ftp://auth'] }, '"authorizationServers[0]"'],
      [{ resource: RESOURCE, resourceDocumentation: 'docs' }, '"resource_documentation"'],
    ]
    for (const [options, message] of cases)
      expect(
        () => mountProtectedResourceMetadata(new Gatehouse(), options as { resource: string }),
        message,
      ).toThrow(message)
  })
})
