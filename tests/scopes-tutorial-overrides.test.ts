import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dependency, SecurityScopes } from 'gatehouse'
import { afterAll, beforeEach, expect, test } from 'vitest'
import { createScopesTutorial } from '../examples/scopes/app.js'
import { DEVELOPMENT_SECRET_KEY } from '../examples/scopes/config.js'
import { openSQLiteUserStore } from '../examples/scopes/users.js'
import { describeEngines } from './helpers/http.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-overrides-'))
const users = openSQLiteUserStore(join(dir, 'users.db'))
const tutorial = createScopesTutorial({ secretKey: DEVELOPMENT_SECRET_KEY, users })
const { app, getCurrentUser } = tutorial
afterAll(() => {
  users.close()
  rmSync(dir, { recursive: true, force: true })
})

// FastAPI's testing idiom: replace the current user, then call protected routes with no token.
const testUser = {
  username: 'testuser',
  email: null,
  full_name: 'Test User',
  disabled: false,
  hashed_password: '',
  allowed_scopes: [],
}
const seen: string[][] = []
const fakeCurrentUser = dependency({ securityScopes: SecurityScopes }, ({ securityScopes }) => {
  seen.push([...securityScopes.scopes])
  return testUser
})

describeEngines('the scopes tutorial with the current user overridden', app, (send) => {
  beforeEach(() => {
    seen.length = 0
    app.dependencyOverrides.clear()
  })

  test('/users/me/items/ answers for the fake user without a token', async () => {
    expect((await send('/users/me/items/')).status).toBe(401)
    app.dependencyOverrides.set(getCurrentUser, fakeCurrentUser)
    const response = await send('/users/me/items/')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual([{ item_id: 'Foo', owner: 'testuser' }])
    // The replacement sees the scopes the original would have been asked for.
    expect(seen).toEqual([['items', 'me']])
  })

  test('the response model still strips what the fake user carries', async () => {
    app.dependencyOverrides.set(getCurrentUser, fakeCurrentUser)
    expect(await (await send('/users/me/')).json()).toEqual({
      username: 'testuser',
      email: null,
      full_name: 'Test User',
      disabled: false,
    })
  })
})
