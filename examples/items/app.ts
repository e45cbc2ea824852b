import {
  Body,
  Depends,
  dependency,
  Form,
  Gatehouse,
  Header,
  HTTPException,
  Path,
  Query,
  Router,
} from 'gatehouse'
import * as z from 'zod'

/** An item as clients send it. */
export const Item = z
  .object({
    name: z.string().min(1),
    description: z.string().nullable().optional(),
    price: z.number().positive(),
    tax: z.number().nonnegative().optional(),
  })
  .meta({ id: 'Item' })

/** An item as stored, with a field clients must never see. */
export const StoredItem = Item.extend({ id: z.number().int(), internal_note: z.string() })

/** What the API returns: `response: ItemOut` strips `internal_note`. */
export const ItemOut = Item.extend({ id: z.number().int() }).meta({ id: 'ItemOut' })

/** A tiny in-memory database; each request gets a session that is closed after the response. */
export function createItemsApp() {
  const items = new Map<number, z.infer<typeof StoredItem>>([
    [1, { id: 1, name: 'Foo', price: 50.2, internal_note: 'supplier: ACME' }],
    [
      2,
      {
        id: 2,
        name: 'Bar',
        description: 'The bartenders',
        price: 62,
        tax: 20.2,
        internal_note: '',
      },
    ],
  ])
  const events: string[] = []

  // A dependency with cleanup: the code after `yield` runs after the response, also on errors.
  const getDB = dependency({}, function* getDB() {
    events.push('db:open')
    try {
      yield items
    } finally {
      events.push('db:close')
    }
  })

  // Nested dependencies: pagination reads the query, and a second one builds on it.
  const pagination = dependency(
    {
      skip: Query(z.number().int().nonnegative().default(0)),
      limit: Query(z.number().int().positive().max(100).default(10)),
    },
    ({ skip, limit }) => ({ skip, limit }),
  )
  const listing = dependency(
    { page: pagination, db: getDB, q: Query(z.string().min(3).max(50).optional()) },
    ({ page, db, q }) => {
      const all = [...db.values()].filter(
        (item) => !q || item.name.toLowerCase().includes(q.toLowerCase()),
      )
      return all.slice(page.skip, page.skip + page.limit)
    },
  )

  // A decorator-style dependency: runs for its effect (rejecting a bad header), value unused.
  const verifyKey = dependency({ xKey: Header(z.string().optional()) }, ({ xKey }) => {
    if (xKey !== undefined && xKey !== 'fake-super-secret-key')
      throw new HTTPException(400, { detail: 'X-Key header invalid' })
  })

  const app = new Gatehouse({
    title: 'Items example',
    version: '1.0.0',
    description: 'Path, query, body and form inputs with nested dependencies.',
  })
  const router = new Router({ prefix: '/items', tags: ['items'], dependencies: [verifyKey] })

  router.get('/', { inputs: { found: listing }, response: z.array(ItemOut) }, ({ found }) => found)

  router.get(
    '/{item_id}',
    { inputs: { item_id: Path(z.number().int()), db: getDB }, response: ItemOut },
    ({ item_id, db }) => {
      const item = db.get(item_id)
      if (!item) throw new HTTPException(404, { detail: 'Item not found' })
      return item
    },
  )

  router.post(
    '/',
    { inputs: { item: Body(Item), db: Depends(getDB) }, response: ItemOut, status: 201 },
    ({ item, db }) => {
      const id = Math.max(0, ...db.keys()) + 1
      const stored = { ...item, id, internal_note: 'created through the API' }
      db.set(id, stored)
      return stored
    },
  )

  router.post(
    '/{item_id}/rename',
    {
      inputs: {
        item_id: Path(z.number().int()),
        name: Form(z.string().min(1)),
        db: getDB,
      },
      response: ItemOut,
    },
    ({ item_id, name, db }) => {
      const item = db.get(item_id)
      if (!item) throw new HTTPException(404, { detail: 'Item not found' })
      item.name = name
      return item
    },
  )

  app.include(router)
  return { app, items, events }
}
