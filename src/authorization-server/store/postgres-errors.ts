/**
 * Which driver errors mean "PostgreSQL cannot serve now" (answered 503 with `Retry-After`) and
 * which of those leave a connection that must not be reused.
 */

/** Socket errors: the server is unreachable, gone, or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  // A unix socket path that does not exist (yet): the server is not running.
  'ENOENT',
])

/**
 * SQLSTATEs that say "try again later": connection exceptions (08), insufficient resources
 * (53, e.g. too many connections), operator intervention (57: shutdown, starting up, statement
 * timeout), lock not available, serialization failures and deadlocks, system errors (58), and
 * a read-only transaction (25006: a hot standby, or a primary demoted by a failover).
 */
const RETRYABLE_STATES = /^(08|53|57|58)|^(55P03|40001|40P01|25P03|25006)$/

/** What `pg` and `pg-pool` throw, without a code, when a connection breaks or never comes. */
const DRIVER_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection ended|not queryable|connection timeout/i

/** pg-pool's message when a wait for a connection passed `connectionTimeoutMillis`. */
const CONNECTION_WAIT_TIMEOUT = /timeout exceeded when trying to connect/i

/** Whether `error` is pg-pool's "no connection came in time" (one of {@link DRIVER_MESSAGES}). */
export function isConnectionWaitTimeout(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message
  return typeof message === 'string' && CONNECTION_WAIT_TIMEOUT.test(message)
}

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code

/** Whether `error` is a SQLSTATE from the server (five digits or capitals). */
const isServerError = (error: unknown): boolean => {
  const code = codeOf(error)
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)
}

/**
 * Whether a driver error means the database cannot serve now (gone, starting, shutting down,
 * overloaded, timed out), so the request gets a 503 rather than a 500.
 * @example
 * createKyselyStore(db, { isUnavailable: isPostgresUnavailable })
 */
export function isPostgresUnavailable(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false
  const code = codeOf(error)
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true
    if (isServerError(error)) return RETRYABLE_STATES.test(code)
  }
  // Node's connect to a name with several addresses fails with all of them at once.
  if (error instanceof AggregateError) return error.errors.some(isPostgresUnavailable)
  const message = (error as { message?: unknown }).message
  return typeof message === 'string' && DRIVER_MESSAGES.test(message)
}

/**
 * Whether the connection a query failed on must be thrown away: any unavailability that did not
 * come as a SQLSTATE from a server still talking to us (a broken socket, a read timeout with the
 * query possibly still running), and the server's own "terminating connection" states.
 */
export function isBrokenConnection(error: unknown): boolean {
  if (!isPostgresUnavailable(error)) return false
  const code = codeOf(error)
  // 25006: this connection reached a server that cannot write; a new one may reach the primary.
  return !isServerError(error) || /^(08|57P)|^25006$/.test(code as string)
}
