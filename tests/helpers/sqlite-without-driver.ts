// Run without better-sqlite3 resolvable: the package and the memory store still work, and
// opening a SQLite store says what to install.
import { Gatehouse } from 'gatehouse'
import { createMemoryStore, openSQLiteStore } from 'gatehouse/authorization-server'

const store = createMemoryStore()
await store.createUser({
  id: 'u1',
  username: 'ada',
  passwordHash: null,
  scopes: [],
  disabled: false,
  createdAt: 0,
})
const found = await store.findUserByUsername('ada')
const app = new Gatehouse()
try {
  await openSQLiteStore(':memory:')
  console.log(JSON.stringify({ opened: true }))
} catch (error) {
  console.log(
    JSON.stringify({ app: typeof app.fetch, found: found?.id, message: (error as Error).message }),
  )
}
