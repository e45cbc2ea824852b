import type { Command } from './command.js'
import { EXIT } from './errors.js'

const ENVIRONMENT = [
  'Environment:',
  '  DATABASE_URL  the store: a SQLite file path, a sqlite: or file: URL, or a postgres://',
  '                URL; created and migrated on first use',
]

const EXIT_CODES = [
  'Exit codes:',
  `  ${EXIT.ok} done, ${EXIT.failure} unexpected error, ${EXIT.usage} bad arguments, ${EXIT.conflict} already exists,`,
  `  ${EXIT.database} database not set or cannot be opened, ${EXIT.busy} database locked by another process`,
]

const usage = (command: Command) =>
  [
    'gatehouse',
    command.name,
    ...command.arguments.map((name) => `<${name}>`),
    ...Object.entries(command.options)
      .filter(([, spec]) => spec.required)
      .map(([name, spec]) => (spec.type === 'string' ? `--${name} ${spec.value}` : `--${name}`)),
    ...(Object.values(command.options).some((spec) => !spec.required) ? ['[options]'] : []),
  ].join(' ')

const columns = (pairs: readonly (readonly [string, string])[]) => {
  const width = Math.max(...pairs.map(([left]) => left.length))
  return pairs.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)
}

/** `gatehouse --help`: every command and what the CLI reads. */
export function overview(commands: readonly Command[]): string[] {
  return [
    'gatehouse: manage the users, clients and signing keys of a Gatehouse authorization server',
    '',
    'Usage: gatehouse <command> [options]',
    '',
    'Commands:',
    ...columns(
      commands.map((command) => [
        [command.name, ...command.arguments.map((name) => `<${name}>`)].join(' '),
        command.summary,
      ]),
    ),
    '',
    ...ENVIRONMENT,
    '',
    ...EXIT_CODES,
    '',
    'Run "gatehouse <command> --help" for its options.',
  ]
}

/** `gatehouse users --help`: the commands of one group. */
export function groupHelp(group: string, commands: readonly Command[]): string[] {
  return [
    `Usage: gatehouse ${group} <command> [options]`,
    '',
    'Commands:',
    ...columns(commands.map((command) => [command.name, command.summary])),
  ]
}

/** `gatehouse <command> --help`: its usage, options and details. */
export function commandHelp(command: Command): string[] {
  const options = Object.entries(command.options).map(
    ([name, spec]) =>
      [
        spec.type === 'string' ? `--${name} ${spec.value}` : `--${name}`,
        `${spec.description}${spec.required ? ' (required)' : ''}`,
      ] as const,
  )
  return [
    `Usage: ${usage(command)}`,
    '',
    `${command.summary}.`,
    '',
    'Options:',
    ...columns([...options, ['-h, --help', 'Show this help']]),
    ...(command.details ? ['', ...command.details] : []),
    ...(command.name === 'secret' ? [] : ['', ...ENVIRONMENT]),
  ]
}
