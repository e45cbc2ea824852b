import { Gatehouse, HTTPException, Path, Query } from 'gatehouse'
import * as z from 'zod'

export const app = new Gatehouse({ title: 'Quick start' })

const Item = z.object({ id: z.number().int(), name: z.string() }).meta({ id: 'Item' })
const items = new Map([[1, { id: 1, name: 'Foo' }]])

app.get(
  '/items/{item_id}',
  { inputs: { item_id: Path(z.number().int()), q: Query(z.string().optional()) }, response: Item },
  ({ item_id, q }) => {
    const item = items.get(item_id)
    if (!item) throw new HTTPException(404, { detail: 'Item not found' })
    return q === undefined ? item : { ...item, name: `${item.name} (${q})` }
  },
)
