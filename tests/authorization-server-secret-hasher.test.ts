import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import {
  randomSecret,
  secretHasherFromKey,
} from '../src/authorization-server/keys/secret-hasher.js'

// A client secret that matched once is remembered (as a plain SHA-256 under its stored hash) so
// the next request skips the HMAC: what is remembered must never let anything else match.
describe('the secret hasher remembers verified client secrets', () => {
  const hasher = secretHasherFromKey(randomBytes(32))
  const secret = randomSecret()
  const stored = hasher.hash('client-secret', secret)

  test('the right secret matches again and again, a wrong one never does', () => {
    for (let i = 0; i < 3; i++) expect(hasher.matches('client-secret', secret, stored)).toBe(true)
    for (const wrong of ['', secret.slice(1), `${secret}x`, secret.toUpperCase(), randomSecret()])
      expect(hasher.matches('client-secret', wrong, stored), wrong).toBe(false)
    expect(hasher.matches('client-secret', secret, stored)).toBe(true)
  })

  test('a remembered secret matches only its own stored hash', () => {
    const other = randomSecret()
    const otherStored = hasher.hash('client-secret', other)
    expect(hasher.matches('client-secret', other, otherStored)).toBe(true)
    expect(hasher.matches('client-secret', secret, otherStored)).toBe(false)
    expect(hasher.matches('client-secret', other, stored)).toBe(false)
  })

  test('another purpose never matches through it, and nothing is remembered for others', () => {
    expect(hasher.matches('client-secret', secret, stored)).toBe(true)
    expect(hasher.matches('refresh-token', secret, stored)).toBe(false)
    const code = randomSecret()
    const codeHash = hasher.hash('code', code)
    expect(hasher.matches('code', code, codeHash)).toBe(true)
    expect(hasher.matches('client-secret', code, codeHash)).toBe(false)
  })

  test('another key (another store) never matches a hash made under this one', () => {
    const elsewhere = secretHasherFromKey(randomBytes(32))
    expect(elsewhere.matches('client-secret', secret, stored)).toBe(false)
  })

  test('past the bound, the oldest are forgotten and still verify by their HMAC', () => {
    const first = randomSecret()
    const firstStored = hasher.hash('client-secret', first)
    expect(hasher.matches('client-secret', first, firstStored)).toBe(true)
    for (let i = 0; i < 1_100; i++) {
      const each = randomSecret()
      expect(hasher.matches('client-secret', each, hasher.hash('client-secret', each))).toBe(true)
    }
    expect(hasher.matches('client-secret', first, firstStored)).toBe(true)
    expect(hasher.matches('client-secret', randomSecret(), firstStored)).toBe(false)
  })
})
