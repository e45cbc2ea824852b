import { parseOptions } from '@node-rs/argon2'
import bcrypt from 'bcryptjs'
import { ServiceUnavailableError } from 'gatehouse'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { DecoySpec } from '../src/password/hash-pool.js'
import { createPasswordHasher } from '../src/password/index.js'

// The worker pool's calls, observed (not replaced) to see what each path spends: which decoys are
// made and which hashes are verified. `refuseHashes` makes new hashes fail the way a full queue
// does, a race no test can bring about on demand.
const seen = vi.hoisted(() => ({
  decoys: [] as DecoySpec[],
  verified: [] as [algorithm: 'bcrypt' | 'argon2', hash: string, password: string][],
  refuseHashes: false,
}))
vi.mock('../src/password/hash-pool.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/password/hash-pool.js')>()
  const { ServiceUnavailableError } = await import('../src/core/errors/index.js')
  return {
    ...original,
    createHashPool: (...args: Parameters<typeof original.createHashPool>) => {
      const pool = original.createHashPool(...args)
      return {
        ...pool,
        check(algorithm: 'bcrypt' | 'argon2', hash: string, password: string) {
          seen.verified.push([algorithm, hash, password])
          return pool.check(algorithm, hash, password)
        },
        argon2Hash(password: string, options: Readonly<Record<string, number>>) {
          if (seen.refuseHashes) return Promise.reject(new ServiceUnavailableError(1))
          return pool.argon2Hash(password, options)
        },
        decoy(spec: DecoySpec) {
          seen.decoys.push(spec)
          return pool.decoy(spec)
        },
      }
    },
  }
})
beforeEach(() => {
  seen.decoys.length = 0
  seen.verified.length = 0
  seen.refuseHashes = false
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
  it('answers false for unknown users, after a verification of a decoy with the configured costs', async () => {
    const light = createPasswordHasher({ memoryCost: 8192, timeCost: 3 })
    // The first unknown user waits while the decoy is made, which costs what a verification does.
    expect(await light.verify('secret', undefined)).toBe(false)
    expect(seen.decoys).toEqual([
      { options: expect.objectContaining({ algorithm: 2, memoryCost: 8192, timeCost: 3 }) },
    ])
    for (const stored of [undefined, null, 'not a hash']) {
      seen.verified.length = 0
      expect(await light.verify('secret', stored)).toBe(false)
      expect(seen.verified).toHaveLength(1)
      const [algorithm, decoy, password] = seen.verified[0] as [string, string, string]
      expect([algorithm, password]).toEqual(['argon2', 'secret'])
      expect(parseOptions(decoy)).toMatchObject({ memoryCost: 8192, timeCost: 3, parallelism: 1 })
    }
    expect(seen.decoys).toHaveLength(1)
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
    // A hasher that has seen no bcrypt hash: its decoy is Argon2id, which keeps this test quick.
    const argon2Only = createPasswordHasher()
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
      expect(await argon2Only.verify('secret', hash), hash).toBe(false)
      expect(argon2Only.needsRehash(hash), hash).toBe(true)
      expect(await argon2Only.verifyAndUpdate('secret', hash)).toEqual({
        valid: false,
        newHash: undefined,
      })
    }
    for (const hash of [42, {}, null, undefined] as unknown as string[]) {
      expect(await argon2Only.verify('secret', hash)).toBe(false)
      expect(argon2Only.needsRehash(hash)).toBe(true)
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
      [{ maxQueue: -1 }, '"maxQueue"'],
      [{ maxPasswordLength: 0 }, '"maxPasswordLength"'],
      [{ maxPasswordLength: 1.5 }, '"maxPasswordLength"'],
    ] as const
    for (const [options, name] of cases) expect(() => createPasswordHasher(options)).toThrow(name)
  })
})

