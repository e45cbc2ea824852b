import { ServiceUnavailableError } from '../../core/errors/index.js'
import type { AuthorizationServerStore } from './store.js'

/**
 * `store` with every call after `close()` answered as a 503, not as the driver's "destroyed"
 * error (a 500) or, for the in-memory store, as if nothing had happened: a shutdown that closes
 * the store before the last requests are answered tells their clients to retry (elsewhere). The
 * calls are passed through as they are, without another `await` on the way.
 */
export function refusedOnceClosed(store: AuthorizationServerStore): AuthorizationServerStore {
  let closed = false
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
            return call.apply(store, args)
          }
        : (...args: unknown[]) =>
            closed
              ? Promise.reject(new ServiceUnavailableError(1, 'The database is closed'))
              : call.apply(store, args)
  }
  return wrapped as unknown as AuthorizationServerStore
}
