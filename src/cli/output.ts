/**
 * Plain-text output: a table whose columns are padded to their widest cell, and times as ISO
 * 8601 (UTC, whole seconds). JSON output is `JSON.stringify` of plain objects whose keys are
 * written in a fixed order, so scripts can rely on it.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const lines = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...lines.map((line) => line[i]?.length ?? 0)))
  return lines.map((line) =>
    line
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  )
}

/** Seconds since the epoch as `2026-01-31T12:00:00Z`; `null` stays `null`. */
export function isoTime(seconds: number): string
export function isoTime(seconds: number | null): string | null
export function isoTime(seconds: number | null): string | null {
  if (seconds === null) return null
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
}

/** A list cell: its items joined by `separator`, `-` when empty. */
export function cell(items: readonly string[], separator = ' '): string {
  return items.length === 0 ? '-' : items.join(separator)
}
