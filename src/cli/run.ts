import type { AuthorizationServerStore } from '../authorization-server/store/store.js'
import { asksForHelp, isSecretOption, parseCommandArgs, unknownOption } from './arguments.js'
import type { Command, CommandContext } from './command.js'
import { commands } from './commands/index.js'
import { busyOr, openDatabase } from './database.js'
import { CLIError, EXIT, usageError } from './errors.js'
import { commandHelp, groupHelp, overview } from './help.js'
import { version } from './version.js'

/** What the CLI runs against: its arguments, environment and standard streams. */
export interface CLIEnvironment {
  /** The arguments after `gatehouse`. */
  readonly args: readonly string[]
  readonly env: Readonly<Record<string, string | undefined>>
  readonly stdin: AsyncIterable<string | Buffer>
  readonly stdout: { write(text: string): unknown }
  readonly stderr: { write(text: string): unknown }
}

/**
 * Runs one `gatehouse` command and resolves to its exit code: the result on stdout, notes and
 * errors (one line each, never a secret) on stderr.
 * @example
 * process.exitCode = await runCLI({ args: process.argv.slice(2), env: process.env,
 *   stdin: process.stdin, stdout: process.stdout, stderr: process.stderr })
 */
export async function runCLI(io: CLIEnvironment): Promise<number> {
  const print = (stream: CLIEnvironment['stdout'], lines: readonly string[]) =>
    stream.write(lines.map((line) => `${line}\n`).join(''))
  const { args } = io
  const first = args[0]
  if (first === undefined) {
    print(io.stderr, overview(commands))
    return EXIT.usage
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    print(io.stdout, overview(commands))
    return EXIT.ok
  }
  if (first === '--version' || first === '-V') {
    print(io.stdout, [version()])
    return EXIT.ok
  }
  let store: Promise<AuthorizationServerStore> | undefined
  let commandName: string | undefined
  try {
    const command = findCommand(args)
    if (command === undefined) {
      const group = commands.filter((c) => c.name.startsWith(`${first} `))
      if (group.length === 0) throw usageError(undefined, unknownFirstWord(first))
      if (asksForHelp(args.slice(1))) {
        print(io.stdout, groupHelp(first, group))
        return EXIT.ok
      }
      commandName = first
      throw usageError(
        first,
        `${first} needs one of: ${group.map((c) => c.name.slice(first.length + 1)).join(', ')}`,
      )
    }
    commandName = command.name
    const rest = args.slice(command.name.split(' ').length)
    if (asksForHelp(rest)) {
      print(io.stdout, commandHelp(command))
      return EXIT.ok
    }
    const input = parseCommandArgs(command, rest)
    const context: CommandContext = {
      out: (line) => print(io.stdout, [line]),
      note: (line) => print(io.stderr, [line]),
      stdin: io.stdin,
      store: () => {
        store ??= openDatabase(io.env)
        return store
      },
      now: () => Math.floor(Date.now() / 1000),
    }
    await command.run(input, context)
    return EXIT.ok
  } catch (error) {
    const failure = asCLIError(busyOr(error))
    const hint =
      failure.reason === 'usage' ? `gatehouse ${failure.command ?? commandName ?? ''}`.trim() : ''
    print(io.stderr, [
      `gatehouse: ${failure.message}`,
      ...(hint === '' ? [] : [`Run "${hint} --help" for usage.`]),
    ])
    return failure.exitCode
  } finally {
    if (store !== undefined) await store.then((opened) => opened.close()).catch(() => {})
  }
}

/**
 * Why a first argument names nothing, without repeating what could be a secret typed in the
 * wrong place (`--password=…`, or a password as the first word): an option by its name only, a
 * command not at all.
 */
function unknownFirstWord(first: string): string {
  if (first.startsWith('-')) {
    const name = first.replace(/^-+/, '').split('=')[0] ?? ''
    if (isSecretOption(name))
      return `--${name} is not an option: secrets are never taken on the command line`
    return unknownOption(name)
  }
  const names = [...new Set(commands.map((command) => command.name.split(' ')[0]))]
  return `unknown command (the commands are ${names.join(', ')})`
}

/** The command the arguments name by their first words, if any. */
function findCommand(args: readonly string[]): Command | undefined {
  return commands.find((command) => command.name.split(' ').every((word, i) => args[i] === word))
}

function asCLIError(error: unknown): CLIError {
  if (error instanceof CLIError) return error
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return new CLIError('failure', `unexpected error: ${what}`)
}
