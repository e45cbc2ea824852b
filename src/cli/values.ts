import { usageError } from './errors.js'

/**
 * `--scopes "read write"`: space-separated (RFC 6749 §3.3: spaces only, so a tab or newline is
 * refused rather than read as one); a comma is refused as the likely typo it is.
 */
export function scopesOption(value: string | boolean | undefined, command: string): string[] {
  if (typeof value !== 'string') return []
  if (/[^\S ]/.test(value))
    throw usageError(command, '--scopes is separated by spaces only (no tabs or newlines)')
  const scopes = value.split(' ').filter((scope) => scope !== '')
  if (scopes.some((scope) => scope.includes(',')))
    throw usageError(command, '--scopes is space-separated: --scopes "read write"')
  return scopes
}

/**
 * `--grant-types a,b`, `--redirect-uris u1,u2`: comma-separated, empty items dropped. Only ASCII
 * spaces beside the commas are trimmed (`a, b`): a U+00A0 or U+2028 glued to an item stays, for its
 * check to refuse, rather than being silently dropped from what is stored.
 */
export function listOption(value: string | boolean | undefined): string[] {
  if (typeof value !== 'string') return []
  return value
    .split(',')
    .map((item) => item.replace(/^ +| +$/g, ''))
    .filter((item) => item !== '')
}

/** A whole number option within bounds, or `fallback` when absent. */
export function integerOption(
  value: string | boolean | undefined,
  option: string,
  bounds: { min: number; max: number; fallback: number },
  command: string,
): number {
  if (typeof value !== 'string') return bounds.fallback
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(number) || number < bounds.min || number > bounds.max)
    throw usageError(
      command,
      `--${option} must be a whole number from ${bounds.min} to ${bounds.max}`,
    )
  return number
}

/** The administration's option names as the CLI's options. */
const OPTION_NAMES: Record<string, string> = {
  grantTypes: '--grant-types',
  redirectUris: '--redirect-uris',
  name: '--name',
  scopes: '--scopes',
  id: '<client_id>',
}

/** An administration `TypeError` ("createUser: `username` must …") as the CLI says it. */
export function adminMessage(error: Error): string {
  return error.message
    .replace(/^create(User|Client): /, '')
    .replace(/`(\w+)`/g, (_, name: string) => OPTION_NAMES[name] ?? `<${name}>`)
}
