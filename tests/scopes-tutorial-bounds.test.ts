import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createScopesApp } from '../examples/scopes/app.js'
import { DEVELOPMENT_SECRET_KEY } from '../examples/scopes/config.js'
import { openSQLiteUserStore, seedUsers } from '../examples/scopes/users.js'
import { type Send, transports } from './helpers/http.js'
import { login } from './helpers/scopes-app.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-scopes-bounds-'))
const users = openSQLiteUserStore(join(dir, 'users.db'))
const app = createScopesApp({ secretKey: DEVELOPMENT_SECRET_KEY, users })
afterAll(() => {
  users.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the tutorial store', () => {
  it('lists its kinds of password hash, for the decoy that unknown users are checked against', () => {
    expect([...users.storedHashes()].sort()).toEqual(
      seedUsers.map((user) => user.hashed_password).sort(),
    )
  })
})

describe.each(transports)('POST /token bounds in the tutorial ($name)', (transport) => {
  let send: Send
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ send, close } = await transport.open(app))
  })
  afterAll(() => close())

  it('issues each requested scope once', async () => {
    const response = await login(send, 'johndoe', 'secret', 'me me items items me')
    expect(response.status).toBe(200)
    const { access_token } = await response.json()
    expect(decodeJwt(access_token).scopes).toEqual(['me', 'items'])
  })

  it('refuses 10,000 repeated scopes (a 66 KB token once) before it signs anything', async () => {
    // 30 KB of form: over the route's 16 KiB limit.
    const huge = await login(send, 'johndoe', 'secret', Array(10_000).fill('me').join(' '))
    expect(huge.status).toBe(413)
    // 9 KB: within the limit, over the form's bound on the scope field.
    const long = await login(send, 'johndoe', 'secret', Array(3_000).fill('me').join(' '))
    expect(long.status).toBe(422)
    expect((await long.json()).detail[0]).toMatchObject({ loc: ['body', 'scope'] })
  })

  it('answers 422 for an over-long password and 413 for a megabyte one', async () => {
    const long = await login(send, 'johndoe', 'x'.repeat(1025))
    expect(long.status).toBe(422)
    expect((await long.json()).detail[0]).toMatchObject({ loc: ['body', 'password'] })
    const huge = await login(send, 'johndoe', 'x'.repeat(1_000_000))
    expect(huge.status).toBe(413)
    expect(await huge.json()).toEqual({ detail: 'Request body is too large' })
  })
})
