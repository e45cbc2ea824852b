import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import {
  basic,
  bearer,
  claimsOf,
  type Fixture,
  headerOf,
  ISSUER,
  matrix,
  openFixture,
  postForm,
  START,
} from './helpers/authorization-server.js'

describe.each(matrix)(
  'client_credentials and client authentication ($name)',
  ({ transport, store }) => {
    let f: Fixture
    beforeEach(async () => {
      f = await openFixture(transport, store)
    })
    afterEach(async () => {
      expect(f.logs).toEqual([])
      await f.close()
    })

    const grant = (fields: Record<string, string | string[]> = {}, headers = {}) =>
      postForm(f.send, '/token', { grant_type: 'client_credentials', ...fields }, headers)

    test('HTTP Basic: an RFC 9068 access token for the client, never cached', async () => {
      const response = await grant(
        { scope: 'admin' },
        { authorization: basic('service', f.secrets.service) },
      )
      expect(response.status).toBe(200)
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(response.headers.get('pragma')).toBe('no-cache')
      expect(response.headers.get('content-type')).toMatch(/^application\/json/)
      const body = await response.json()
      expect(body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
        scope: 'admin',
      })
      expect(headerOf(body.access_token)).toEqual({
        alg: 'EdDSA',
        kid: expect.any(String),
        typ: 'at+jwt',
      })
      expect(claimsOf(body.access_token)).toEqual({
        iss: ISSUER,
        sub: 'service',
        aud: ISSUER,
        client_id: 'service',
        scope: 'admin',
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
        iat: START,
        exp: START + 900,
      })
    })

    test('client_secret_post works the same, and the token opens the API', async () => {
      const response = await grant({ client_id: 'service', client_secret: f.secrets.service })
      const body = await response.json()
      expect(body.scope).toBe('read')
      const api = await f.send('/api/read', bearer(body.access_token))
      expect(api.status).toBe(200)
      expect(await api.json()).toEqual({
        subject: 'service',
        clientId: 'service',
        scopes: ['read'],
      })
    })

    test('Basic credentials are form-decoded before comparing (RFC 6749 §2.3.1)', async () => {
      const { clientSecret } = await f.server.admin.createClient({
        id: 'odd id:+%/&=',
        grantTypes: ['client_credentials'],
        scopes: ['read'],
      })
      const response = await grant(
        {},
        { authorization: basic('odd id:+%/&=', clientSecret as string) },
      )
      expect(response.status).toBe(200)
      expect(claimsOf((await response.json()).access_token).client_id).toBe('odd id:+%/&=')
    })

    test('Basic credentials a client did not form-encode (the MCP SDK, curl -u) still match the id as sent', async () => {
      const raw = (id: string, secret: string) =>
        `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
      for (const id of ['svc+a', 'svc%2F', 'svc%zz']) {
        const { clientSecret } = await f.server.admin.createClient({
          id,
          grantTypes: ['client_credentials'],
          scopes: ['read'],
        })
        const sent = await grant({}, { authorization: raw(id, clientSecret as string) })
        expect(sent.status, id).toBe(200)
        expect(claimsOf((await sent.json()).access_token).client_id).toBe(id)
        // Its wrong secret is refused all the same.
        const wrong = await grant({}, { authorization: raw(id, `${clientSecret}x`) })
        expect(wrong.status, id).toBe(401)
        expect((await wrong.json()).error).toBe('invalid_client')
      }
      // The decoded form comes first: with both "svc a" and "svc+a" registered, "svc+a" sent
      // unencoded is RFC 6749's "svc a", and only that client's secret opens it.
      const spaced = await f.server.admin.createClient({
        id: 'svc a',
        grantTypes: ['client_credentials'],
        scopes: ['read'],
      })
      const decoded = await grant(
        {},
        { authorization: raw('svc+a', spaced.clientSecret as string) },
      )
      expect(claimsOf((await decoded.json()).access_token).client_id).toBe('svc a')
      // A client_id in the form must name the client authenticated, not the other spelling.
      const other = await grant(
        { client_id: 'svc+a' },
        { authorization: raw('svc+a', spaced.clientSecret as string) },
      )
      expect(other.status).toBe(400)
      expect((await other.json()).error).toBe('invalid_request')
      // Told only to the client itself: with a wrong secret, an id that exists and one that does
      // not get the same invalid_client.
      for (const id of ['svc+a', 'nope+a']) {
        const guessed = await grant({ client_id: id }, { authorization: raw(id, 'guess') })
        expect(guessed.status, id).toBe(401)
        expect((await guessed.json()).error, id).toBe('invalid_client')
      }
    })

    test('several scopes, in the order asked, each allowed to the client', async () => {
      const body = await (
        await grant({ scope: 'admin read' }, { authorization: basic('service', f.secrets.service) })
      ).json()
      expect(body.scope).toBe('admin read')
    })

    test.each([
      ['a scope the client may not have', 'write'],
      ['an unknown scope', 'delete'],
      ['one allowed and one not', 'read write'],
      ['a malformed scope', 'read "quoted"'],
    ])('invalid_scope for %s', async (_, scope) => {
      const response = await grant(
        { scope },
        { authorization: basic('service', f.secrets.service) },
      )
      expect(response.status).toBe(400)
      expect((await response.json()).error).toBe('invalid_scope')
    })

    test('RFC 8707: a resource binds the audience; several give an audience array', async () => {
      const auth = { authorization: basic('service', f.secrets.service) }
      const one = await (await grant({ resource: 'https://api.example.com' }, auth)).json()
      expect(claimsOf(one.access_token).aud).toBe('https://api.example.com')
      const two = await (
        await grant({ resource: ['https://api.example.com', 'https://other.example.com'] }, auth)
      ).json()
      expect(claimsOf(two.access_token).aud).toEqual([
        'https://api.example.com',
        'https://other.example.com',
      ])
      // A token for another resource server is not accepted by this API (audience = issuer).
      expect((await f.send('/api/read', bearer(one.access_token))).status).toBe(401)
    })

    test('RFC 8707: an origin-only resource may come with its slash; the token names it as configured', async () => {
      // What a client sends after passing RFC 9728 metadata's `resource` through a URL parser.
      const auth = { authorization: basic('service', f.secrets.service) }
      const response = await grant({ resource: 'https://api.example.com/' }, auth)
      expect(response.status).toBe(200)
      expect(claimsOf((await response.json()).access_token).aud).toBe('https://api.example.com')
      const both = await grant(
        { resource: ['https://api.example.com/', 'https://api.example.com'] },
        auth,
      )
      expect(claimsOf((await both.json()).access_token).aud).toBe('https://api.example.com')
      for (const resource of ['https://api.example.com//', 'https://api.example.com/x']) {
        const refused = await grant({ resource }, auth)
        expect((await refused.json()).error).toBe('invalid_target')
      }
    })

    test('RFC 8707: the scheme and host in any case, a default port: the resource as configured', async () => {
      // RFC 3986 §6.2.2.1 and §6.2.3: the same URI, as a client may spell it.
      const auth = { authorization: basic('service', f.secrets.service) }
      for (const resource of [
        'HTTPS://API.example.com',
        'https://Api.Example.Com/',
        'https://api.example.com:443',
        'https://api.example.com:',
      ]) {
        const response = await grant({ resource }, auth)
        expect(response.status, resource).toBe(200)
        expect(claimsOf((await response.json()).access_token).aud).toBe('https://api.example.com')
      }
      // The path is case-sensitive, and another port is another resource; what only a URL parser
      // would rewrite (dot segments, a backslash, a space, a full-width letter) is not the same URI.
      for (const resource of [
        'https://api.example.com/API',
        'https://api.example.com:8443',
        'https://api.example.com/x/..',
        'https://api.example.com\\',
        'https://api.example.com /',
        'https://api.ｅxample.com',
        'https://user@api.example.com',
      ]) {
        const refused = await grant({ resource }, auth)
        expect((await refused.json()).error, resource).toBe('invalid_target')
      }
      // Percent-encodings in either case, and unreserved characters encoded or not (§6.2.2.1–2).
      await f.close()
      f = await openFixture(transport, store, {
        resources: ['https://api.example.com/caf%C3%A9/~v1'],
      })
      const service = { authorization: basic('service', f.secrets.service) }
      for (const resource of [
        'https://api.example.com/caf%c3%a9/~v1',
        'https://API.example.com/caf%C3%A9/%7Ev1',
      ]) {
        const response = await grant({ resource }, service)
        expect(response.status, resource).toBe(200)
        expect(claimsOf((await response.json()).access_token).aud).toBe(
          'https://api.example.com/caf%C3%A9/~v1',
        )
      }
    })

    test.each([
      ['not served here', 'https://elsewhere.example.com'],
      ['not absolute', '/api'],
      ['with a fragment', 'https://api.example.com#x'],
    ])('invalid_target for a resource %s', async (_, resource) => {
      const response = await grant(
        { resource },
        { authorization: basic('service', f.secrets.service) },
      )
      expect(response.status).toBe(400)
      expect((await response.json()).error).toBe('invalid_target')
    })

    test.each([
      ['a wrong secret (Basic)', { authorization: basic('service', 'wrong') }, {}],
      ['a wrong secret (post)', {}, { client_id: 'service', client_secret: 'wrong' }],
      ['an unknown client (Basic)', { authorization: basic('nobody', 'secret') }, {}],
      ['an unknown client (post)', {}, { client_id: 'nobody', client_secret: 'secret' }],
      ['no credentials at all', {}, {}],
      ['a confidential client without its secret', {}, { client_id: 'service' }],
      ['a public client sending a secret', {}, { client_id: 'spa', client_secret: 'x' }],
      ['a malformed Basic header', { authorization: 'Basic !!!' }, {}],
      ['Basic without a colon', { authorization: `Basic ${btoa('service')}` }, {}],
      ['another scheme', { authorization: 'Bearer abc' }, {}],
    ])('invalid_client (401 with a Basic challenge) for %s', async (_, headers, fields) => {
      const response = await grant(fields, headers)
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe(`Basic realm="${ISSUER}"`)
      expect(response.headers.get('cache-control')).toBe('no-store')
      const body = await response.json()
      expect(body.error).toBe('invalid_client')
      // Nothing of the credentials comes back.
      expect(JSON.stringify(body)).not.toMatch(/wrong|nobody|secret"/)
    })

    test('two authentication methods at once are invalid_request', async () => {
      const response = await grant(
        { client_secret: f.secrets.service },
        { authorization: basic('service', f.secrets.service) },
      )
      expect(response.status).toBe(400)
      expect((await response.json()).error).toBe('invalid_request')
    })

    test('a client_id that differs from the Basic credentials is invalid_request', async () => {
      const response = await grant(
        { client_id: 'web' },
        { authorization: basic('service', f.secrets.service) },
      )
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'The client_id parameter does not match the credentials',
      })
    })

    test('a client not registered for the grant is unauthorized_client', async () => {
      const response = await grant({}, { authorization: basic('web', f.secrets.web) })
      expect(response.status).toBe(400)
      expect((await response.json()).error).toBe('unauthorized_client')
    })

    test('a public client cannot use client_credentials', async () => {
      // Registered for it by hand in the store (the admin refuses that): the grant still refuses.
      await f.store.createClient({
        id: 'public-cc',
        secretHash: null,
        name: null,
        grantTypes: ['client_credentials'],
        redirectUris: [],
        scopes: ['read'],
        createdAt: 0,
      })
      const response = await grant({ client_id: 'public-cc' })
      expect(response.status).toBe(400)
      expect((await response.json()).error).toBe('unauthorized_client')
    })

    test('a default scope the client may not have is invalid_scope, not an empty scope', async () => {
      // RFC 6749 §3.3: the default, or a failure indicating an invalid scope.
      const { clientSecret } = await f.server.admin.createClient({
        id: 'admin-only',
        grantTypes: ['client_credentials'],
        scopes: ['admin'],
      })
      const response = await grant(
        {},
        { authorization: basic('admin-only', clientSecret as string) },
      )
      expect(response.status).toBe(400)
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(await response.json()).toEqual({
        error: 'invalid_scope',
        error_description: 'No default scope is one this client or user may have',
      })
    })
  },
)
