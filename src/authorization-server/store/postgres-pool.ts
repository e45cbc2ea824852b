import type { PostgresPool, PostgresPoolClient } from 'kysely'
import { isBrokenConnection, isConnectionWaitTimeout } from './postgres-errors.js'

/** `pg.Pool`, as far as it is used here (typed locally: `pg` is an optional peer dependency). */
export interface DriverPool {
  connect(): Promise<DriverClient>
  /** Callers queued for a connection. */
  readonly waitingCount: number
  end(): Promise<void>
  on(event: 'error', listener: (error: Error) => void): unknown
}

/** A client checked out of a `pg.Pool`. */
export interface DriverClient {
  query(...args: unknown[]): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  removeListener(event: 'error', listener: (error: Error) => void): unknown
  /** `true` or an error destroys the connection instead of returning it to the pool. */
  release(destroy?: boolean | Error): void
}

/**
 * The pool as Kysely's `PostgresDialect` sees it, with one change: a client whose query failed
 * because its connection broke, or went unanswered past the read timeout (when the query may
 * still be running and its late answer would meet the next query), is destroyed on release
 * rather than handed to the next request. And once a wait for a connection has timed out, while
 * others still queue, a new wait fails at once (the pool is saturated: it would time out too):
 * a request makes several store calls, and each would otherwise wait `connectionTimeout` in turn,
 * so answers slowed to several timeouts exactly when the database was overloaded.
 */
export function discardingBrokenClients(pool: DriverPool, connectionTimeout: number): PostgresPool {
  // Idle connections the server drops (a restart, a failover) emit `error` on the pool; without
  // a listener that would crash the process. The next query opens a fresh connection instead.
  pool.on('error', () => {})
  let timedOutAt = Number.NEGATIVE_INFINITY
  return {
    async connect() {
      if (pool.waitingCount > 0 && performance.now() - timedOutAt < connectionTimeout)
        throw new Error('timeout exceeded when trying to connect: the pool is saturated')
      let client: DriverClient
      try {
        client = await pool.connect()
      } catch (error) {
        if (isConnectionWaitTimeout(error)) timedOutAt = performance.now()
        throw error
      }
      let broken = false
      // pg-pool listens for errors only on idle clients: a checked-out one whose connection ends
      // between two queries (a transaction's, say) would otherwise crash the process.
      const onError = () => {
        broken = true
      }
      client.on('error', onError)
      const wrapped = {
        query(...args: unknown[]) {
          // Fail at once rather than queue behind an unanswered query (a rollback, say).
          if (broken) return Promise.reject(new Error('Connection terminated: it broke earlier'))
          const result = client.query(...args)
          if (result instanceof Promise)
            result.catch((error: unknown) => {
              if (isBrokenConnection(error)) broken = true
            })
          return result
        },
        // Kysely passes `true` for a connection it gave up on (a failed rollback).
        release(destroy?: boolean) {
          client.removeListener('error', onError)
          client.release(broken || destroy === true)
        },
      }
      return wrapped as unknown as PostgresPoolClient
    },
    end: () => pool.end(),
  }
}
