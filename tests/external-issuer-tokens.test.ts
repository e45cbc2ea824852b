import type { JWTPayload } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  externalIssuerApp,
  openExternalIssuerApp,
  RESOURCE,
} from './helpers/external-issuer-app.js'
import { type Send, transports } from './helpers/http.js'
import { type IssuerKey, startTestIssuer, type TestIssuer } from './helpers/issuer-server.js'

/**
 * Access tokens in the claim shapes real issuers document, minted here with per-run keys. `sub` is
 * the tutorial's user, since the example loads users by `sub`; every other claim is the issuer's.
 */
interface IssuerShape {
  name: string
  /** The issuer identifier's path, as the issuer spells it. */
  path: string
  alg: string
  /** What the README's table says to configure for this issuer. */
  scopeClaim: string
  header: Record<string, unknown>
  claims(issuer: string, scopes: string[], now: number): JWTPayload
}

const shapes: IssuerShape[] = [
  {
    // Auth0, RBAC with "Add Permissions in the Access Token": `scope` holds the OIDC scopes asked
    // for, `permissions` what the user's roles grant for this API.
    name: 'Auth0',
    path: '/',
    alg: 'RS256',
    scopeClaim: 'permissions',
    header: { typ: 'JWT' },
    claims: (iss, scopes, now) => ({
      iss,
      sub: 'johndoe',
      aud: [RESOURCE, `${iss}userinfo`],
      iat: now,
      exp: now + 86400,
      azp: 'z1x2c3v4b5n6m7',
      scope: 'openid profile email',
      permissions: scopes,
    }),
  },
  {
    // Microsoft Entra ID, v2.0 access token: delegated scopes in `scp`, a space-separated string.
    name: 'Entra ID',
    path: '/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
    alg: 'RS256',
    scopeClaim: 'scp',
    header: { typ: 'JWT' },
    claims: (iss, scopes, now) => ({
      aud: RESOURCE,
      iss,
      iat: now,
      nbf: now,
      exp: now + 3600,
      aio: 'AXQAi/8UAAAA',
      azp: '6e74172b-be56-4843-9ff4-e66a39bb12e3',
      azpacr: '0',
      name: 'John Doe',
      oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474',
      preferred_username: 'johndoe@example.com',
      rh: 'I',
      scp: scopes.join(' '),
      sub: 'johndoe',
      tid: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      uti: 'fqiBqXLPj0eQa82S-IYFAA',
      ver: '2.0',
    }),
  },
  {
    // Okta, custom authorization server: `scp` is an array.
    name: 'Okta',
    path: '/oauth2/default',
    alg: 'RS256',
    scopeClaim: 'scp',
    header: {},
    claims: (iss, scopes, now) => ({
      ver: 1,
      jti: 'AT.0mP4JKAZX1iACIT4vbEDF7LpvDVjxypPMf0D7uX39RE',
      iss,
      aud: RESOURCE,
      iat: now,
      exp: now + 3600,
      cid: '0oaoesxtxmPf08QHk0h7',
      uid: '00uoefbOhyxQIjpkZ0h7',
      scp: scopes,
      auth_time: now - 60,
      sub: 'johndoe',
    }),
  },
  {
    // Keycloak: RFC 9068's space-separated `scope`, next to its own `typ: Bearer` claim.
    name: 'Keycloak',
    path: '/realms/tutorial',
    alg: 'RS256',
    scopeClaim: 'scope',
    header: { typ: 'JWT' },
    claims: (iss, scopes, now) => ({
      exp: now + 300,
      iat: now,
      auth_time: now - 5,
      jti: '6c7b9e2f-0d4e-4c39-9e55-5b3a31f1c2a1',
      iss,
      aud: RESOURCE,
      sub: 'johndoe',
      typ: 'Bearer',
      azp: 'tutorial-cli',
      session_state: 'a1b2c3d4',
      acr: '1',
      'allowed-origins': ['http://127.0.0.1:8000'],
      realm_access: { roles: ['offline_access', 'uma_authorization'] },
      scope: ['openid', 'email', ...scopes].join(' '),
      sid: 'a1b2c3d4',
      email_verified: true,
      preferred_username: 'johndoe',
    }),
  },
  {
    // RFC 9068 (Gatehouse's own authorization server, and others): `typ: at+jwt`, `scope`.
    name: 'RFC 9068',
    path: '',
    alg: 'ES256',
    scopeClaim: 'scope',
    header: { typ: 'at+jwt' },
    claims: (iss, scopes, now) => ({
      iss,
      exp: now + 1800,
      aud: RESOURCE,
      sub: 'johndoe',
      client_id: 'tutorial-cli',
      iat: now,
      jti: 'dbe39bf3a3ba4238a513f51d6e1691c4',
      scope: scopes.join(' '),
    }),
  },
]

describe.each(transports)('tokens of real issuers through $name', (transport) => {
  describe.each(shapes)('$name', (shape) => {
    let issuer: TestIssuer
    let key: IssuerKey
    let send: Send
    let close = async () => {}
    beforeAll(async () => {
      issuer = await startTestIssuer(shape.path)
      key = await issuer.addKey(shape.alg)
      ;({ send, close } = await openExternalIssuerApp(transport, issuer, {
        scopeClaim: shape.scopeClaim,
      }))
    })
    afterAll(() => close())
    const now = () => Math.floor(Date.now() / 1000)
    const token = (scopes: string[]) =>
      key.sign(shape.claims(issuer.issuer, scopes, now()), shape.header)
    const get = async (path: string, scopes: string[]) =>
      send(path, { headers: { authorization: `Bearer ${await token(scopes)}` } })

    it('grants the routes its scopes cover', async () => {
      const me = await get('/users/me/', ['me', 'items'])
      expect(me.status).toBe(200)
      expect(await me.json()).toMatchObject({ username: 'johndoe' })
      const items = await get('/users/me/items/', ['me', 'items'])
      expect(await items.json()).toEqual([{ item_id: 'Foo', owner: 'johndoe' }])
    })

    it('refuses a route needing a scope it lacks, naming every scope needed', async () => {
      const response = await get('/users/me/items/', ['me'])
      expect(response.status).toBe(403)
      expect(response.headers.get('www-authenticate')).toContain(
        'error="insufficient_scope", scope="items me"',
      )
    })
  })
})

it("reads nothing from a claim the issuer doesn't use: Auth0's OIDC `scope` grants no permission", async () => {
  const auth0 = shapes[0] as IssuerShape
  const issuer = await startTestIssuer(auth0.path)
  const key = await issuer.addKey('RS256')
  const example = externalIssuerApp(issuer, { scopeClaim: 'scope' })
  try {
    const now = Math.floor(Date.now() / 1000)
    const token = await key.sign(auth0.claims(issuer.issuer, ['me', 'items'], now), auth0.header)
    const response = await example.app.request('/users/me/', {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.status).toBe(403)
  } finally {
    example.close()
    await issuer.close()
  }
})
