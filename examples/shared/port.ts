/**
 * A port from the environment: decimal digits from 0 to 65535 (0: any free port); unset or empty is
 * `fallback`, so `PORT=` is not a random port and `PORT=0x1F4A` or `4.4e4` are mistakes, not ports.
 */
export function portFromEnv(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new Error(`${name} must be an integer from 0 to 65535`)
  return Number(value)
}
