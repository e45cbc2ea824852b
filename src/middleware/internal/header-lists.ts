import type { MiddlewareContext } from '../../app/middleware.js'

/** RFC 9110 §5.6.2 `token`: what header and method names are made of. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** The items of a comma-separated header value, trimmed, empty ones dropped (RFC 9110 §5.6.1). */
export function splitList(value: string): string[] {
  const items: string[] = []
  for (const part of value.split(',')) {
    const item = part.trim()
    if (item !== '') items.push(item)
  }
  return items
}

/**
 * Add names to the answer's `Vary` once each (compared case-insensitively), keeping what is there.
 * A `Vary: *` already says everything.
 */
export function addVary(ctx: MiddlewareContext, names: readonly string[]): void {
  const current = ctx.header('vary')
  if (current === undefined || current.trim() === '') {
    ctx.setHeader('vary', names.join(', '))
    return
  }
  const present = new Set(splitList(current).map((name) => name.toLowerCase()))
  if (present.has('*')) return
  const missing = names.filter((name) => !present.has(name.toLowerCase()))
  if (missing.length > 0) ctx.setHeader('vary', `${current}, ${missing.join(', ')}`)
}
