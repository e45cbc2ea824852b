import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { startTestIssuer } from './helpers/issuer-server.js'
import { startScript, stopScript } from './helpers/npm-script.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-external-start-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Started {
  api: string
  child: ChildProcess
  output: () => string
}

/** `npm run start:external-issuer` on free ports; resolves once the API listens. */
async function start(env: Record<string, string>): Promise<Started> {
  const all = {
    PORT: '0',
    LOCAL_ISSUER_PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: join(dir, 'users.db'),
    ...env,
  }
  const started = await startScript(
    'start:external-issuer',
    all,
    (output) => {
      const api = /API on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
      const ready = env.ISSUER_URL !== undefined || /-d '[^']+'/.test(output)
      return api && ready ? api : undefined
    },
    30_000,
  )
  return { ...started, api: started.ready }
}

describe('npm run start:external-issuer', { timeout: 60_000 }, () => {
  test('without ISSUER_URL: the bundled issuer, and the README curl session', async () => {
    const { api, child, output } = await start({})
    try {
      // The printed command, as the README shows it: POST the password form to the local issuer.
      const printed = /curl -s -X POST (\S+) -d '([^']+)'/.exec(output())
      expect(printed).not.toBeNull()
      const [, tokenUrl, form] = printed as unknown as [string, string, string]
      const issued = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      })
      expect(issued.status).toBe(200)
      expect(issued.headers.get('cache-control')).toBe('no-store')
      // Swagger UI on the API's /docs fetches the token from the issuer's origin.
      const preflight = await fetch(tokenUrl, {
        method: 'OPTIONS',
        headers: {
          origin: api,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-requested-with',
        },
      })
      expect(preflight.status).toBe(204)
      expect(preflight.headers.get('access-control-allow-origin')).toBe(api)
      const docs = await fetch(`${api}/docs`)
      expect(docs.headers.get('content-security-policy')).toContain(
        `connect-src 'self' ${new URL(tokenUrl).origin}`,
      )
      const { access_token, token_type, scope } = await issued.json()
      expect({ token_type, scope }).toEqual({ token_type: 'Bearer', scope: 'me items' })
      const auth = { headers: { authorization: `Bearer ${access_token}` } }

      const me = await fetch(`${api}/users/me/`, auth)
      expect(await me.json()).toEqual({
        username: 'johndoe',
        email: 'johndoe@example.com',
        full_name: 'John Doe',
        disabled: false,
      })
      expect(await (await fetch(`${api}/users/me/items/`, auth)).json()).toEqual([
        { item_id: 'Foo', owner: 'johndoe' },
      ])
      expect(await (await fetch(`${api}/status/`, auth)).json()).toEqual({ status: 'ok' })

      const metadata = await (await fetch(`${api}/.well-known/oauth-protected-resource`)).json()
      const issuer = new URL(tokenUrl).origin
      expect(metadata).toEqual({
        resource: api,
        authorization_servers: [issuer],
        scopes_supported: ['me', 'items'],
        bearer_methods_supported: ['header'],
        resource_name: 'Gatehouse tutorial API',
      })

      const anonymous = await fetch(`${api}/users/me/items/`)
      expect(anonymous.status).toBe(401)
      expect(anonymous.headers.get('www-authenticate')).toBe(
        `Bearer scope="items me", resource_metadata="${api}/.well-known/oauth-protected-resource"`,
      )
      const meOnly = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=password&username=johndoe&password=secret&scope=me',
      })
      const narrow = { headers: { authorization: `Bearer ${(await meOnly.json()).access_token}` } }
      const stepUp = await fetch(`${api}/users/me/items/`, narrow)
      expect(stepUp.status).toBe(403)
      expect(stepUp.headers.get('www-authenticate')).toContain(
        'error="insufficient_scope", scope="items me"',
      )
      const wrong = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=password&username=johndoe&password=wrong',
      })
      expect(wrong.status).toBe(400)
      expect(wrong.headers.get('cache-control')).toBe('no-store')
      expect(wrong.headers.get('pragma')).toBe('no-cache')
      expect(await wrong.json()).toEqual({
        error: 'invalid_grant',
        error_description: 'Incorrect username or password',
      })
    } finally {
      await stopScript(child)
    }
  })

  test('with ISSUER_URL and AUDIENCE: tokens of that issuer, keys found through its metadata', async () => {
    const issuer = await startTestIssuer('/realms/tutorial')
    const key = await issuer.addKey('EdDSA')
    const { api, child, output } = await start({
      ISSUER_URL: issuer.issuer,
      AUDIENCE: 'https://tutorial-api.example',
    })
    try {
      expect(output()).not.toContain('local issuer')
      const now = Math.floor(Date.now() / 1000)
      const claims = { iss: issuer.issuer, sub: 'johndoe', scope: 'me', iat: now, exp: now + 60 }
      const good = await key.sign({ ...claims, aud: 'https://tutorial-api.example' })
      const me = await fetch(`${api}/users/me/`, { headers: { authorization: `Bearer ${good}` } })
      expect(me.status).toBe(200)
      const foreign = await key.sign({ ...claims, aud: api })
      const refused = await fetch(`${api}/users/me/`, {
        headers: { authorization: `Bearer ${foreign}` },
      })
      expect(refused.status).toBe(401)
      expect(issuer.hitsOf('/jwks.json')).toBe(1)
    } finally {
      await stopScript(child)
      await issuer.close()
    }
  })
})

test("the README's code for this example is the example's own code", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('## Resource server for real issuers'))
  const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  const sources = ['app.ts', 'main.ts']
    .map((file) =>
      readFileSync(new URL(`../examples/external-issuer/${file}`, import.meta.url), 'utf8'),
    )
    .join('\n')
  const lines = snippet
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\/\/ \w+\.ts/.test(line))
  expect(lines.length).toBeGreaterThan(5)
  for (const line of lines) expect(sources, line).toContain(line.trim())
})
