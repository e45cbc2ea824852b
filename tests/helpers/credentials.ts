import { expect } from 'vitest'

/** Two `Authorization` header lines, as a raw client or a proxy may send them. */
export function twoAuthorizations(first: string, second: string): RequestInit {
  return {
    headers: [
      ['authorization', first],
      ['authorization', second],
    ],
  }
}

/**
 * The safe answer to two `Authorization` headers, whichever engine serves the app: `app.fetch`
 * sees them joined with ", " and `serve()` sees the first, so neither may be taken as the
 * credentials. Expect 400 with a JSON `detail` that repeats none of `secrets`.
 */
export async function expectAmbiguousCredentialsRefused(
  response: Response,
  ...secrets: string[]
): Promise<void> {
  const text = await response.text()
  // Status and body in one string, so a failure shows what was answered instead.
  expect(`${response.status} ${text}`).toMatch(/^400 /)
  expect(response.headers.get('content-type')).toBe('application/json')
  expect(JSON.parse(text)).toMatchObject({ detail: expect.any(String) })
  for (const secret of secrets) expect(text).not.toContain(secret)
}
