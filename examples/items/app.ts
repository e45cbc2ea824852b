import { fileURLToPath } from 'node:url'
import {
  BackgroundTasks,
  Body,
  Cookie,
  compress,
  cors,
  Depends,
  dependency,
  Form,
  Gatehouse,
  Header,
  HTTPException,
  Path,
  Query,
  Router,
  ServiceUnavailableError,
  staticFiles,
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
type StoredItem = z.infer<typeof StoredItem>

/** What the API returns: `response: ItemOut` strips `internal_note`. */
export const ItemOut = Item.extend({ id: z.number().int() }).meta({ id: 'ItemOut' })

/** A domain error, answered by the app's own exception handler. */
export class ItemNotFound extends Error {
  readonly itemId: number
  constructor(itemId: number) {
    super(`Item ${itemId} not found`)
    this.itemId = itemId
  }
}

/** A tiny in-memory database with a connection to open and close, as a real pool would have. */
export function createItemsDatabase() {
  const items = new Map<number, StoredItem>([
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
  let connected = false
  return {
    items,
    get connected() {
      return connected
    },
    async connect() {
      connected = true
    },
    async disconnect() {
      connected = false
    },
  }
}

export interface ItemsAppOptions {
  /** Browser origins allowed to call the API with credentials (CORS). */
  allowedOrigins?: readonly string[]
  /** The prefix a proxy strips in front of the app (FastAPI's `root_path`). */
  rootPath?: string
}

/** The folder served under `/static`. */
export const publicFolder = fileURLToPath(new URL('./public', import.meta.url))

/**
 * The framework features in one app: nested dependencies and a yield session, a lifespan-opened
 * database, CORS for a browser front end, compression, a cookie set through the response
 * parameter, an exception handler for a domain error, a background task, static files.
 */
export function createItemsApp(options: ItemsAppOptions = {}) {
  const database = createItemsDatabase()
  const { items } = database
  const events: string[] = []
  const lifecycle: string[] = []
  const audit: string[] = []

  // Start-up and shut-down: the database connects once, before the first request.
  const app = new Gatehouse({
    title: 'Items example',
    version: '1.0.0',
    description: 'Path, query, body and form inputs with nested dependencies.',
    ...(options.rootPath ? { rootPath: options.rootPath } : {}),
    async *lifespan() {
      await database.connect()
      lifecycle.push('connect')
      try {
        yield { database }
      } finally {
        await database.disconnect()
        lifecycle.push('disconnect')
      }
    },
  })

  // CORS first, so every answer (preflights and errors too) carries its headers.
  app.use(
    cors({
      origin: options.allowedOrigins ?? ['http://localhost:5173'],
      credentials: true,
      exposeHeaders: ['WWW-Authenticate'],
    }),
  )
  app.use(compress())

  // A domain error becomes a 404 with the id, in one place.
  app.exceptionHandler(ItemNotFound, (error) =>
    Response.json({ detail: 'Item not found', item_id: error.itemId }, { status: 404 }),
  )

  // A dependency with cleanup: the code after `yield` runs after the response, also on errors.
  const getDB = dependency({}, function* getDB() {
    if (!app.state.database.connected) throw new ServiceUnavailableError(5, 'Database offline')
    events.push('db:open')
    try {
      yield app.state.database.items
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

  const findItem = (db: Map<number, StoredItem>, id: number) => {
    const item = db.get(id)
    if (!item) throw new ItemNotFound(id)
    return item
  }

  const router = new Router({ prefix: '/items', tags: ['items'], dependencies: [verifyKey] })

  router.get('/', { inputs: { found: listing }, response: z.array(ItemOut) }, ({ found }) => found)

  // The favourite is a cookie: read it with Cookie(), set it with the response parameter.
  router.get(
    '/favorite',
    {
      inputs: { favorite: Cookie(z.number().int().optional()), db: getDB },
      response: ItemOut.nullable(),
    },
    ({ favorite, db }) => (favorite === undefined ? null : findItem(db, favorite)),
  )

  router.get(
    '/{item_id}',
    { inputs: { item_id: Path(z.number().int()), db: getDB }, response: ItemOut },
    ({ item_id, db }) => findItem(db, item_id),
  )

  // Background work after the response: the audit entry is written once the client has its answer.
  router.post(
    '/',
    {
      inputs: { item: Body(Item), db: Depends(getDB), tasks: BackgroundTasks },
      response: ItemOut,
      status: 201,
    },
    ({ item, db, tasks }) => {
      const id = Math.max(0, ...db.keys()) + 1
      const stored = { ...item, id, internal_note: 'created through the API' }
      db.set(id, stored)
      tasks.add((entry: string) => audit.push(entry), `created item ${id}`)
      return stored
    },
  )

  router.post(
    '/{item_id}/favorite',
    {
      inputs: { item_id: Path(z.number().int()), db: getDB, response: Response },
      response: ItemOut,
    },
    ({ item_id, db, response }) => {
      const item = findItem(db, item_id)
      response.setCookie('favorite', String(item.id), { maxAge: 30 * 24 * 3600 })
      return item
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
      const item = findItem(db, item_id)
      item.name = name
      return item
    },
  )

  app.include(router)
  app.mount('/static', staticFiles(publicFolder))
  return { app, items, events, lifecycle, audit, getDB }
}
