import {
  createCurrentPrincipal,
  createIntrospectionVerifier,
  Gatehouse,
  type IntrospectionVerifierOptions,
  InvalidTokenError,
  KeySourceUnavailableError,
  OAuth2ClientCredentials,
  Security,
} from 'gatehouse'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { captureLogger, transports } from './helpers/http.js'
import { startIntrospection, type TestIntrospection } from './helpers/introspection-server.js'

const NOW = 1_800_000_000
const AUDIENCE = 'https://orders.example'
let server: TestIntrospection
let clock = NOW

const active = (extra: Record<string, unknown> = {}) => ({
  sub: 'ada',
  scope: 'orders:read orders:write',
  client_id: 'shop',
  aud: AUDIENCE,
  exp: NOW + 3600,
  iat: NOW - 5,
  ...extra,
})

const verifierFor = (options: Partial<IntrospectionVerifierOptions> = {}) =>
  createIntrospectionVerifier({
    endpoint: server.endpoint,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    audience: AUDIENCE,
    now: () => clock,
    timeout: 1000,
    ...options,
  })

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the token was accepted'),
    (error: unknown) => error,
  )
}

describe('createIntrospectionVerifier', () => {
  beforeEach(async () => {
    server = await startIntrospection()
    clock = NOW
  })
  afterEach(() => server.close())

  it('asks the endpoint with HTTP Basic client authentication and reads sub and scope', async () => {
    server.tokens.set('opaque-1', active())
    const verified = await verifierFor().verify('opaque-1')
    expect(verified).toEqual({
      subject: 'ada',
      scopes: ['orders:read', 'orders:write'],
      payload: { active: true, ...active() },
    })
    expect(server.requests).toEqual([{ auth: 'basic', token: 'opaque-1', hint: 'access_token' }])
  })

  it('authenticates in the form body with client_secret_post', async () => {
    server.tokens.set('opaque-1', active())
    await verifierFor({ clientAuth: 'client_secret_post' }).verify('opaque-1')
    expect(server.requests[0]?.auth).toBe('post')
  })

  it('refuses inactive tokens, and answers with foreign audiences, issuers or a past exp', async () => {
    const verifier = verifierFor({ issuer: 'https://auth.example' })
    const cases: [string, Record<string, unknown> | undefined, string, string | undefined][] = [
      ['unknown', undefined, 'token_inactive', undefined],
      [
        'foreign-aud',
        active({ iss: 'https://auth.example', aud: 'https://other.example' }),
        'token_claim_invalid',
        'aud',
      ],
      [
        'no-aud',
        active({ iss: 'https://auth.example', aud: undefined }),
        'token_claim_invalid',
        'aud',
      ],
      ['foreign-iss', active({ iss: 'https://evil.example' }), 'token_claim_invalid', 'iss'],
      ['expired', active({ iss: 'https://auth.example', exp: NOW - 60 }), 'token_expired', 'exp'],
      [
        'infinite',
        active({ iss: 'https://auth.example', exp: 'never' }),
        'token_claim_invalid',
        'exp',
      ],
      [
        'no-sub',
        active({ iss: 'https://auth.example', sub: undefined, client_id: undefined }),
        'token_claim_invalid',
        'sub',
      ],
      // RFC 6750 §1.2: a refresh token is never a resource server's (Duende and Ory say which).
      [
        'refresh',
        active({ iss: 'https://auth.example', token_type: 'refresh_token' }),
        'token_type_invalid',
        'token_type',
      ],
    ]
    for (const [token, answer, code, claim] of cases) {
      if (answer) server.tokens.set(token, answer)
      const error = await refusal(verifier.verify(token))
      expect(error, token).toBeInstanceOf(InvalidTokenError)
      expect(
        { code: (error as InvalidTokenError).code, claim: (error as InvalidTokenError).claim },
        token,
      ).toEqual({
        code,
        claim,
      })
    }
    // No audience configured: an answer naming one is for another resource (RFC 7519 §4.1.3).
    server.tokens.set('aud', active())
    const error = await refusal(verifierFor({ audience: undefined }).verify('aud'))
    expect((error as InvalidTokenError).claim).toBe('aud')
    server.tokens.set('plain', active({ aud: undefined }))
    expect((await verifierFor({ audience: undefined }).verify('plain')).subject).toBe('ada')
  })

  it('an answer without sub speaks for its client_id (a client credentials token)', async () => {
    server.tokens.set('service', active({ sub: undefined, client_id: 'billing' }))
    expect(await verifierFor().verify('service')).toMatchObject({
      subject: 'billing',
      payload: { client_id: 'billing', sub: 'billing' },
    })
    server.tokens.set('bearer', active({ token_type: 'Bearer' }))
    expect((await verifierFor().verify('bearer')).subject).toBe('ada')
  })

  it('caches active answers for cacheMaxAge at most, never past exp, and shares concurrent requests', async () => {
    server.tokens.set('t', active({ exp: NOW + 100 }))
    const verifier = verifierFor({ cacheMaxAge: 60 })
    server.delay = 50
    await Promise.all(Array.from({ length: 10 }, () => verifier.verify('t')))
    expect(server.requests).toHaveLength(1)
    clock += 59
    await verifier.verify('t')
    expect(server.requests).toHaveLength(1)
    server.tokens.delete('t') // revoked at the authorization server
    clock += 1
    expect(((await refusal(verifier.verify('t'))) as InvalidTokenError).code).toBe('token_inactive')
    expect(server.requests).toHaveLength(2)

    server.tokens.set('short', active({ exp: NOW + 80 }))
    await verifier.verify('short')
    expect(server.requests).toHaveLength(3)
    clock = NOW + 80 // the answer is not reused past exp (the server is asked again)
    expect((await verifier.verify('short')).subject).toBe('ada') // within the 30 s tolerance
    expect(server.requests).toHaveLength(4)
    clock = NOW + 111
    const error = await refusal(verifier.verify('short'))
    expect(server.requests).toHaveLength(5)
    expect((error as InvalidTokenError).code).toBe('token_expired')
  })

  it('a clock that steps back does not stretch a cached answer past cacheMaxAge', async () => {
    server.tokens.set('t', active({ exp: NOW + 7200 }))
    const verifier = verifierFor({ cacheMaxAge: 60 })
    await verifier.verify('t')
    expect(server.requests).toHaveLength(1)
    server.tokens.delete('t') // revoked at the authorization server
    clock -= 3600 // NTP, or a resumed VM
    expect(((await refusal(verifier.verify('t'))) as InvalidTokenError).code).toBe('token_inactive')
    expect(server.requests).toHaveLength(2)
  })

  it('stays bounded: cacheSize answers at most, 0 asks every time', async () => {
    for (let n = 0; n < 5; n++) server.tokens.set(`t${n}`, active())
    const small = verifierFor({ cacheSize: 2 })
    for (const token of ['t0', 't1', 't2', 't0']) await small.verify(token)
    expect(server.requests.map((r) => r.token)).toEqual(['t0', 't1', 't2', 't0'])
    const none = verifierFor({ cacheSize: 0 })
    await none.verify('t3')
    await none.verify('t3')
    expect(server.requests.filter((r) => r.token === 't3')).toHaveLength(2)
  })

  it.each(['hang', 'error', 'garbage', 'no-active'] as const)(
    'answers KeySourceUnavailableError when the endpoint is %s',
    async (mode) => {
      server.tokens.set('t', active())
      server.mode = mode
      const error = await refusal(verifierFor({ timeout: 200 }).verify('t'))
      expect(error).toBeInstanceOf(KeySourceUnavailableError)
      expect((error as KeySourceUnavailableError).message).not.toContain(server.clientSecret)
    },
  )

  it('treats its own refused credentials as a server fault, without the secret', async () => {
    server.tokens.set('t', active())
    const error = await refusal(verifierFor({ clientSecret: 'wrong' }).verify('t'))
    expect(error).not.toBeInstanceOf(InvalidTokenError)
    expect(error).not.toBeInstanceOf(KeySourceUnavailableError)
    expect(String(error)).toContain('client credentials (401)')
    expect(String(error)).not.toContain('wrong')
  })

  it('names a bad option', () => {
    const ok = { endpoint: 'https://auth.example/introspect', clientId: 'a', clientSecret: 'b' }
    const cases: [Record<string, unknown>, string][] = [
      [{ endpoint: 'http://auth.example/introspect' }, '"endpoint" must use https:'],
      [{ clientId: '' }, '"clientId"'],
      [{ clientSecret: undefined }, '"clientSecret"'],
      [{ clientAuth: 'private_key_jwt' }, '"clientAuth"'],
      [{ cacheMaxAge: -1 }, '"cacheMaxAge"'],
      [{ timeout: 0 }, '"timeout"'],
      // AbortSignal.timeout throws on a fraction and fires at once past 2^31 - 1 ms.
      [{ timeout: 2500.5 }, '"timeout" must be a whole number of milliseconds'],
      [{ timeout: 3e9 }, '"timeout" must be a whole number of milliseconds'],
      [{ audience: [] }, '"audience"'],
      // As the JWT verifier's: a day of tolerance would keep an answer alive a day past its exp.
      [{ clockTolerance: 86400 }, '"clockTolerance" must be at most 600 seconds'],
      [{ clockTolerance: -1 }, '"clockTolerance"'],
    ]
    for (const [bad, message] of cases)
      expect(() => createIntrospectionVerifier({ ...ok, ...bad } as typeof ok), message).toThrow(
        message,
      )
  })
})

