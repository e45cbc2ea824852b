/**
 * `JSON.stringify`, except that a `bigint` is written as the JSON number it is, every digit kept
 * (as Pydantic writes a Python `int`), where `JSON.stringify` throws. A `bigint` schema is how a
 * response model carries integers beyond 2^53, so refusing them would make such models unusable.
 * The plain call runs first: answers without a `bigint` pay nothing for this.
 */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value)
  } catch (error) {
    if (!(error instanceof TypeError) || !/BigInt/i.test(error.message)) throw error
  }
  // Each bigint becomes a string carrying this process's random marker, then the quotes and the
  // marker go: no text a client sent can contain a marker it never saw.
  marker ??= `bigint:${crypto.randomUUID()}:`
  const text = JSON.stringify(value, bigintAsMarkedString)
  return text.replace(markedPattern(), '$1')
}

let marker: string | undefined
let pattern: RegExp | undefined

function bigintAsMarkedString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${marker}${value}` : value
}

function markedPattern(): RegExp {
  pattern ??= new RegExp(`"${marker}(-?\\d+)"`, 'g')
  pattern.lastIndex = 0
  return pattern
}
