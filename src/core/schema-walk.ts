import type * as z4 from 'zod/v4/core'
import type { Schema } from './declare/inputs.js'
import { wrappedSchema } from './schema.js'

type Definition = z4.$ZodTypes['_zod']['def']

/** What {@link findInSchema} looks for, and which side of a pipe it follows. */
export interface SchemaSearch {
  /** Whether a node is what is looked for, by its own definition (a wrapper's included). */
  readonly matches: (def: Definition) => boolean
  /** A pipe's input (what a client sends), its output (what a handler returns), or both. */
  readonly pipe: 'in' | 'out' | 'both'
}

/**
 * The first node of `schema` that `search` matches, with where it sits (`tags`, `items[].labels`,
 * `[*]` for a record's values, `''` for the top), at registration, never per request. Wrappers,
 * `z.lazy`, objects (and their catchall), arrays, sets, maps' and records' values, tuples, unions
 * and intersections are followed; recursion stops at a schema met before.
 */
export function findInSchema(
  schema: Schema,
  search: SchemaSearch,
): { readonly type: string; readonly at: string } | undefined {
  return walk(schema as z4.$ZodTypes, search, '', new Set(), 0)
}

function walk(
  schema: z4.$ZodTypes,
  search: SchemaSearch,
  at: string,
  seen: Set<unknown>,
  depth: number,
): { readonly type: string; readonly at: string } | undefined {
  // Recursive models (getters, z.lazy) meet themselves again; a repeat adds nothing.
  if (depth > 32 || seen.has(schema)) return undefined
  seen.add(schema)
  const def = schema._zod.def
  if (search.matches(def)) return { type: def.type, at }
  const next = (inner: unknown, path: string) =>
    walk(inner as z4.$ZodTypes, search, path, seen, depth + 1)
  const wrapped = wrappedSchema(def)
  if (wrapped) return next(wrapped, at)
  switch (def.type) {
    case 'set':
      return next(def.valueType, `${at}[]`)
    case 'map':
    case 'record':
      return next(def.valueType, `${at}[*]`)
    case 'pipe':
      if (search.pipe === 'in') return next(def.in, at)
      if (search.pipe === 'out') return next(def.out, at)
      return next(def.in, at) ?? next(def.out, at)
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