describe('unknown users cost as much as the slowest hash the store holds', () => {
  const bcryptDecoys = () =>
    seen.verified.filter(([algorithm, hash]) => algorithm === 'bcrypt' && hash !== JOHNDOE)

  it("copies the tutorial's bcrypt hashes: same algorithm, same cost", async () => {
    const hasher = createPasswordHasher({ storedHashes: [JOHNDOE, ALICE] })
    expect(await hasher.verify('secret', undefined)).toBe(false)
    // One decoy per kind: bcrypt at cost 12 (both users) and the Argon2id hashes `hash()` makes.
    expect(seen.decoys).toHaveLength(2)
    expect(seen.decoys).toContainEqual({ cost: 12 })
    for (const stored of [undefined, 'not a hash', JOHNDOE.replace('$12$', '$17$')]) {
      seen.verified.length = 0
      expect(await hasher.verify('secret', stored)).toBe(false)
      expect(seen.verified).toHaveLength(1)
      const [algorithm, decoy, password] = seen.verified[0] as [string, string, string]
      expect([algorithm, password]).toEqual(['bcrypt', 'secret'])
      expect(decoy).toMatch(/^\$2[aby]\$12\$/)
      expect([JOHNDOE, ALICE]).not.toContain(decoy)
    }
    expect(seen.decoys).toHaveLength(2)
  })

  it('copies the slower kind in a store where some users were upgraded to argon2id', async () => {
    const upgraded = await createPasswordHasher().hash('secret')
    const hasher = createPasswordHasher({ storedHashes: [upgraded, JOHNDOE] })
    await hasher.verify('secret', undefined)
    seen.verified.length = 0
    await hasher.verify('secret', undefined)
    expect(seen.verified.map(([algorithm, hash]) => [algorithm, hash.slice(0, 7)])).toEqual([
      ['bcrypt', '$2b$12$'],
    ])
  })

  it('copies Argon2id when it is the slower kind, timing each kind rather than guessing', async () => {
    const cheapBcrypt = bcrypt.hashSync('secret', 4)
    const hasher = createPasswordHasher({
      memoryCost: 65_536,
      timeCost: 4,
      storedHashes: [cheapBcrypt],
    })
    await hasher.verify('secret', undefined)
    expect(seen.decoys).toContainEqual({ cost: 4 })
    seen.verified.length = 0
    await hasher.verify('secret', undefined)
    expect(seen.verified).toHaveLength(1)
    const [algorithm, decoy] = seen.verified[0] as [string, string, string]
    expect(algorithm).toBe('argon2')
    expect(parseOptions(decoy)).toMatchObject({ memoryCost: 65_536, timeCost: 4 })
  })

  it('learns the kinds of the stored hashes it verifies, and those it is told about', async () => {
    const learning = createPasswordHasher()
    await learning.verify('secret', undefined)
    expect(await learning.verify('wrong', JOHNDOE)).toBe(false)
    // This call waits while the bcrypt decoy is made (a cost-12 hash), and that is its cost.
    await learning.verify('secret', undefined)
    expect(seen.decoys).toContainEqual({ cost: 12 })
    seen.verified.length = 0
    await learning.verify('secret', undefined)
    expect(bcryptDecoys().map(([, hash]) => hash.slice(0, 7))).toEqual(['$2b$12$'])

    const told = createPasswordHasher()
    told.noteStoredHashes(['garbage', 42 as unknown as string, ALICE])
    await told.verify('secret', undefined)
    seen.verified.length = 0
    await told.verify('secret', undefined)
    expect(bcryptDecoys()).toHaveLength(1)
  })
})

describe('wrong passwords cost the same, whatever kind of hash the user has', () => {
  it('holds back a failed argon2id check until it has cost what a bcrypt one does', async () => {
    const hasher = createPasswordHasher({ storedHashes: [JOHNDOE] })
    const upgraded = await hasher.hash('secret')
    await hasher.verify('warm-up', undefined)
    // Interleaved runs see the same machine load; the fastest of each is the least noisy.
    const fastest = { bcrypt: Infinity, argon2idWrong: Infinity, argon2idRight: Infinity }
    const time = async (name: keyof typeof fastest, password: string, stored: string) => {
      const started = performance.now()
      await hasher.verify(password, stored)
      fastest[name] = Math.min(fastest[name], performance.now() - started)
    }
    for (let i = 0; i < 5; i++) {
      await time('bcrypt', 'wrong', JOHNDOE)
      await time('argon2idWrong', 'wrong', upgraded)
      await time('argon2idRight', 'secret', upgraded)
    }
    // Unpadded, an argon2id check takes a twentieth of a cost-12 bcrypt one.
    expect(fastest.argon2idWrong).toBeGreaterThan(fastest.bcrypt * 0.5)
    // A right password tells an attacker nothing new: it is answered at once.
    expect(fastest.argon2idRight).toBeLessThan(fastest.bcrypt * 0.5)
  })
})

describe('bounds', () => {
  it('refuses over-long passwords before any hashing', async () => {
    const hasher = createPasswordHasher()
    const long = 'x'.repeat(1025)
    expect(await hasher.verify(long, JOHNDOE)).toBe(false)
    expect(await hasher.verify(long, undefined)).toBe(false)
    expect(await hasher.verifyAndUpdate(long, JOHNDOE)).toEqual({
      valid: false,
      newHash: undefined,
    })
    expect(seen.verified).toEqual([])
    expect(seen.decoys).toEqual([])
    await expect(hasher.hash(long)).rejects.toThrow(RangeError)
    // 1024 characters are still a password.
    const longest = 'x'.repeat(1024)
    expect(await hasher.verify(longest, await hasher.hash(longest))).toBe(true)

    const short = createPasswordHasher({ maxPasswordLength: 8 })
    await expect(short.hash('123456789')).rejects.toThrow('longer than 8 characters')
    expect(await short.verify('123456789', await short.hash('12345678'))).toBe(false)
  })

  it('refuses calls beyond a full queue with a ServiceUnavailableError', async () => {
    const hasher = createPasswordHasher({ workers: 1, maxQueue: 1 })
    const settled = await Promise.allSettled([
      hasher.verify('secret', JOHNDOE),
      hasher.verify('wrong', JOHNDOE),
      hasher.verify('secret', ALICE),
    ])
    expect(settled.slice(0, 2)).toEqual([
      { status: 'fulfilled', value: true },
      { status: 'fulfilled', value: false },
    ])
    expect(settled[2]).toMatchObject({ status: 'rejected', reason: { status: 503 } })
    expect((settled[2] as PromiseRejectedResult).reason).toBeInstanceOf(ServiceUnavailableError)
  })

  it('still logs in when the upgrade of an old hash is refused, and upgrades later', async () => {
    const hasher = createPasswordHasher()
    seen.refuseHashes = true
    expect(await hasher.verifyAndUpdate('secret', JOHNDOE)).toEqual({
      valid: true,
      newHash: undefined,
    })
    seen.refuseHashes = false
    expect((await hasher.verifyAndUpdate('secret', JOHNDOE)).newHash).toMatch(/^\$argon2id\$/)
  })
})
