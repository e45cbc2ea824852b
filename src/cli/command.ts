import type { AuthorizationServerStore } from '../authorization-server/store/store.js'

/** One option of a command, as `--help` shows it and the parser reads it. */
export interface OptionSpec {
  /** `boolean` takes no value; `string` takes exactly one. */
  readonly type: 'boolean' | 'string'
  /** The value's placeholder in the help: `"a b"`, `g1,g2`, `<seconds>`. */
  readonly value?: string
  readonly description: string
  /** The command cannot run without it. */
  readonly required?: boolean
}

/** The parsed arguments of a command: option values by name, then its positional arguments. */
export interface CommandInput {
  readonly options: Readonly<Record<string, string | boolean | undefined>>
  readonly positionals: readonly string[]
}

/** What a command may use: output, standard input, and the store `DATABASE_URL` names. */
export interface CommandContext {
  /** Writes one line (a newline is added) to stdout. */
  out(line: string): void
  /** Writes one line to stderr: notes that are not the command's result. */
  note(line: string): void
  /** Standard input, read once (the password of `users create`). */
  readonly stdin: AsyncIterable<string | Buffer>
  /** Opens (and on first use creates and migrates) the store; closed by the runner. */
  store(): Promise<AuthorizationServerStore>
  /** The current time in whole seconds since the epoch. */
  now(): number
}

/** A CLI command: `gatehouse users create`, `gatehouse secret`, … */
export interface Command {
  /** The words that name it: `users create`. */
  readonly name: string
  /** One line for the command list. */
  readonly summary: string
  /** The positional arguments, by name; all required. */
  readonly arguments: readonly string[]
  readonly options: Readonly<Record<string, OptionSpec>>
  /** More lines for `--help`: what it prints, examples. */
  readonly details?: readonly string[]
  run(input: CommandInput, context: CommandContext): Promise<void>
}
