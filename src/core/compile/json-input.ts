import type * as z4 from 'zod/v4/core'
import { parseISODateTime } from '../date-text.js'
import type { Schema } from '../declare/inputs.js'
import { isPlainObject } from '../plain-object.js'
import { uniqueSet, unwrapSchema, wrappedSchema } from '../schema.js'
import { convertsInInput } from './json-shapes.js'

const DECIMAL_INTEGER = /^-?(?:0|[1-9]\d{0,999})$/

/** Turns a parsed JSON value into what the schema takes; the value itself when nothing changes. */
export type JSONConverter = (value: unknown) => unknown

/**
 * What a JSON body must become before its schema can take it, chosen once from the schema: JSON
 * has no date and no set, so `z.date()` would refuse every value a client can send (FastAPI reads
 * a `datetime` from ISO text and a `set[str]` from a list). ISO 8601 text where the schema has a
 * `z.date()` becomes a `Date`, a list where it has a `z.set()` becomes a `Set`, a whole number (or
decimal text, for digits a double cannot hold) where it has a `z.bigint()` a `BigInt`; nothing else
 * changes, and a value that does not convert is left for the schema to report. `undefined` when
 * the schema has neither, so most bodies pay nothing. The parsed body is never written to: what
 * changes is copied.
 */
export function jsonInputConverter(schema: Schema): JSONConverter | undefined {
  // Looked for first: a recursive model without either would otherwise be walked on every request.
  if (!convertsInInput(schema)) return undefined
  return new ConverterBuilder().build(schema as z4.$ZodTypes, 0)
}

class ConverterBuilder {
  // Recursive models (getters, z.lazy) meet themselves again: the converter being built is looked
  // up when it runs, and `null` marks a schema with nothing to convert.
  readonly #built = new Map<z4.$ZodTypes, JSONConverter | null>()
  readonly #building = new Set<z4.$ZodTypes>()

  build(schema: z4.$ZodTypes, depth: number): JSONConverter | undefined {
    const known = this.#built.get(schema)
    if (known !== undefined) return known ?? undefined
    if (this.#building.has(schema)) return (value) => this.#built.get(schema)?.(value) ?? value
    if (depth > 64) return undefined
    this.#building.add(schema)
    const converter = this.#convert(schema, depth + 1)
    this.#building.delete(schema)
    this.#built.set(schema, converter ?? null)
    return converter
  }

  #convert(schema: z4.$ZodTypes, depth: number): JSONConverter | undefined {
    const def = schema._zod.def
    const inner = (child: unknown) => this.build(child as z4.$ZodTypes, depth)
    const wrapped = wrappedSchema(def)
    if (wrapped) return inner(wrapped)
    switch (def.type) {
      case 'date':
        return (value) => (typeof value === 'string' ? (parseISODateTime(value) ?? value) : value)
      case 'bigint':
        // JSON has integers, no bigint: a whole number as JSON.parse read it exactly (a safe
        // integer), or decimal text for the digits a double cannot hold, as Pydantic reads an int.
        return (value) =>
          typeof value === 'number' && Number.isSafeInteger(value)
            ? BigInt(value)
            : typeof value === 'string' && DECIMAL_INTEGER.test(value)
              ? BigInt(value)
              : value
      case 'set': {
        const element = inner(def.valueType)
        return (value) =>
          Array.isArray(value) ? uniqueSet(element ? value.map(element) : value) : value
      }
      case 'pipe':
        return inner(def.in)
      case 'lazy':
        return inner(def.getter())
      case 'array': {
        const element = inner(def.element)
        return element && mapArray(element)
      }
      case 'tuple': {
        const items = def.items.map(inner)
        const rest = def.rest ? inner(def.rest) : undefined
        if (!items.some(Boolean) && !rest) return undefined
        return mapArray(
          (item, index) =>
            (items[index] ?? (index >= items.length ? rest : undefined))?.(item) ?? item,
        )
      }
      case 'object': {
        const fields = Object.entries(def.shape)
          .map(([key, field]) => [key, inner(field)] as const)
          .filter((entry): entry is readonly [string, JSONConverter] => entry[1] !== undefined)
        const rest = def.catchall ? inner(def.catchall) : undefined
        if (fields.length === 0 && !rest) return undefined
        const byKey = new Map(fields)
        const declared = new Set(Object.keys(def.shape))
        return mapObject((key) => (declared.has(key) ? byKey.get(key) : rest))
      }
      case 'record': {
        const values = inner(def.valueType)
        return values && mapObject(() => values)
      }
      case 'intersection': {
        const left = inner(def.left)
        const right = inner(def.right)
        if (!left || !right) return left ?? right
        return (value) => right(left(value))
      }
      case 'union':
        return unionConverter(def.options as readonly z4.$ZodTypes[], inner)
      default:
        return undefined
    }
  }
}

