import type * as z4 from 'zod/v4/core'
import type { Schema } from './declare/inputs.js'

/** The schema's own definition, through wrappers that do not change the wire shape. */
export function unwrapSchema(schema: Schema): z4.$ZodTypes {
  let current = schema as z4.$ZodTypes
  for (let depth = 0; depth < 20; depth++) {
    const def = current._zod.def
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'nonoptional':
      case 'readonly':
      case 'catch':
        current = def.innerType as z4.$ZodTypes
        break
      case 'pipe':
        current = def.in as z4.$ZodTypes
        break
      default:
        return current
    }
  }
  return current
}

export function isArraySchema(schema: Schema): boolean {
  const type = unwrapSchema(schema)._zod.def.type
  return type === 'array' || type === 'set'
}

export function isObjectSchema(schema: Schema): boolean {
  return unwrapSchema(schema)._zod.def.type === 'object'
}

export function isFileSchema(schema: Schema): boolean {
  const inner = unwrapSchema(schema)
  if (inner._zod.def.type === 'file') return true
  if (inner._zod.def.type === 'array') return isFileSchema(inner._zod.def.element as Schema)
  return false
}

/** The keys of an object schema's shape. */
export function objectShape(schema: Schema): Record<string, Schema> {
  const inner = unwrapSchema(schema)
  return inner._zod.def.type === 'object' ? (inner._zod.def.shape as Record<string, Schema>) : {}
}

type Coerce = (raw: string) => unknown

// Pydantic's grammar for numbers in text: `Number()` alone would also take `0x10`, `0b101`, `0o17`,
// ` 5 ` and `5.`, so several spellings would reach a handler as the same id.
const DECIMAL = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/
const INTEGER = /^[+-]?\d+$/

/**
 * Text-to-value conversion for inputs that arrive as strings (path, query, header, cookie, form),
 * chosen once from the schema: `?limit=10` reaches `z.number()` as 10 without `z.coerce`, as in
 * FastAPI. Text that does not convert is passed on unchanged so the schema reports it.
 */
export function textCoercer(schema: Schema): Coerce | undefined {
  const inner = unwrapSchema(schema)
  switch (inner._zod.def.type) {
    case 'number':
      return (raw) => {
        if (!DECIMAL.test(raw)) return raw
        const n = Number(raw)
        return Number.isFinite(n) ? n : raw
      }
    case 'bigint':
      return (raw) => (INTEGER.test(raw) ? BigInt(raw) : raw)
    case 'boolean':
      return (raw) => {
        const lower = raw.trim().toLowerCase()
        if (['true', '1', 'yes', 'on', 't', 'y'].includes(lower)) return true
        if (['false', '0', 'no', 'off', 'f', 'n'].includes(lower)) return false
        return raw
      }
    case 'null':
      return (raw) => (raw === '' || raw === 'null' ? null : raw)
    default:
      return undefined
  }
}

/** Like {@link textCoercer} for list inputs: converts each element. */
export function listCoercer(schema: Schema): Coerce | undefined {
  const inner = unwrapSchema(schema)
  const def = inner._zod.def
  if (def.type === 'array') return textCoercer(def.element as Schema)
  if (def.type === 'set') return textCoercer(def.valueType as Schema)
  return undefined
}

/** Whether the input may be absent (`.optional()`, `.default()`, ...). */
export function isOptionalSchema(schema: Schema): boolean {
  const optin = (schema._zod as { optin?: string }).optin
  return optin === 'optional' || optin === 'defaulted'
}
