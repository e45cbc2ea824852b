/** What a `postgres://` URL sets besides the connection itself. */
export interface PostgresURLSettings {
  /** The URL without Gatehouse's own parameters, for the `pg` driver. */
  readonly connectionString: string
  readonly poolSize: number | undefined
  readonly statementTimeout: number | undefined
  readonly connectionTimeout: number | undefined
}

/** Whether a database URL names a PostgreSQL server (`postgres://` or `postgresql://`). */
export const isPostgresURL = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url.trim())

const fail = (message: string): never => {
  throw new TypeError(`openPostgresStore: ${message}`)
}

/**
 * Reads a `postgres://` URL: Gatehouse takes out `pool_size` (connections per process),
 * `statement_timeout` (milliseconds) and `connect_timeout` (seconds, as libpq reads it) and
 * leaves everything else (`sslmode`, `sslrootcert`, `host=/socket/dir`, `application_name`,
 * `options`, …) to the `pg` driver. Errors name the URL only redacted.
 * @example
 * parsePostgresURL('postgres://app:pw@db/auth?pool_size=20').poolSize // 20
 */
export function parsePostgresURL(databaseUrl: string): PostgresURLSettings {
  const text = databaseUrl.trim()
  if (!isPostgresURL(text))
    return fail(`${redactDatabaseURL(text)} is not a postgres:// or postgresql:// URL`)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    // Not `{ cause }`: the URL parser's error carries the input, password included.
    return fail(`${redactDatabaseURL(text)} is not a valid URL`)
  }
  const take = (name: string, unit: number, min: number): number | undefined => {
    const values = url.searchParams.getAll(name)
    url.searchParams.delete(name)
    if (values.length === 0) return undefined
    const value = Number(values[0])
    if (values.length > 1 || !Number.isSafeInteger(value) || value < min)
      fail(`the URL parameter ${name} must be one integer ≥ ${min}`)
    return value * unit
  }
  const poolSize = take('pool_size', 1, 1)
  const statementTimeout = take('statement_timeout', 1, 1)
  const connectionTimeout = take('connect_timeout', 1000, 1)
  return { connectionString: url.href, poolSize, statementTimeout, connectionTimeout }
}

/**
 * A database URL fit for logs and error messages: the password (in the user info or a
 * `password` parameter) becomes `***`. Works on malformed URLs too, redacting more rather than
 * less: everything between the first `:` of the user info and the last `@`.
 * @example
 * redactDatabaseURL('postgres://app:s3cret@db/auth') // 'postgres://app:***@db/auth'
 */
export function redactDatabaseURL(databaseUrl: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(databaseUrl)
  let text = databaseUrl
  if (scheme) {
    const start = scheme[0].length
    const at = text.lastIndexOf('@')
    const colon = text.indexOf(':', start)
    if (at > start && colon !== -1 && colon < at)
      text = `${text.slice(0, colon + 1)}***${text.slice(at)}`
  }
  return text.replace(/([?&][^=&#]*pass[^=&#]*=)[^&#]*/gi, '$1***')
}