/**
 * A union converts as the one member the value's shape points to, chosen without parsing (a parse
 * per member and level would run async refinements synchronously and cost the square of the
 * depth): text that a text member takes stays text (`z.union([z.string(), z.date()])`, as
 * Pydantic's smart mode keeps an exact match), else the first member with something to convert
 * whose shape fits: the right kind of value, every field it requires there, and every literal
 * field (a discriminator) matching, so `{kind: 'b', at: '2026-…'}` keeps its string where only
 * member `a` has a date.
 */
function unionConverter(
  options: readonly z4.$ZodTypes[],
  inner: (child: unknown) => JSONConverter | undefined,
): JSONConverter | undefined {
  const members = options
    .map((option) => [option, inner(option)] as const)
    .filter((entry): entry is readonly [z4.$ZodTypes, JSONConverter] => entry[1] !== undefined)
  if (members.length === 0) return undefined
  const takesText = options.some((option) => TEXT_TYPES.has(shapeOf(option)._zod.def.type))
  // A number a number member takes stays a number (`z.union([z.number(), z.bigint()])`).
  const takesNumber = options.some((option) => NUMBER_TYPES.has(shapeOf(option)._zod.def.type))
  return (value) => {
    if (typeof value === 'string' && takesText) return value
    if (typeof value === 'number' && takesNumber) return value
    const chosen = members.find(([option]) => fits(option, value, 0))
    return chosen ? chosen[1](value) : value
  }
}

const TEXT_TYPES = new Set(['string', 'template_literal', 'any', 'unknown'])
const NUMBER_TYPES = new Set(['number', 'any', 'unknown'])

/** The schema under wrappers, a pipe's input side and `z.lazy`. */
function shapeOf(schema: z4.$ZodTypes): z4.$ZodTypes {
  let current = unwrapSchema(schema)
  for (let step = 0; step < 16 && current._zod.def.type === 'lazy'; step++)
    current = unwrapSchema(current._zod.def.getter() as Schema)
  return current
}

/** Whether `value` is of the kind `schema` takes: required fields there, literal ones matching. */
function fits(schema: z4.$ZodTypes, value: unknown, depth: number): boolean {
  if (depth > 8) return true
  const def = shapeOf(schema)._zod.def
  switch (def.type) {
    case 'date':
    case 'string':
    case 'template_literal':
      return typeof value === 'string'
    case 'array':
    case 'tuple':
    case 'set':
      return Array.isArray(value)
    case 'record':
    case 'map':
      return isPlainObject(value)
    case 'object':
      return (
        isPlainObject(value) &&
        Object.entries(def.shape).every(([key, field]) => {
          const fieldDef = shapeOf(field as z4.$ZodTypes)._zod.def
          // A field the member requires must be there.
          if (value[key] === undefined) return (field as z4.$ZodTypes)._zod.optin === 'optional'
          if (fieldDef.type === 'literal') return fieldDef.values.includes(value[key] as never)
          if (fieldDef.type === 'enum')
            return Object.values(fieldDef.entries).includes(value[key] as never)
          return true
        })
      )
    case 'literal':
      return def.values.includes(value as never)
    case 'union':
      return (def.options as readonly z4.$ZodTypes[]).some((option) =>
        fits(option, value, depth + 1),
      )
    case 'intersection':
      return (
        fits(def.left as z4.$ZodTypes, value, depth + 1) &&
        fits(def.right as z4.$ZodTypes, value, depth + 1)
      )
    default:
      return true
  }
}

function mapArray(convert: (item: unknown, index: number) => unknown): JSONConverter {
  return (value) => {
    if (!Array.isArray(value)) return value
    let copy: unknown[] | undefined
    for (let index = 0; index < value.length; index++) {
      const item = value[index]
      const converted = convert(item, index)
      if (converted === item) continue
      copy ??= value.slice()
      copy[index] = converted
    }
    return copy ?? value
  }
}

function mapObject(converterOf: (key: string) => JSONConverter | undefined): JSONConverter {
  return (value) => {
    if (!isPlainObject(value)) return value
    let copy: Record<string, unknown> | undefined
    for (const key of Object.keys(value)) {
      const convert = converterOf(key)
      if (!convert) continue
      const item = value[key]
      const converted = convert(item)
      if (converted === item) continue
      copy ??= { ...value }
      // Defined, not assigned: a `__proto__` key must stay a key.
      Object.defineProperty(copy, key, {
        value: converted,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    return copy ?? value
  }
}