describe.each(transports)(
  'introspection behind createCurrentPrincipal through $name',
  (transport) => {
    let send: (path: string, init?: RequestInit) => Promise<Response>
    let close: () => Promise<void>
    const logger = captureLogger()
    beforeAll(async () => {
      server = await startIntrospection()
      server.tokens.set('reader', active({ scope: 'orders:read' }))
      const scheme = new OAuth2ClientCredentials({
        tokenUrl: 'https://auth.example/token',
        scopes: { 'orders:read': 'Read orders', 'orders:write': 'Write orders' },
      })
      const current = createCurrentPrincipal({
        scheme,
        jwt: verifierFor({ cacheSize: 0 }),
        loadPrincipal: (subject, token) => ({ subject, client: token.payload.client_id }),
        errors: 'rfc6750',
      })
      const app = new Gatehouse({ logger })
      app.get(
        '/orders',
        { inputs: { who: Security(current, { scopes: ['orders:read'] }) } },
        ({ who }) => who,
      )
      app.post(
        '/orders',
        { inputs: { who: Security(current, { scopes: ['orders:write'] }) } },
        () => ({}),
      )
      ;({ send, close } = await transport.open(app))
    })
    afterAll(async () => {
      await close()
      await server.close()
    })
    const bearer = (token: string, method = 'GET') => ({
      method,
      headers: { authorization: `Bearer ${token}` },
    })

    it('lets an active token in, 403 without the scope, 401 once revoked', async () => {
      const ok = await send('/orders', bearer('reader'))
      expect(ok.status).toBe(200)
      expect(await ok.json()).toEqual({ subject: 'ada', client: 'shop' })
      const write = await send('/orders', bearer('reader', 'POST'))
      expect(write.status).toBe(403)
      expect(write.headers.get('www-authenticate')).toBe(
        'Bearer error="insufficient_scope", scope="orders:write"',
      )
      server.tokens.delete('reader')
      const revoked = await send('/orders', bearer('reader'))
      expect(revoked.status).toBe(401)
      expect(revoked.headers.get('www-authenticate')).toBe(
        'Bearer error="invalid_token", scope="orders:read"',
      )
    })

    it('answers 503 with Retry-After when the endpoint is down, and logs it once', async () => {
      server.mode = 'error'
      const first = await send('/orders', bearer('reader'))
      const second = await send('/orders', bearer('reader'))
      server.mode = 'ok'
      for (const response of [first, second]) {
        expect(response.status).toBe(503)
        expect(response.headers.get('retry-after')).toBe('5')
      }
      // The operator learns what failed, once for the outage rather than once per request, and
      // nothing of the token or of the API's client secret.
      expect(logger.calls).toHaveLength(1)
      const [message] = logger.calls[0] as [string]
      expect(message).toBe(
        `Token introspection is unavailable right now (GET /orders): Token introspection at ${server.endpoint}: answered 503`,
      )
      expect(message).not.toContain('reader')
      logger.calls.length = 0
    })
  },
)
