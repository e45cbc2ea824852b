import type * as z4 from 'zod/v4/core'
import type { Schema } from '../declare/inputs.js'
import { wrappedSchema } from '../schema.js'

/**
 * Where a response model's output holds a `Set` or a `Map`, which JSON has no form for:
 * `JSON.stringify` writes either as `{}`, so the answer would pass the model and lose its data in
 * silence. Found at registration (`a z.set() at tags`, `… at items[].labels`), so the route can
 * refuse to be declared rather than answer `{}`. Only the output side is followed: a pipe's
 * output, not its input; a transform's result is not known before it runs.
 */
export function unwritableInResponse(schema: Schema): string | undefined {
  return walk(schema as z4.$ZodTypes, OUTPUT, '', new Set(), 0)
}

/**
 * Where an input schema has a `z.map()`, which nothing a client sends can become (JSON and text
 * have no map; a set comes as a list and is converted, a map is not): such an input could never
 * be valid. Only the input side is followed: a pipe's input.
 */
export function unreadableInInput(schema: Schema): string | undefined {
  return walk(schema as z4.$ZodTypes, INPUT, '', new Set(), 0)
}

/** Whether an input schema has a `z.date()` or a `z.set()` anywhere a JSON body reaches. */
export function convertsInInput(schema: Schema): boolean {
  return walk(schema as z4.$ZodTypes, CONVERTED, '', new Set(), 0) !== undefined
}

interface Side {
  readonly refused: ReadonlySet<string>
  readonly pipe: 'in' | 'out'
}
const OUTPUT: Side = { refused: new Set(['set', 'map']), pipe: 'out' }
const INPUT: Side = { refused: new Set(['map']), pipe: 'in' }
const CONVERTED: Side = { refused: new Set(['date', 'set']), pipe: 'in' }

function walk(
  schema: z4.$ZodTypes,
  side: Side,
  at: string,
  seen: Set<unknown>,
  depth: number,
): string | undefined {
  // Recursive models (getters, z.lazy) meet themselves again; a repeat adds nothing.
  if (depth > 32 || seen.has(schema)) return undefined
  seen.add(schema)
  const def = schema._zod.def
  const next = (inner: unknown, path: string) =>
    walk(inner as z4.$ZodTypes, side, path, seen, depth + 1)
  const wrapped = wrappedSchema(def)
  if (wrapped) return next(wrapped, at)
  if (side.refused.has(def.type)) return `a z.${def.type}() at ${at || 'its top'}`
  switch (def.type) {
    case 'set':
      return next(def.valueType, `${at}[]`)
    case 'map':
      return next(def.valueType, `${at}[*]`)
    case 'pipe':
      return next(side.pipe === 'in' ? def.in : def.out, at)
    case 'lazy':
      return next(def.getter(), at)
    case 'array':
      return next(def.element, `${at}[]`)
    case 'object': {
      for (const [key, field] of Object.entries(def.shape)) {
        const found = next(field, at ? `${at}.${key}` : key)
        if (found) return found
      }
      return def.catchall ? next(def.catchall, `${at}[*]`) : undefined
    }
    case 'record':
      return next(def.valueType, `${at}[*]`)
    case 'tuple': {
      for (const [index, item] of def.items.entries()) {
        const found = next(item, `${at}[${index}]`)
        if (found) return found
      }
      return def.rest ? next(def.rest, `${at}[]`) : undefined
    }
    case 'union':
      for (const option of def.options) {
        const found = next(option, at)
        if (found) return found
      }
      return undefined
    case 'intersection':
      return next(def.left, at) ?? next(def.right, at)
    default:
      return undefined
  }
}
