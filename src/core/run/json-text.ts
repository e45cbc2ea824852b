/**
 * `JSON.stringify` as FastAPI's `jsonable_encoder` would answer, for what a handler returns:
 * - a `bigint` is written as the JSON number it is, every digit kept (as Pydantic writes a Python
 *   `int`), where `JSON.stringify` throws: a `bigint` schema is how a response model carries
 *   integers beyond 2^53;
 * - a `Set` or a generator is written as a list and a `Map` as an object, where `JSON.stringify`
 *   writes `{}` and the data is lost with a 200;
 * - a stream, a blob, a promise or an async generator, and an answer that is itself a function or
 *   a symbol, have no JSON form: a `TypeError` says what to return instead, so the route answers a
 *   logged 500, never a 200 with an empty or `{}` body (a function among an object's properties is
 *   left out, as `JSON.stringify` leaves it).
 * The plain call runs first, and the careful one only when its text holds a `bigint` error or a
 * `{}` (where an unwritable object would have gone): most answers pay nothing for this.
 */
export function jsonText(value: unknown): string {
  // Bytes would be written as `{"0":…}`: a body of bytes is a `Response`.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
    throw new TypeError(
      'the answer is binary data, which JSON has no form for: return new Response(bytes) to send it as the body',
    )
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (error) {
    if (!(error instanceof TypeError) || !/BigInt/i.test(error.message)) throw error
  }
  if (text !== undefined && !text.includes('{}')) return text
  // Each bigint becomes a string carrying this process's random marker, then the quotes and the
  // marker go: no text a client sent can contain a marker it never saw.
  marker ??= `bigint:${crypto.randomUUID()}:`
  const careful = JSON.stringify(value, encodable)
  if (careful === undefined) throw unwritable(value)
  return careful.includes(marker) ? careful.replace(markedPattern(), '$1') : careful
}

let marker: string | undefined
let pattern: RegExp | undefined

function encodable(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return `${marker}${value}`
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  if (value instanceof Set) return [...value]
  if (value instanceof Map) return mapObject(value)
  if (
    value instanceof ReadableStream ||
    value instanceof Blob ||
    value instanceof Promise ||
    Symbol.asyncIterator in value
  )
    throw unwritable(value)
  if (Symbol.iterator in value && typeof (value as { next?: unknown }).next === 'function')
    return [...(value as Iterable<unknown>)]
  return value
}

function mapObject(map: Map<unknown, unknown>): Record<string, unknown> {
  const object: Record<string, unknown> = {}
  for (const [key, item] of map) {
    if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'bigint')
      throw new TypeError(
        'the answer holds a Map whose keys are not strings or numbers: JSON has no form for it',
      )
    // Defined, not assigned: a `__proto__` key must stay a key.
    Object.defineProperty(object, String(key), {
      value: item,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return object
}

function unwritable(value: unknown): TypeError {
  if (value instanceof ReadableStream || value instanceof Blob)
    return new TypeError(
      `the answer holds a ${value instanceof Blob ? 'Blob' : 'ReadableStream'}, which JSON has no form for: return new Response(it) to send it as the body`,
    )
  if (value instanceof Promise) return new TypeError('the answer holds a Promise: await it first')
  const kind =
    value === null || typeof value !== 'object'
      ? `is ${typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`}`
      : Symbol.asyncIterator in value
        ? 'holds an async iterator'
        : 'is an object whose toJSON() gives nothing'
  return new TypeError(`the answer ${kind}, which JSON has no form for`)
}

function markedPattern(): RegExp {
  pattern ??= new RegExp(`"${marker}(-?\\d+)"`, 'g')
  pattern.lastIndex = 0
  return pattern
}
