import type { ClientRecord } from '../store/records.js'
import type { ClientStore } from '../store/store.js'

/** How long a found client is remembered, in milliseconds. */
const TTL_MS = 10_000
/** At most this many clients are remembered; the oldest go first. */
const MAX_CLIENTS = 1_000

/** Client lookups through a cache, which says whether a lookup would be answered from memory. */
export interface CachedClientStore extends Pick<ClientStore, 'findClient'> {
  /** Whether `findClient(id)` would answer from memory now, without asking the store. */
  remembers(id: string): boolean
}

/**
 * The client lookups of the token, introspection and revocation endpoints, which look the client
 * up on every request: a found client is remembered for ten seconds (wall time, whatever the
 * server's clock option says), so a busy client costs one store query per ten seconds. Unknown
 * ids are always asked of the store, so a client registered a moment ago works at once and
 * nobody can fill the cache with made-up ids (a refused client answered from memory is asked of
 * the store once more by `authenticateClient`, so it costs what an unknown one costs). Stores
 * have no way to change or delete a client, so what is remembered can only be missing a change
 * made behind the store's back.
 */
export function cachedClientStore(store: Pick<ClientStore, 'findClient'>): CachedClientStore {
  const found = new Map<string, { client: ClientRecord; until: number }>()
  return {
    remembers(id) {
      const hit = found.get(id)
      return hit !== undefined && hit.until > performance.now()
    },
    async findClient(id) {
      const now = performance.now()
      const hit = found.get(id)
      if (hit !== undefined && hit.until > now) return hit.client
      const client = await store.findClient(id)
      found.delete(id)
      if (client === undefined) return undefined
      if (found.size >= MAX_CLIENTS) found.delete(found.keys().next().value as string)
      found.set(id, { client, until: now + TTL_MS })
      return client
    },
  }
}
