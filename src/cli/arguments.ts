import { parseArgs } from 'node:util'
import type { Command, CommandInput } from './command.js'
import { usageError } from './errors.js'

/** Options that would put a secret on the command line, where `ps` and shell history see it. */
const SECRET_OPTIONS = new Set(['password', 'p', 'secret', 'client-secret', 'client_secret'])

/** An option name under which someone would pass a secret on the command line. */
export function isSecretOption(name: string): boolean {
  return SECRET_OPTIONS.has(name)
}

/**
 * `--help` (or `-h`) anywhere among a command's arguments, as a word of its own: `-hunter2` (a
 * password pasted in the wrong place) is no call for help that exits 0 and lets a script go on.
 */
export function asksForHelp(args: readonly string[]): boolean {
  const { tokens } = parseArgs({
    args: [...args],
    options: { help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  return tokens.some(
    (token) =>
      token.kind === 'option' &&
      token.name === 'help' &&
      (args[token.index] === '--help' || args[token.index] === '-h'),
  )
}

/**
 * "unknown option", naming it only when it looks like an option's name: what follows a dash
 * could be a password typed in the wrong place (`--Tr0ub4dor&3`), which no message repeats.
 */
export function unknownOption(name: string): string {
  return /^[A-Za-z][\w-]{0,30}$/.test(name) && !/\d/.test(name)
    ? `unknown option --${name}`
    : 'unknown option'
}

/**
 * Reads a command's arguments with `node:util`'s `parseArgs` (its tokens, so every check is
 * ours): unknown, repeated or valueless options and missing or extra arguments are usage errors.
 * Messages name options but never repeat a value or an extra argument, which could be a
 * password typed in the wrong place.
 */
export function parseCommandArgs(command: Command, args: readonly string[]): CommandInput {
  const fail = (message: string) => usageError(command.name, message)
  const options = Object.fromEntries(
    Object.entries(command.options).map(([name, spec]) => [name, { type: spec.type }]),
  )
  const { tokens } = parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  const values: Record<string, string | boolean> = {}
  const positionals: string[] = []
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value)
    if (token.kind !== 'option') continue
    const { name, rawName } = token
    if (isSecretOption(name))
      throw fail(
        `${rawName} is not an option: secrets are never taken on the command line` +
          (command.options['password-stdin'] ? '; pipe the password to --password-stdin' : ''),
      )
    const spec = command.options[name]
    if (!spec || !Object.hasOwn(command.options, name)) throw fail(unknownOption(name))
    if (Object.hasOwn(values, name)) throw fail(`--${name} is given more than once`)
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw fail(`--${name} takes no value`)
      values[name] = true
    } else {
      // `-5` is a value (out of range, as the option's check says), `--json` is not.
      const looksLikeOption = token.value?.startsWith('-') && !/^-\d/.test(token.value)
      if (token.value === undefined || (!token.inlineValue && looksLikeOption))
        throw fail(`--${name} needs a value`)
      values[name] = token.value
    }
  }
  for (const [name, spec] of Object.entries(command.options))
    if (spec.required && values[name] === undefined) throw fail(`--${name} is required`)
  const expected = command.arguments
  if (positionals.length < expected.length) throw fail(`missing <${expected[positionals.length]}>`)
  if (positionals.length > expected.length)
    throw fail(
      expected.length === 0
        ? `${command.name} takes no arguments`
        : `too many arguments: ${command.name} takes ${expected.map((a) => `<${a}>`).join(' ')}`,
    )
  return { options: values, positionals }
}
