import { hashSync, parseOptions } from '@node-rs/argon2'
import { describe, expect, test } from 'vitest'
import { parsePHC } from '../src/password/argon2.js'

describe('reading Argon2 PHC strings without the native code', () => {
  test('gives what @node-rs/argon2 parseOptions gives, for hashes of every kind', () => {
    const hashes = [
      hashSync('secret', { algorithm: 2 }),
      hashSync('secret', { algorithm: 1, memoryCost: 4096, timeCost: 3, parallelism: 2 }),
      hashSync('secret', { algorithm: 0, outputLen: 64, salt: new Uint8Array(24).fill(7) }),
      '$argon2i$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo',
      '$argon2id$v=16$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaA',
    ]
    for (const hash of hashes) expect(parsePHC(hash), hash).toEqual({ ...parseOptions(hash) })
  })

  test('refuses what is not a PHC string', () => {
    for (const hash of [
      'nope',
      '$argon2id$v=19$m=x,t=3,p=1$a$b',
      '$argon2id$v=20$m=1,t=1,p=1$YWFh$YWFh',
      '$2b$12$abc',
      '$argon2id$v=19$m=1,t=1,p=1$a$YWFh',
    ])
      expect(parsePHC(hash), hash).toBeUndefined()
  })
})
