// Run without `pg` resolvable: the package, the memory and SQLite stores still work, and opening
// a PostgreSQL store (directly or through openStore) says what to install.
import { Gatehouse } from 'gatehouse'
import {
  createMemoryStore,
  openPostgresStore,
  openSQLiteStore,
  openStore,
} from 'gatehouse/authorization-server'

const memory = createMemoryStore()
const sqlite = await openSQLiteStore(':memory:')
await sqlite.close()
const messages: string[] = []
for (const open of [
  () => openPostgresStore('postgres://app:secret@127.0.0.1:1/auth'),
  () => openStore('postgresql://app:secret@127.0.0.1:1/auth'),
])
  await open().then(
    () => messages.push('opened'),
    (error: Error) => messages.push(error.message),
  )
console.log(
  JSON.stringify({ app: typeof new Gatehouse().fetch, memory: typeof memory.findClient, messages }),
)
