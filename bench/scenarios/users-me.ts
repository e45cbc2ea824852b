import { defineComparison } from '../lib/compare.js'
import { TUTORIAL_SERVER } from '../lib/fixture.js'

/**
 * FastAPI's OAuth2-scopes tutorial: `GET /users/me/` (HS256 JWT, scope `me`, the user loaded from
 * SQLite) and `GET /status/` (token and user only) on the real tutorial app, against the same
 * endpoints written by hand on node:http, Hono + jose and Fastify + @fastify/jwt. The tutorial app
 * also runs as a two-worker cluster (examples/scopes/cluster.ts), on every CPU.
 */
export const usersMe = defineComparison({
  name: 'users-me',
  description: 'JWT-protected GET /users/me/ and GET /status/ of the OAuth2-scopes tutorial',
  baseline: 'raw',
  targets: [
    { name: 'raw', server: 'servers/scopes/raw.ts' },
    { name: 'hono', server: 'servers/scopes/hono.ts' },
    { name: 'fastify', server: 'servers/scopes/fastify.ts' },
    { name: 'gatehouse', server: TUTORIAL_SERVER },
    { name: 'gatehouse-nocache', server: 'servers/scopes/gatehouse-nocache.ts' },
    { name: 'gatehouse-cluster', server: 'servers/scopes/cluster.ts', pinned: false, quiet: true },
  ],
  measured: [
    { name: 'users-me', request: { method: 'GET', path: '/users/me/', expectStatus: 200 } },
    {
      name: 'status',
      request: { method: 'GET', path: '/status/', expectStatus: 200 },
      targets: ['raw', 'gatehouse', 'gatehouse-nocache'],
    },
  ],
  async prepare({ fixture }) {
    const env = { ...fixture.env(fixture.database('scopes')), WORKERS: '2' }
    return { env, headers: { authorization: `Bearer ${await fixture.token()}` } }
  },
})
