import {
  createCurrentPrincipal,
  createJWTVerifier,
  Gatehouse,
  type JWTVerifierOptions,
  OAuth2PasswordBearer,
  Security,
} from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { captureLogger, transports } from './helpers/http.js'
import { startTestIssuer, type TestIssuer } from './helpers/issuer-server.js'

// An issuer's keys or metadata that cannot be fetched answer 503 with Retry-After, which tells the
// client to retry but the operator nothing: the default error answer logs what failed, once per
// failed fetch (the cool-down bounds them), never the token or the URL's query.

const AUDIENCE = 'https://api.example'

describe.each(transports)('an issuer that cannot be reached ($name)', (transport) => {
  let issuer: TestIssuer
  let clock = 1_800_000_000
  const logger = captureLogger()
  const opened: { close(): Promise<void> }[] = []

  async function appOver(options: Partial<JWTVerifierOptions>, handle503 = false) {
    const verifier = createJWTVerifier({
      issuer: issuer.issuer,
      audience: AUDIENCE,
      now: () => clock,
      cacheSize: 0,
      ...options,
      remote: { timeout: 1000, cooldown: 30, ...options.remote },
    })
    const current = createCurrentPrincipal({
      scheme: new OAuth2PasswordBearer({ tokenUrl: '/token', scopes: { read: 'Read' } }),
      jwt: verifier,
      loadPrincipal: (subject) => ({ subject }),
    })
    const app = new Gatehouse({ logger })
    if (handle503)
      app.exceptionHandler(503, () => Response.json({ error: 'try later' }, { status: 503 }))
    app.get('/me', { inputs: { me: Security(current, { scopes: ['read'] }) } }, ({ me }) => me)
    const served = await transport.open(app)
    opened.push(served)
    return served.send
  }

  beforeAll(async () => {
    issuer = await startTestIssuer()
  })
  afterAll(async () => {
    for (const served of opened) await served.close()
    await issuer.close()
  })

  async function tokenOf() {
    const key = await issuer.addKey('ES256')
    return key.sign({
      iss: issuer.issuer,
      aud: AUDIENCE,
      sub: 'ada',
      scope: 'read',
      exp: clock + 600,
    })
  }

  test('a failing JWKS is logged once per failed fetch, without its query or the token', async () => {
    logger.calls.length = 0
    issuer.mode = 'error'
    const send = await appOver({ jwksUri: `${issuer.jwksUri}?api_key=do-not-log` })
    const token = await tokenOf()
    const ask = () => send('/me', { headers: { authorization: `Bearer ${token}` } })
    for (const response of [await ask(), await ask(), await ask()]) {
      expect(response.status).toBe(503)
      expect(response.headers.get('retry-after')).not.toBeNull()
    }
    expect(logger.calls).toEqual([
      [
        `The verification keys cannot be fetched right now (GET /me): The JWKS at ${issuer.jwksUri}: answered 503`,
        undefined,
      ],
    ])
    // After the cool-down the next fetch fails again: one more line.
    clock += 31
    expect((await ask()).status).toBe(503)
    expect(logger.calls).toHaveLength(2)
    const logged = JSON.stringify(logger.calls)
    expect(logged).not.toContain('do-not-log')
    expect(logged).not.toContain(token)
    // Once the issuer is back, the key is fetched after the cool-down and nothing more is logged.
    issuer.mode = 'ok'
    clock += 31
    expect((await ask()).status).toBe(200)
    expect(logger.calls).toHaveLength(2)
  })

  test('a JWKS that redirects is logged as a redirect not followed', async () => {
    logger.calls.length = 0
    issuer.mode = 'redirect'
    clock += 100
    try {
      const send = await appOver({ jwksUri: issuer.jwksUri })
      const token = await tokenOf()
      const answer = await send('/me', { headers: { authorization: `Bearer ${token}` } })
      expect(answer.status).toBe(503)
      expect(logger.calls).toEqual([
        [
          `The verification keys cannot be fetched right now (GET /me): The JWKS at ${issuer.jwksUri}: answered 302, a redirect (not followed)`,
          undefined,
        ],
      ])
      expect(issuer.hits.get('/elsewhere.json')).toBeUndefined()
    } finally {
      issuer.mode = 'ok'
    }
  })

  test("a fetch of the app's own that gives an opaque redirect: logged as a redirect", async () => {
    logger.calls.length = 0
    clock += 100
    // What a spec-style fetch answers with `redirect: 'manual'`: status 0, no body.
    const opaque = (async () =>
      ({
        type: 'opaqueredirect',
        status: 0,
        headers: new Headers(),
        body: null,
      }) as unknown as Response) as typeof fetch
    const send = await appOver({ jwksUri: issuer.jwksUri, remote: { fetch: opaque } })
    const token = await tokenOf()
    const answer = await send('/me', { headers: { authorization: `Bearer ${token}` } })
    expect(answer.status).toBe(503)
    expect(logger.calls).toEqual([
      [
        `The verification keys cannot be fetched right now (GET /me): The JWKS at ${issuer.jwksUri}: answered a redirect (not followed)`,
        undefined,
      ],
    ])
  })

  test('logged too when an exception handler of the app answers the 503', async () => {
    logger.calls.length = 0
    issuer.mode = 'error'
    clock += 100
    try {
      const send = await appOver({ jwksUri: issuer.jwksUri }, true)
      const token = await tokenOf()
      const answer = await send('/me', { headers: { authorization: `Bearer ${token}` } })
      expect(answer.status).toBe(503)
      expect(await answer.json()).toEqual({ error: 'try later' })
      expect(logger.calls).toHaveLength(1)
      expect(String(logger.calls[0]?.[0])).toContain(`The JWKS at ${issuer.jwksUri}: answered 503`)
    } finally {
      issuer.mode = 'ok'
    }
  })

  test('an issuer whose metadata cannot be fetched is logged with the paths it tried', async () => {
    logger.calls.length = 0
    issuer.metadata = { oauth: false, openid: false }
    try {
      const send = await appOver({})
      const token = await tokenOf()
      const ask = () => send('/me', { headers: { authorization: `Bearer ${token}` } })
      expect((await ask()).status).toBe(503)
      expect((await ask()).status).toBe(503)
      expect(logger.calls).toHaveLength(1)
      const [message] = logger.calls[0] as [string]
      expect(message).toContain(
        `The issuer's metadata cannot be fetched right now (GET /me): Discovery of the issuer ${issuer.issuer}: `,
      )
      expect(message).toContain('/.well-known/oauth-authorization-server answered 404')
      expect(message).not.toContain(token)
    } finally {
      issuer.metadata = { oauth: true, openid: true }
    }
  })
})
