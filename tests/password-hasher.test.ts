import { parseOptions } from '@node-rs/argon2'
import bcrypt from 'bcryptjs'
import { describe, expect, it, vi } from 'vitest'
import { createPasswordHasher } from '../src/password/index.js'

// Argon2 verification in the worker pool, observed (not replaced) to see what the unknown-user
// path spends.
const argon2Verify = vi.hoisted(() => vi.fn())
vi.mock('../src/password/hash-pool.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/password/hash-pool.js')>()
  return {
    ...original,
    createHashPool: (...args: Parameters<typeof original.createHashPool>) => {
      const pool = original.createHashPool(...args)
      return {
        ...pool,
        argon2Verify: (hash: string, password: string) => {
          argon2Verify(hash, password)
          return pool.argon2Verify(hash, password)
        },
      }
    },
  }
})

// From FastAPI's OAuth2 scopes tutorial (fake_users_db).
const JOHNDOE = '$2b$12$EixZaYVK1fsbw1ZfbX3OXePaWxn96p36WQoeG6Lruj3vjPGga31lW'
const ALICE = '$2b$12$gSvqqUPvlXP2tfVFaWK1Be7DlH.PKZbv5H8KnzzVgXXbVxpva.pFm'

const passwords = createPasswordHasher()

describe('argon2id', () => {
  it('hashes with the configured costs and verifies', async () => {
    const hash = await passwords.hash('secret')
    expect(hash).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    )
    expect(await passwords.hash('secret')).not.toBe(hash)
    expect(await passwords.verify('secret', hash)).toBe(true)
    expect(await passwords.verify('Secret', hash)).toBe(false)
    expect(await passwords.verify('', hash)).toBe(false)
    expect(passwords.needsRehash(hash)).toBe(false)
  })

  it('verifies hashes made with other costs, and wants them rehashed', async () => {
    const light = createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 2 })
    const hash = await light.hash('secret')
    expect(hash).toContain('$m=8192,t=1,p=2$')
    expect(await passwords.verify('secret', hash)).toBe(true)
    expect(passwords.needsRehash(hash)).toBe(true)
    expect(light.needsRehash(hash)).toBe(false)
    const { valid, newHash } = await passwords.verifyAndUpdate('secret', hash)
    expect(valid).toBe(true)
    expect(newHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  })

  it('keeps an up-to-date hash and gives nothing for a wrong password', async () => {
    const hash = await passwords.hash('secret')
    expect(await passwords.verifyAndUpdate('secret', hash)).toEqual({
      valid: true,
      newHash: undefined,
    })
    expect(await passwords.verifyAndUpdate('wrong', hash)).toEqual({
      valid: false,
      newHash: undefined,
    })
    expect(await passwords.verifyAndUpdate('wrong', JOHNDOE)).toEqual({
      valid: false,
      newHash: undefined,
    })
  })
})

describe('bcrypt', () => {
  it("verifies the tutorial's hashes", async () => {
    expect(await passwords.verify('secret', JOHNDOE)).toBe(true)
    expect(await passwords.verify('secretalice', ALICE)).toBe(true)
    expect(await passwords.verify('secret', ALICE)).toBe(false)
    expect(await passwords.verify('secretalice', JOHNDOE)).toBe(false)
  })

  it('verifies $2a$, $2b$ and $2y$', async () => {
    const hash = bcrypt.hashSync('hunter2', 4)
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      const variant = prefix + hash.slice(4)
      expect(await passwords.verify('hunter2', variant)).toBe(true)
      expect(await passwords.verify('hunter3', variant)).toBe(false)
      expect(passwords.needsRehash(variant)).toBe(true)
    }
  })

  it('upgrades a bcrypt hash to argon2id on login', async () => {
    const { valid, newHash } = await passwords.verifyAndUpdate('secret', JOHNDOE)
    expect(valid).toBe(true)
    expect(newHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(await passwords.verify('secret', newHash)).toBe(true)
    expect(passwords.needsRehash(newHash)).toBe(false)
  })
})

