import { createJWTCodec, isInvalidTokenError } from 'gatehouse'
import { describe, expect, test } from 'vitest'

const secret = 'verified-cache-test-secret-0123456789abcdef'

function clockedCodec(cacheSize?: number) {
  let now = 1_800_000_000
  const codec = createJWTCodec({
    secret,
    now: () => now,
    ...(cacheSize === undefined ? {} : { cacheSize }),
  })
  const advance = (seconds: number): void => {
    now += seconds
  }
  return { codec, advance }
}

describe('the verified-token cache', () => {
  test('a token verified once is answered from the cache, frozen', async () => {
    const { codec } = clockedCodec()
    const token = await codec.sign({ sub: 'ada', scopes: ['read'] }, { expiresIn: 60 })
    const first = await codec.verify(token)
    const second = await codec.verify(token)
    expect(second).toBe(first)
    expect(Object.isFrozen(first)).toBe(true)
    expect(Object.isFrozen(first.scopes)).toBe(true)
  })

  test('nested claims of a cached token are frozen too, so no request changes them for the next', async () => {
    const { codec } = clockedCodec()
    const token = await codec.sign(
      { sub: 'ada', groups: ['staff'], realm_access: { roles: ['user'] } },
      { expiresIn: 60 },
    )
    const first = await codec.verify(token)
    const roles = (first.payload.realm_access as { roles: string[] }).roles
    expect(() => roles.push('admin')).toThrow(TypeError)
    expect(() => (first.payload.groups as string[]).push('admins')).toThrow(TypeError)
    const second = await codec.verify(token)
    expect(second.payload.realm_access).toEqual({ roles: ['user'] })
    expect(second.payload.groups).toEqual(['staff'])
  })

  test('a cached token still expires with its exp', async () => {
    const { codec, advance } = clockedCodec()
    const token = await codec.sign({ sub: 'ada' }, { expiresIn: 60 })
    await codec.verify(token)
    advance(61)
    const error = await codec.verify(token).catch((e: unknown) => e)
    expect(isInvalidTokenError(error) && error.code).toBe('token_expired')
  })

  test('failures are never cached, and a changed byte is a different key', async () => {
    const { codec } = clockedCodec()
    const token = await codec.sign({ sub: 'ada' }, { expiresIn: 60 })
    await codec.verify(token)
    const last = token.at(-1) === 'A' ? 'B' : 'A'
    const tampered = token.slice(0, -1) + last
    await expect(codec.verify(tampered)).rejects.toThrow()
    await expect(codec.verify(tampered)).rejects.toThrow()
  })

  test('bounded: the oldest entry is dropped, and cacheSize 0 turns it off', async () => {
    const small = clockedCodec(2).codec
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((sub) => small.sign({ sub })))
    const firstA = await small.verify(a as string)
    await small.verify(b as string)
    await small.verify(c as string)
    expect(await small.verify(a as string)).not.toBe(firstA)
    expect(await small.verify(c as string)).toBe(await small.verify(c as string))

    const off = clockedCodec(0).codec
    const token = await off.sign({ sub: 'ada' })
    expect(await off.verify(token)).not.toBe(await off.verify(token))
    expect(() => createJWTCodec({ secret, cacheSize: -1 })).toThrow(TypeError)
  })
})
