import { createHmac } from 'node:crypto'
import type { JWTPayload } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  externalIssuerApp,
  openExternalIssuerApp,
  RESOURCE,
} from './helpers/external-issuer-app.js'
import { type Send, transports } from './helpers/http.js'
import {
  type IssuerKey,
  type JWKSMode,
  startTestIssuer,
  type TestIssuer,
} from './helpers/issuer-server.js'

const METADATA = `${RESOURCE}/.well-known/oauth-protected-resource`
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)

describe.each(transports)('the external-issuer example through $name', (transport) => {
  let issuer: TestIssuer
  let rsa: IssuerKey
  let send: Send
  let close = async () => {}
  beforeAll(async () => {
    issuer = await startTestIssuer('/realms/tutorial')
    rsa = await issuer.addKey('RS256')
    ;({ send, close } = await openExternalIssuerApp(transport, issuer, {
      typ: 'at+jwt',
      algorithms: ['RS256', 'ES256'],
    }))
  })
  afterAll(() => close())

  const claims = (extra: JWTPayload = {}): JWTPayload => ({
    iss: issuer.issuer,
    aud: RESOURCE,
    sub: 'johndoe',
    scope: 'me items',
    client_id: 'tutorial-client',
    jti: crypto.randomUUID(),
    iat: now(),
    exp: now() + 600,
    ...extra,
  })
  const get = (path: string, token: string) =>
    send(path, { headers: { authorization: `Bearer ${token}` } })

  it('answers a good token, and advertises the issuer', async () => {
    const response = await get('/users/me/items/', await rsa.sign(claims(), { typ: 'at+jwt' }))
    expect(response.status).toBe(200)
    // The hand-signed path used for 1e400 below signs properly: the same claims as text pass.
    const byHand = rsa.signText(JSON.stringify(claims()), { typ: 'at+jwt' })
    expect((await get('/users/me/', byHand)).status).toBe(200)
    const metadata = await (await send('/.well-known/oauth-protected-resource')).json()
    expect(metadata).toMatchObject({ resource: RESOURCE, authorization_servers: [issuer.issuer] })
  })

  const hostile: [string, () => Promise<string>][] = [
    ['an unknown kid', () => rsa.sign(claims(), { typ: 'at+jwt', kid: 'rotated-away' })],
    [
      'HS256 keyed with the RSA public key (algorithm confusion)',
      async () => {
        const input = `${b64url({ alg: 'HS256', kid: rsa.kid, typ: 'at+jwt' })}.${b64url(claims())}`
        const secret = JSON.stringify(rsa.publicJWK)
        return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
      },
    ],
    ['alg none', async () => `${b64url({ alg: 'none', typ: 'at+jwt' })}.${b64url(claims())}.`],
    [
      'a foreign aud',
      () => rsa.sign(claims({ aud: 'https://billing.example' }), { typ: 'at+jwt' }),
    ],
    ['a foreign iss', () => rsa.sign(claims({ iss: 'https://evil.example' }), { typ: 'at+jwt' })],
    ['a wrong typ (an ID token)', () => rsa.sign(claims(), { typ: 'JWT' })],
    [
      'exp: 1e400 (Infinity once parsed)',
      async () => {
        const text = JSON.stringify(claims({ exp: 0 })).replace('"exp":0', '"exp":1e400')
        return rsa.signText(text, { typ: 'at+jwt' })
      },
    ],
    ['an iat an hour ahead', () => rsa.sign(claims({ iat: now() + 3600 }), { typ: 'at+jwt' })],
    ['garbage', async () => 'not-a-token'],
  ]

  it.each(hostile)('%s → 401 invalid_token with the challenge', async (_case, make) => {
    const token = await make()
    const response = await get('/users/me/items/', token)
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ detail: 'Could not validate credentials' })
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_token", scope="items me", resource_metadata="${METADATA}"`,
    )
  })
})

describe.each(transports)('an issuer whose JWKS fails, through $name', (transport) => {
  it.each(['hang', 'huge', 'error'] as JWKSMode[])(
    'a JWKS that is %s → 503 with Retry-After, never 500',
    async (mode) => {
      const issuer = await startTestIssuer()
      const key = await issuer.addKey('ES256')
      issuer.mode = mode
      const example = externalIssuerApp(issuer, { remote: { timeout: 300, maxBytes: 64 * 1024 } })
      const { send, close } = await transport.open(example.app)
      try {
        const claims = { iss: issuer.issuer, aud: RESOURCE, sub: 'johndoe', scope: 'me' }
        const token = await key.sign({ ...claims, iat: now(), exp: now() + 600 })
        const response = await send('/users/me/', { headers: { authorization: `Bearer ${token}` } })
        expect(response.status).toBe(503)
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
        expect(await response.json()).toEqual({ detail: 'Service Unavailable' })
        expect(issuer.hitsOf('/jwks.json')).toBe(1)
      } finally {
        await close()
        example.close()
        await issuer.close()
      }
    },
  )
})
