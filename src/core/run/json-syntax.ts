/** Where a JSON text stops being JSON, and why, in the words of Python's `json` module. */
export interface JSONSyntaxError {
  /** Index of the offending character, in code points (Python's `JSONDecodeError.pos`). */
  readonly position: number
  readonly message: string
}

const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't'])
const HEX4 = /^[0-9A-Fa-f]{4}$/
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y

/** Thrown inside the scanner; caught by `locateJSONError`, never escapes it. */
class Stop {
  constructor(
    readonly index: number,
    readonly message: string,
  ) {}
}

/**
 * The first syntax error of a text `JSON.parse` refused, located as FastAPI reports it (its 422
 * says `loc: ["body", position]` and `ctx.error` is Python's message): V8's messages carry a
 * position for some errors only, and quote the text for others, which must never be echoed. One
 * linear pass, run only for a refused body (whose depth is already bounded, so recursion is too).
 * `undefined` when the scanner finds nothing wrong (a text valid here that `JSON.parse` refused).
 */
export function locateJSONError(text: string): JSONSyntaxError | undefined {
  try {
    let end = value(text, skip(text, 0))
    end = skip(text, end)
    if (end !== text.length) throw new Stop(end, 'Extra data')
    return undefined
  } catch (error) {
    if (!(error instanceof Stop)) throw error
    return { position: codePoints(text, error.index), message: error.message }
  }
}

/** Past JSON's whitespace (space, tab, LF, CR); by char code, as the scan of a 1 MiB body must be quick. */
function skip(text: string, at: number): number {
  let i = at
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) break
  }
  return i
}

/** A value starting at `at` (whitespace already skipped): the index just after it. */
function value(text: string, at: number): number {
  const char = text[at]
  if (char === '"') return string(text, at)
  if (char === '{') return object(text, at)
  if (char === '[') return array(text, at)
  for (const literal of ['null', 'true', 'false'])
    if (text.startsWith(literal, at)) return at + literal.length
  NUMBER.lastIndex = at
  if (NUMBER.test(text)) return NUMBER.lastIndex
  throw new Stop(at, 'Expecting value')
}

function object(text: string, at: number): number {
  let i = skip(text, at + 1)
  if (text[i] === '}') return i + 1
  for (;;) {
    if (text[i] !== '"') throw new Stop(i, 'Expecting property name enclosed in double quotes')
    i = skip(text, string(text, i))
    if (text[i] !== ':') throw new Stop(i, "Expecting ':' delimiter")
    i = skip(text, value(text, skip(text, i + 1)))
    if (text[i] === '}') return i + 1
    if (text[i] !== ',') throw new Stop(i, "Expecting ',' delimiter")
    i = skip(text, i + 1)
  }
}

function array(text: string, at: number): number {
  let i = skip(text, at + 1)
  if (text[i] === ']') return i + 1
  for (;;) {
    i = skip(text, value(text, i))
    if (text[i] === ']') return i + 1
    if (text[i] !== ',') throw new Stop(i, "Expecting ',' delimiter")
    i = skip(text, i + 1)
  }
}

/** A string whose opening quote is at `at`: the index just after its closing quote. */
function string(text: string, at: number): number {
  let i = at + 1
  for (;;) {
    if (i >= text.length) throw new Stop(at, 'Unterminated string starting at')
    const code = text.charCodeAt(i)
    if (code === 0x22) return i + 1
    if (code < 0x20) throw new Stop(i, 'Invalid control character at')
    if (code === 0x5c) {
      const escaped = text[i + 1]
      if (escaped === undefined) throw new Stop(at, 'Unterminated string starting at')
      if (escaped === 'u') {
        // CPython refuses four digits that reach the end, where no closing quote can follow.
        // The message names no character of the text: it could be part of a secret.
        if (i + 6 >= text.length || !HEX4.test(text.slice(i + 2, i + 6)))
          throw new Stop(i + 1, 'Invalid \\uXXXX escape')
        i += 6
        continue
      }
      if (!ESCAPES.has(escaped)) throw new Stop(i, 'Invalid \\escape')
      i += 2
      continue
    }
    i++
  }
}

/** A UTF-16 index as a count of code points (Python indexes strings by code point). */
function codePoints(text: string, index: number): number {
  let count = index
  for (let i = 0; i < index - 1; i++) {
    const code = text.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--
        i++
      }
    }
  }
  return count
}
