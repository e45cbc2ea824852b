import { describe, expect, test } from 'vitest'
import { basic, matrix, openFixture, postForm } from './helpers/authorization-server.js'

// A shutdown that closes the store before the last requests are answered: they are told to retry
// (503 with Retry-After), never a 500, and the OAuth endpoints answer in the shape of their other
// errors (RFC 6749 §5.2), never cached.
describe.each(matrix)('requests after the store was closed ($name)', ({ transport, store }) => {
  test('the OAuth endpoints answer 503 temporarily_unavailable, the API a plain 503', async () => {
    const f = await openFixture(transport, store)
    try {
      const auth = { authorization: basic('web', f.secrets.web) }
      const issued = await postForm(
        f.send,
        '/token',
        { grant_type: 'password', username: 'ada', password: 'ada-password', scope: 'read' },
        auth,
      )
      expect(issued.status).toBe(200)
      const tokens = (await issued.json()) as { access_token: string; refresh_token: string }
      await f.store.close()

      const unavailable = {
        error: 'temporarily_unavailable',
        error_description: 'The server cannot answer now; retry in 1 second',
      }
      const answers = [
        await postForm(f.send, '/revoke', { token: tokens.refresh_token }, auth),
        await postForm(f.send, '/introspect', { token: tokens.refresh_token }, auth),
        await postForm(
          f.send,
          '/token',
          { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
          auth,
        ),
        await postForm(
          f.send,
          '/token',
          { grant_type: 'password', username: 'bob', password: 'bob-password' },
          auth,
        ),
      ]
      for (const answer of answers) {
        expect(answer.status).toBe(503)
        expect(answer.headers.get('retry-after')).toBe('1')
        expect(answer.headers.get('cache-control')).toBe('no-store')
        expect(await answer.json()).toEqual(unavailable)
      }
      const api = await f.send('/api/read', {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      })
      expect(api.status).toBe(503)
      expect(api.headers.get('retry-after')).toBe('1')
      expect(await api.json()).toEqual({ detail: 'The database is closed' })
      // Nothing the client sent is in the logs.
      const logged = JSON.stringify(f.logs, (_key, value) =>
        value instanceof Error ? { message: value.message, stack: value.stack } : value,
      )
      for (const secret of [tokens.refresh_token, tokens.access_token, f.secrets.web])
        expect(logged).not.toContain(secret)
    } finally {
      await f.close()
    }
  })
})
