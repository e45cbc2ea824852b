/**
 * The CLI's exit codes, one per kind of failure, so scripts can tell a typo from a taken name
 * from a database that is not there.
 */
export const EXIT = Object.freeze({
  ok: 0,
  /** Anything unexpected (a bug, a store that failed in another way). */
  failure: 1,
  /** Bad arguments: an unknown command or option, a missing or invalid value. */
  usage: 2,
  /** The user or client already exists. */
  conflict: 3,
  /** `DATABASE_URL` is not set, names something unsupported, cannot be opened or written. */
  database: 4,
  /** Another process holds the database's write lock, or won a race (`keys rotate`); try again. */
  busy: 5,
})

/** The name of an exit code. */
export type ExitReason = keyof typeof EXIT

/**
 * A failure the CLI reports as one line on stderr and an exit code. Messages are written for the
 * person at the terminal and never contain a password, secret or database URL.
 * @example
 * throw new CLIError('conflict', 'a user named "ada" already exists')
 */
export class CLIError extends Error {
  override readonly name = 'CLIError'
  readonly reason: ExitReason
  /** For usage errors: the command whose `--help` to point at. */
  readonly command: string | undefined

  constructor(reason: ExitReason, message: string, options: { command?: string } = {}) {
    super(message)
    this.reason = reason
    this.command = options.command
  }

  get exitCode(): number {
    return EXIT[this.reason]
  }
}

/** A usage error about `command` (its help is suggested with the message). */
export function usageError(command: string | undefined, message: string): CLIError {
  return new CLIError('usage', message, command === undefined ? {} : { command })
}
