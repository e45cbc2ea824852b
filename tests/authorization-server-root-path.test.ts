import { Gatehouse, Router } from 'gatehouse'
import { createAuthorizationServer, createMemoryStore } from 'gatehouse/authorization-server'
import { describe, expect, test } from 'vitest'
import { basic, ISSUER, START } from './helpers/authorization-server.js'
import { describeEachEngine, serveThrough } from './helpers/http.js'

// An authorization server's endpoints are where its issuer says; behind a proxy that strips a
// prefix (`rootPath`) or mounted under one, the app sees them without that part of the path.

async function serverAt(issuer: string) {
  const server = createAuthorizationServer({
    issuer,
    store: createMemoryStore(),
    scopes: { read: 'Read' },
    now: () => START,
  })
  const { clientSecret } = await server.admin.createClient({
    id: 'service',
    grantTypes: ['client_credentials'],
    scopes: ['read'],
  })
  return { server, secret: clientSecret as string }
}

const tokenRequest = (secret: string): RequestInit => ({
  method: 'POST',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: basic('service', secret),
  },
  body: 'grant_type=client_credentials&scope=read',
})

const behindProxy = await serverAt(`${ISSUER}/auth`)
const proxied = new Gatehouse({ title: 'Behind a proxy', rootPath: '/auth' })
proxied.include(behindProxy.server.router)

describeEachEngine('behind a proxy that strips the issuer path (rootPath)', (engine) => {
  const send = serveThrough(engine, proxied)

  test('the endpoints answer at the paths the app sees, the metadata names the public URLs', async () => {
    const token = await send('/token', tokenRequest(behindProxy.secret))
    expect(token.status).toBe(200)
    expect((await send('/.well-known/jwks.json')).status).toBe(200)
    // RFC 8414 §3.1 puts the metadata at the origin's well-known path, which the proxy passes on.
    const metadata = await send('/.well-known/oauth-authorization-server/auth')
    expect(metadata.status).toBe(200)
    expect(await metadata.json()).toMatchObject({
      issuer: `${ISSUER}/auth`,
      token_endpoint: `${ISSUER}/auth/token`,
    })
    const document = await (await send('/openapi.json')).json()
    expect(document.servers).toEqual([{ url: '/auth' }])
    // Swagger UI's URL for it is servers + path: /auth/token, the metadata's token endpoint.
    expect(Object.keys(document.paths)).toContain('/token')
    expect(Object.keys(document.paths)).not.toContain('/auth/token')
  })
})

describe('set-up mistakes throw when the router is included or mounted', () => {
  test('an include prefix', async () => {
    const { server } = await serverAt(`${ISSUER}/auth`)
    expect(() => new Gatehouse().include(server.router, { prefix: '/auth' })).toThrow(
      /GET \/auth\/authorize: this route's path is fixed .*include its router without a prefix/,
    )
    expect(() => new Router().include(server.router, { prefix: '/v1' })).toThrow(TypeError)
    // A router's own prefix counts once its routes reach an app.
    const versioned = new Router({ prefix: '/v1' }).include(server.router)
    expect(() => new Gatehouse().include(versioned)).toThrow(TypeError)
  })

  test('an issuer path outside the root path', async () => {
    const { server } = await serverAt(ISSUER)
    expect(() => new Gatehouse({ rootPath: '/auth' }).include(server.router)).toThrow(
      /its path is fixed under \/ .*outside this app's root path \(\/auth\)/,
    )
  })

  test('a mounted app, in either order: the metadata at the origin would never reach it', async () => {
    const { server } = await serverAt(`${ISSUER}/auth`)
    // RFC 8414 §3.1: /.well-known/oauth-authorization-server/auth, outside the mount's /auth.
    const sub = new Gatehouse().include(server.router)
    expect(() => new Gatehouse().mount('/auth', sub)).toThrow(
      /^mount \/auth: an authorization server's router goes in the top app, not one that is mounted/,
    )
    const mounted = new Gatehouse()
    new Gatehouse().mount('/auth', mounted)
    expect(() => mounted.include(server.router)).toThrow(
      /^GET \/auth\/authorize: an authorization server's router goes in the top app/,
    )
  })
})
