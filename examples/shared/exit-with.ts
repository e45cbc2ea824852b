/**
 * The end of a start-up that cannot go on (a bad setting, a port in use, a database that cannot be
 * opened): one line on stderr, `{name}: {message}`, no stack trace, exit code 1. The message must
 * not carry secrets: the stores' own messages redact database URLs.
 * @example const store = await openStore(databaseUrl).catch(exitWith('authorization-server'))
 */
export function exitWith(name: string): (error: unknown) => never {
  return (error) => {
    console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
}

/** Why `host` and `port` cannot be listened on, in one line (`EADDRINUSE`, `ENOTFOUND`, ...). */
export function listenFailure(host: string, port: number, error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code
  const why = typeof code === 'string' ? code : error instanceof Error ? error.message : 'failed'
  return new Error(`cannot listen on HOST=${host} PORT=${port} (${why})`)
}
