import {
  createCurrentPrincipal,
  createJWTVerifier,
  Gatehouse,
  OAuth2PasswordBearer,
  Security,
} from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { captureLogger, transports } from './helpers/http.js'
import { startTestIssuer, type TestIssuer } from './helpers/issuer-server.js'

// Metadata that names another issuer (a trailing slash on one side, most often) will never be
// usable however often it is fetched again: a set-up mistake, answered as a logged 500, not as an
// outage's 503 with Retry-After that nobody hears about.

describe.each(transports)('discovery naming another issuer ($name)', (transport) => {
  let issuer: TestIssuer
  const logger = captureLogger()
  let send: Awaited<ReturnType<typeof transport.open>>['send']
  let close = async () => {}
  beforeAll(async () => {
    issuer = await startTestIssuer()
    const verifier = createJWTVerifier({
      // The issuer's own identifier with a trailing slash: its metadata says it without.
      issuer: `${issuer.issuer}/`,
      audience: 'https://api.example',
      remote: { timeout: 1000 },
    })
    const current = createCurrentPrincipal({
      scheme: new OAuth2PasswordBearer({ tokenUrl: '/token', scopes: { read: 'Read' } }),
      jwt: verifier,
      loadPrincipal: (subject) => ({ subject }),
    })
    const app = new Gatehouse({ logger })
    app.get('/me', { inputs: { me: Security(current, { scopes: ['read'] }) } }, ({ me }) => me)
    ;({ send, close } = await transport.open(app))
  })
  afterAll(async () => {
    await close()
    await issuer.close()
  })

  test('is a 500 whose log names both issuers, never a 503 to retry', async () => {
    const key = await issuer.addKey('ES256')
    const token = await key.sign({
      iss: `${issuer.issuer}/`,
      aud: 'https://api.example',
      sub: 'ada',
      scope: 'read',
      exp: Math.floor(Date.now() / 1000) + 600,
    })
    const response = await send('/me', { headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(500)
    expect(response.headers.get('retry-after')).toBeNull()
    expect(await response.text()).not.toContain(token)
    const logged = logger.calls.map(([, error]) => String(error)).join('\n')
    expect(logged).toContain(`IssuerMetadataMismatchError`)
    expect(logged).toContain(JSON.stringify(issuer.issuer))
    expect(logged).toContain(JSON.stringify(`${issuer.issuer}/`))
    expect(logged).not.toContain(token)
  })
})
