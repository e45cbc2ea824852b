import bcrypt from 'bcryptjs'
import { createPasswordHasher, type PasswordHasher } from 'gatehouse'
import { afterEach, describe, expect, test } from 'vitest'
import {
  basic,
  type Fixture,
  matrix,
  openFixture,
  postForm,
} from './helpers/authorization-server.js'

/**
 * A real hasher that records, in order, the hash kinds it is told about and the hashes it checks
 * (`undefined`: the decoy an unknown user is checked against).
 */
function recordingHasher() {
  const base = createPasswordHasher({ memoryCost: 1024, timeCost: 1, workers: 1 })
  const events: (['noted', string] | ['checked', string | null | undefined])[] = []
  const hasher: PasswordHasher = {
    ...base,
    noteStoredHashes(hashes) {
      const list = [...hashes]
      for (const hash of list) events.push(['noted', hash])
      base.noteStoredHashes(list)
    },
    verify(password, hash) {
      events.push(['checked', hash])
      return base.verify(password, hash)
    },
    verifyAndUpdate(password, hash) {
      events.push(['checked', hash])
      return base.verifyAndUpdate(password, hash)
    },
  }
  return { hasher, events }
}

// A failed login must take as long whoever the user is. Two ways it did not: a fresh process knew
// only Argon2id, so a user with a legacy bcrypt hash answered far more slowly than an unknown one
// until its first bcrypt check; and a disabled user's right password was checked for real and not
// padded, so it answered faster than a wrong one, confirming an offboarded account's password.
describe.each(matrix)('password checks that tell nothing ($name)', ({ transport, store }) => {
  let f: Fixture
  afterEach(async () => {
    expect(f.logs).toEqual([])
    await f.close()
  })

  const login = (username: string, password: string) =>
    postForm(
      f.send,
      '/token',
      { grant_type: 'password', username, password, scope: 'read' },
      { authorization: basic('narrow', f.secrets.narrow) },
    )

  test("the store's hash kinds are known before the first check", async () => {
    const { hasher, events } = recordingHasher()
    f = await openFixture(transport, store, { passwords: hasher })
    const legacy = bcrypt.hashSync('legacy-password', 4)
    await f.store.createUser({
      id: 'legacy',
      username: 'legacy',
      passwordHash: legacy,
      scopes: ['read'],
      disabled: false,
      createdAt: 1_800_000_000,
    })
    const answer = await login('nobody', 'guess')
    expect(answer.status).toBe(400)
    expect(await answer.json()).toMatchObject({ error: 'invalid_grant' })
    const firstCheck = events.findIndex(([what]) => what === 'checked')
    expect(events[firstCheck]).toEqual(['checked', undefined])
    const notedBefore = events.slice(0, firstCheck).map(([, hash]) => hash)
    expect(notedBefore).toContain(legacy)
  })

  test("a disabled user's password is checked against the decoy, right or wrong", async () => {
    const { hasher, events } = recordingHasher()
    f = await openFixture(transport, store, { passwords: hasher })
    const eve = await f.store.findUserById(f.users.eve)
    for (const password of ['eve-password', 'wrong']) {
      events.length = 0
      const answer = await login('eve', password)
      expect(answer.status).toBe(400)
      expect(await answer.json()).toMatchObject({ error: 'invalid_grant' })
      // Eve's own hash is only noted (so the decoy is as slow as it), never checked.
      expect(events).toContainEqual(['noted', eve?.passwordHash])
      expect(events.filter(([what]) => what === 'checked')).toEqual([['checked', undefined]])
    }
    // An active user's hash is checked for real.
    events.length = 0
    expect((await login('bob', 'bob-password')).status).toBe(200)
    const bob = await f.store.findUserById(f.users.bob)
    expect(events).toContainEqual(['checked', bob?.passwordHash])
  })
})
