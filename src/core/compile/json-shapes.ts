import type { Schema } from '../declare/inputs.js'
import { findInSchema } from '../schema-walk.js'

/**
 * Where a response model's output holds a `Set` or a `Map`, which JSON has no form for:
 * `JSON.stringify` writes either as `{}`, so the answer would pass the model and lose its data in
 * silence. Found at registration (`a z.set() at tags`, `… at items[].labels`), so the route can
 * refuse to be declared rather than answer `{}`. Only the output side is followed: a pipe's
 * output, not its input; a transform's result is not known before it runs.
 */
export function unwritableInResponse(schema: Schema): string | undefined {
  return kindAt(schema, UNWRITABLE, 'out')
}

// A set or a map is written `{}`; a function, a symbol or a promise is dropped or `{}`.
const UNWRITABLE = ['set', 'map', 'function', 'symbol', 'promise']

/**
 * Where an input schema has a `z.map()`, which nothing a client sends can become (JSON and text
 * have no map; a set comes as a list and is converted, a map is not): such an input could never
 * be valid. Only the input side is followed: a pipe's input.
 */
export function unreadableInInput(schema: Schema): string | undefined {
  return kindAt(schema, ['map'], 'in')
}

/** Whether an input schema has a `z.date()`, `z.set()` or `z.bigint()` anywhere a JSON body reaches. */
export function convertsInInput(schema: Schema): boolean {
  return kindAt(schema, ['date', 'set', 'bigint'], 'in') !== undefined
}

/** `a z.set() at tags` for the first node of one of these kinds, on that side of pipes. */
function kindAt(schema: Schema, kinds: readonly string[], pipe: 'in' | 'out'): string | undefined {
  const found = findInSchema(schema, { matches: (def) => kinds.includes(def.type), pipe })
  return found && `a z.${found.type}() at ${found.at || 'its top'}`
}
