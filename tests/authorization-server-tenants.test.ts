import { Gatehouse } from 'gatehouse'
import { createAuthorizationServer, createMemoryStore } from 'gatehouse/authorization-server'
import { expect, test } from 'vitest'
import {
  authorizeQuery,
  type Browser,
  browser,
  hiddenFields,
  pkce,
  REDIRECT,
} from './helpers/authorization-flow.js'
import { ISSUER, START, testPasswords } from './helpers/authorization-server.js'
import { describeEachEngine, serveThrough } from './helpers/http.js'

// Several issuers on one origin, as a multi-tenant deployment hosts them: `…/tenants/a` and
// `…/tenants/b`, each its own store, users and keys, in one app.

async function tenant(name: string) {
  const server = createAuthorizationServer({
    issuer: `${ISSUER}/tenants/${name}`,
    store: createMemoryStore(),
    scopes: { read: 'Read your data' },
    passwords: testPasswords,
    now: () => START,
  })
  await server.admin.createClient({
    id: 'web',
    grantTypes: ['authorization_code'],
    redirectUris: [REDIRECT],
    scopes: ['read'],
  })
  await server.admin.createUser({ username: 'ada', password: `${name}-password`, scopes: ['read'] })
  return server
}

const tenants = [await tenant('a'), await tenant('b')]
const app = new Gatehouse({ title: 'Tenants' })
for (const server of tenants) app.include(server.router)

/** The step `/authorize` shows this browser at `tenant`: `login` or `consent`. */
async function stepAt(b: Browser, name: string, query: string): Promise<string | undefined> {
  const page = await b.get(`/tenants/${name}/authorize?${query}`)
  expect(page.status).toBe(200)
  return hiddenFields(await page.text()).step
}

async function signIn(b: Browser, name: string, query: string): Promise<void> {
  const page = await b.get(`/tenants/${name}/authorize?${query}`)
  const fields = hiddenFields(await page.text())
  expect(fields.step).toBe('login')
  const answer = await b.post(
    `/tenants/${name}/authorize`,
    { ...fields, username: 'ada', password: `${name}-password` },
    { origin: ISSUER, 'sec-fetch-site': 'same-origin' },
  )
  // Back to the authorization request, signed in: the consent page.
  expect(answer.status).toBe(303)
  expect(await stepAt(b, name, query)).toBe('consent')
}

test("two issuers' routers share one app, with operation ids of their own", async () => {
  const document = await (await app.fetch(new Request(`${ISSUER}/openapi.json`))).json()
  const ids = Object.values(
    document.paths as Record<string, Record<string, { operationId: string }>>,
  )
    .flatMap((item) => Object.values(item).map((operation) => operation.operationId))
    .filter((id) => id.startsWith('oauth2Token'))
  expect(ids.sort()).toEqual(['oauth2Token_tenants_a', 'oauth2Token_tenants_b'])
})

test('issuer paths that differ only in punctuation get operation ids of their own', () => {
  const both = new Gatehouse({ title: 'Look-alikes' })
  for (const path of ['/tenants/a', '/tenants-a', '/tenants_a'])
    both.include(
      createAuthorizationServer({
        issuer: `${ISSUER}${path}`,
        store: createMemoryStore(),
        scopes: { read: 'Read' },
      }).router,
    )
  const ids = both.routes
    .map((route) => route.operationId)
    .filter((id) => id?.startsWith('oauth2Token'))
  expect(new Set(ids).size).toBe(3)
  expect(ids).toContain('oauth2Token_tenants_a')
})

describeEachEngine('two issuers on one origin', (engine) => {
  const send = serveThrough(engine, app)

  test('signing in to one does not sign the browser out of the other', async () => {
    const b = browser(send)
    const query = authorizeQuery(pkce().challenge, { scope: 'read' })
    await signIn(b, 'a', query)
    await signIn(b, 'b', query)
    // Each issuer's session is its own cookie: b's login did not overwrite a's.
    expect(await stepAt(b, 'a', query)).toBe('consent')
    expect(await stepAt(b, 'b', query)).toBe('consent')
    const names = [...b.jar.cookies.keys()].filter((name) => name.includes('gatehouse-login'))
    expect(names).toHaveLength(2)
    for (const name of names) expect(name).toMatch(/^__Host-gatehouse-login-[A-Za-z0-9_-]{12}$/)
  })
})
