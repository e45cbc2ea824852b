import { defineComparison } from '../lib/compare.js'

/** The first benchmark: a query, two nested dependencies, a JSON page of results. */
export const items = defineComparison({
  name: 'items',
  description: 'GET /items/ with validated skip/limit/q and two nested dependencies',
  baseline: 'raw',
  targets: [
    { name: 'raw', server: 'servers/items/raw.ts' },
    { name: 'hono', server: 'servers/items/hono.ts' },
    { name: 'gatehouse', server: 'servers/items/gatehouse.ts' },
  ],
  measured: [
    {
      name: 'items',
      request: { method: 'GET', path: '/items/?skip=5&limit=20&q=foo', expectStatus: 200 },
    },
  ],
})