describe('bad input', () => {
  it('answers false for unknown users, after a real verification with the configured costs', async () => {
    const light = createPasswordHasher({ memoryCost: 8192, timeCost: 3 })
    const spy = argon2Verify
    for (const stored of [undefined, null, 'not a hash']) {
      spy.mockClear()
      expect(await light.verify('secret', stored)).toBe(false)
      expect(spy).toHaveBeenCalledTimes(1)
      const [decoy, password] = spy.mock.calls[0] as [string, string]
      expect(password).toBe('secret')
      expect(parseOptions(decoy)).toMatchObject({ memoryCost: 8192, timeCost: 3, parallelism: 1 })
    }
  })

  it('spends about as long on an unknown user as on a wrong password', async () => {
    const slow = createPasswordHasher({ memoryCost: 32_768, timeCost: 4 })
    const hash = await slow.hash('secret')
    await slow.verify('warm-up', undefined)
    // Interleaved runs see the same machine load; the fastest run of each is the least noisy.
    const fastest = { known: Number.POSITIVE_INFINITY, unknown: Number.POSITIVE_INFINITY }
    for (let i = 0; i < 7; i++) {
      for (const [name, stored] of [
        ['known', hash],
        ['unknown', undefined],
      ] as const) {
        const start = performance.now()
        expect(await slow.verify('wrong', stored)).toBe(false)
        fastest[name] = Math.min(fastest[name], performance.now() - start)
      }
    }
    expect(fastest.unknown).toBeGreaterThan(fastest.known * 0.3)
  })

  it('answers false for unknown and malformed hashes, and wants them replaced', async () => {
    const stored = [
      '',
      'secret',
      '$1$salt$hash',
      '$argon2id$v=19$m=19456,t=2,p=1$abc',
      '$argon2id$v=19$m=19456,t=2,p=1$$',
      '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$!!!',
      // Would ask for 4 TiB of memory: refused before any allocation.
      '$argon2id$v=19$m=4294967295,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG',
      '$argon2id$v=19$m=8,t=4294967295,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG',
      JOHNDOE.slice(0, -1),
      `${JOHNDOE}x`,
      JOHNDOE.replace('$12$', '$03$'),
      JOHNDOE.replace('$12$', '$32$'),
      JOHNDOE.replace('$2b$', '$2x$'),
      JOHNDOE.replace('E', '!'),
    ]
    for (const hash of stored) {
      expect(await passwords.verify('secret', hash), hash).toBe(false)
      expect(passwords.needsRehash(hash), hash).toBe(true)
      expect(await passwords.verifyAndUpdate('secret', hash)).toEqual({
        valid: false,
        newHash: undefined,
      })
    }
    for (const hash of [42, {}, null, undefined] as unknown as string[]) {
      expect(await passwords.verify('secret', hash)).toBe(false)
      expect(passwords.needsRehash(hash)).toBe(true)
    }
  })

  it('throws a TypeError for a password that is not a string', async () => {
    const hash = await passwords.hash('secret')
    for (const password of [undefined, null, 42, ['secret']] as unknown as string[]) {
      await expect(passwords.hash(password)).rejects.toThrow(TypeError)
      await expect(passwords.verify(password, hash)).rejects.toThrow(TypeError)
      await expect(passwords.verify(password, undefined)).rejects.toThrow(TypeError)
      await expect(passwords.verifyAndUpdate(password, JOHNDOE)).rejects.toThrow(TypeError)
    }
  })

  it('throws a TypeError naming a bad option', () => {
    const cases = [
      [{ memoryCost: 0 }, '"memoryCost"'],
      [{ memoryCost: 7 }, '"memoryCost"'],
      [{ timeCost: 1.5 }, '"timeCost"'],
      [{ parallelism: 256 }, '"parallelism"'],
      [{ memoryCost: 8, parallelism: 2 }, '"memoryCost"'],
      [{ workers: 0 }, '"workers"'],
    ] as const
    for (const [options, name] of cases) expect(() => createPasswordHasher(options)).toThrow(name)
  })
})
