import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import {
  basic,
  type Fixture,
  matrix,
  openFixture,
  postForm,
} from './helpers/authorization-server.js'

const ENDPOINTS = ['/token', '/revoke', '/introspect'] as const

describe.each(matrix)('bad input to the endpoints ($name)', ({ transport, store }) => {
  let f: Fixture
  beforeEach(async () => {
    f = await openFixture(transport, store, { bodyLimit: 2048 })
  })
  afterEach(async () => {
    // Never a 500: nothing was logged.
    expect(f.logs).toEqual([])
    await f.close()
  })

  const auth = () => ({ authorization: basic('service', f.secrets.service) })
  const expectError = async (response: Response, status: number, error: string) => {
    expect(response.status).toBe(status)
    const body = await response.json()
    expect(body.error).toBe(error)
    expect(Object.keys(body).sort()).toEqual(['error', 'error_description'])
    // RFC 6749 §5.2: printable ASCII without `"` and `\`.
    expect(body.error_description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/)
    return body.error_description as string
  }

  describe.each(ENDPOINTS)('%s', (path) => {
    test('JSON instead of a form is invalid_request, not a 422', async () => {
      const response = await f.send(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth() },
        body: JSON.stringify({ grant_type: 'client_credentials', token: 'x' }),
      })
      expect(await expectError(response, 400, 'invalid_request')).toBe(
        'The request body must be application/x-www-form-urlencoded',
      )
    })

    test('a compressed body is invalid_request with 415, not read as the form', async () => {
      const response = await f.send(path, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-encoding': 'gzip',
          ...auth(),
        },
        body: 'grant_type=client_credentials&token=x',
      })
      expect(await expectError(response, 415, 'invalid_request')).toBe(
        'The request body must not be compressed',
      )
    })

    test('no content type, or multipart, is invalid_request', async () => {
      const bare = await f.send(path, { method: 'POST', headers: auth(), body: 'token=x' })
      await expectError(bare, 400, 'invalid_request')
      const form = new FormData()
      form.set('grant_type', 'client_credentials')
      form.set('token', 'x')
      const multipart = await f.send(path, { method: 'POST', headers: auth(), body: form })
      await expectError(multipart, 400, 'invalid_request')
    })

    test('an empty body is invalid_request', async () => {
      await expectError(await postForm(f.send, path, '', auth()), 400, 'invalid_request')
    })

    test('a repeated parameter is invalid_request naming it', async () => {
      const name = path === '/token' ? 'scope' : 'token'
      const response = await postForm(
        f.send,
        path,
        `grant_type=client_credentials&${name}=read&${name}=read`,
        auth(),
      )
      expect(await expectError(response, 400, 'invalid_request')).toBe(
        `The ${name} parameter is repeated`,
      )
    })

    test('a body over the limit is 413 before it is read, as an OAuth 2.0 error', async () => {
      const response = await postForm(f.send, path, `token=${'x'.repeat(4096)}`, auth())
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(await expectError(response, 413, 'invalid_request')).toBe(
        'The request body is too large',
      )
    })

    test.each(['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])(
      '%s is 405 with Allow: POST, no-store and an RFC 6749 §5.2 body',
      async (method) => {
        const response = await f.send(path, { method })
        expect(response.status).toBe(405)
        expect(response.headers.get('allow')).toBe('POST')
        expect(response.headers.get('cache-control')).toBe('no-store')
        expect(await expectError(response, 405, 'invalid_request')).toBe(
          'This endpoint accepts POST requests only',
        )
      },
    )

    test('HEAD is 405 with Allow: POST and no body', async () => {
      const response = await f.send(path, { method: 'HEAD' })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('POST')
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(await response.text()).toBe('')
    })

    test.each(['PROPFIND', 'QUERY'])(
      "%s gets the app's 405, whose Allow is POST too (RFC 9110 §10.2.1)",
      async (method) => {
        const response = await f.send(path, { method })
        expect(response.status).toBe(405)
        expect(response.headers.get('allow')).toBe('POST')
        await response.body?.cancel()
      },
    )
  })

  test('unknown parameters are ignored (RFC 6749 §3.1), even when repeated', async () => {
    const response = await postForm(
      f.send,
      '/token',
      'grant_type=client_credentials&foo=1&foo=2&nonce=x',
      auth(),
    )
    expect(response.status).toBe(200)
    await response.body?.cancel()
  })

  test('empty values count as omitted (RFC 6749 §3.1)', async () => {
    const response = await postForm(
      f.send,
      '/token',
      'grant_type=client_credentials&scope=',
      auth(),
    )
    expect((await response.json()).scope).toBe('read')
  })

  test.each([
    ['no grant_type', 'scope=read', 'invalid_request'],
    ['grant_type repeated', 'grant_type=client_credentials&grant_type=password', 'invalid_request'],
    [
      'an unknown grant_type',
      'grant_type=urn:ietf:params:oauth:grant-type:device_code',
      'unsupported_grant_type',
    ],
    ['the implicit "grant"', 'grant_type=token', 'unsupported_grant_type'],
    ['a prototype key as grant_type', 'grant_type=__proto__', 'unsupported_grant_type'],
    ['scope repeated', 'grant_type=client_credentials&scope=read&scope=admin', 'invalid_request'],
  ])('%s → %s', async (_, body, error) => {
    await expectError(await postForm(f.send, '/token', body, auth()), 400, error)
  })

  test('the grant type is checked before the client: no client needed to learn it is unknown', async () => {
    await expectError(
      await postForm(f.send, '/token', 'grant_type=magic'),
      400,
      'unsupported_grant_type',
    )
  })

  test('a repeated resource is fine: RFC 8707 allows several', async () => {
    const response = await postForm(
      f.send,
      '/token',
      'grant_type=client_credentials&resource=https://api.example.com&resource=https://other.example.com',
      auth(),
    )
    expect(response.status).toBe(200)
    await response.body?.cancel()
  })

  test('non-UTF-8 and odd percent-encoding do not crash the form reader', async () => {
    const response = await f.send('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth() },
      body: new Uint8Array([
        ...Buffer.from('grant_type=client_credentials&scope=%E0%A4%A&x='),
        0xff,
        0xfe,
      ]),
    })
    await expectError(response, 400, 'invalid_scope')
  })

  test('a huge client id or secret is invalid_client without a lookup', async () => {
    const response = await postForm(f.send, '/token', {
      grant_type: 'client_credentials',
      client_id: 'c'.repeat(1000),
      client_secret: 's',
    })
    await expectError(response, 401, 'invalid_client')
  })

  test('a JSON error body is never a FastAPI detail', async () => {
    const response = await f.send('/token', { method: 'POST' })
    const body = await response.json()
    expect(body.detail).toBeUndefined()
    expect(body.error).toBe('invalid_request')
  })
})
