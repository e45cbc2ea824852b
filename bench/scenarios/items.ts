import { defineScenario } from '../lib/scenario.js'

/** The first benchmark: a query, two nested dependencies, a JSON page of results. */
export const items = defineScenario({
  name: 'items',
  description: 'GET /items/ with validated skip/limit/q and two nested dependencies',
  request: { method: 'GET', path: '/items/?skip=5&limit=20&q=foo', expectStatus: 200 },
  baseline: 'raw',
  targets: [
    { name: 'raw', server: 'servers/items/raw.ts' },
    { name: 'hono', server: 'servers/items/hono.ts' },
    { name: 'gatehouse', server: 'servers/items/gatehouse.ts' },
  ],
})
