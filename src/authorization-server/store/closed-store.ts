import { ServiceUnavailableError } from '../../core/errors/index.js'
import type { AuthorizationServerStore } from './store.js'

/**
 * `store` with every call after `close()` answered as a 503, not as the driver's "destroyed"
 * error (a 500) or, for the in-memory store, as if nothing had happened: a shutdown that closes
 * the store before the last requests are answered tells their clients to retry (elsewhere). The
 * calls under way when `close()` is called finish first: closed under them, SQLite's would fail
 * with "The database connection is not open" (a 500) and PostgreSQL's wait `connectionTimeout`
 * for a connection the ended pool never gives. The calls are passed through as they are, without
 * another `await` on the way.
 */
export function refusedOnceClosed(store: AuthorizationServerStore): AuthorizationServerStore {
  let closed = false
  let underWay = 0
  let drained: (() => void) | undefined
  // One closing for every caller: a second `close()` while the first waits must not replace its
  // resolver (the first would never settle).
  let closing: Promise<unknown> | undefined
  const settled = () => {
    if (--underWay === 0) drained?.()
  }
  const wrapped: Record<string, unknown> = {}
  for (const [name, method] of Object.entries(store)) {
    if (typeof method !== 'function') {
      wrapped[name] = method
      continue
    }
    const call = method as (...args: unknown[]) => Promise<unknown>
    wrapped[name] =
      name === 'close'
        ? (...args: unknown[]) => {
            closed = true
            closing ??= (async () => {
              if (underWay > 0) await new Promise<void>((resolve) => (drained = resolve))
              return await call.apply(store, args)
            })()
            return closing
          }
        : (...args: unknown[]) => {
            if (closed)
              return Promise.reject(new ServiceUnavailableError(1, 'The database is closed'))
            const pending = Promise.resolve(call.apply(store, args))
            underWay++
            pending.then(settled, settled)
            return pending
          }
  }
  return wrapped as unknown as AuthorizationServerStore
}
