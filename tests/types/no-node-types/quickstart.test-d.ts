// The README's quick start in a project that never names @types/node (TypeScript 6+ load no
// `types` by default): importing the package must bring Node's types in, for its declarations
// (`node:http`, `NodeJS`) and the user's own `process`.
import { Gatehouse, HTTPException, Path, Query, serve } from 'gatehouse'
import { createMemoryStore } from 'gatehouse/authorization-server'
import * as z from 'zod'

const app = new Gatehouse({ title: 'Quick start' })
const items = new Map([[1, { id: 1, name: 'Foo' }]])
app.get(
  '/items/{item_id}',
  { inputs: { item_id: Path(z.number().int()), q: Query(z.string().optional()) } },
  ({ item_id, q }) => {
    const item = items.get(item_id)
    if (!item) throw new HTTPException(404, { detail: 'Item not found' })
    return q === undefined ? item : { ...item, name: `${item.name} (${q})` }
  },
)
const server = await serve(app, { port: Number(process.env.PORT ?? 8000) })
console.log(server.url, createMemoryStore)
