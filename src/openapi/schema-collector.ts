import * as z4 from 'zod/v4/core'
import type { Schema } from '../core/declare/inputs.js'

export type JSONSchema = Record<string, unknown>

/** The key a self-referring root schema is filed under among a conversion's `$defs`. */
const SELF = '\u0000self'

/**
 * Turns Zod schemas into OpenAPI 3.1 schemas, moving every schema named with `.meta({ id })` into
 * `components.schemas` and pointing at it with `$ref`. When one name would describe two different
 * shapes (a schema whose input and output differ), the second gets a `-Input`/`-Output` suffix, as
 * FastAPI does.
 */
export class SchemaCollector {
  readonly components: Record<string, JSONSchema> = {}
  readonly #cache = new Map<Schema, JSONSchema>()
  readonly #cacheOutput = new Map<Schema, JSONSchema>()

  /**
   * The schema for `schema`, inline or as a `$ref` if it is named. An anonymous schema that refers
   * to itself (`z.lazy`) becomes a component under `recursiveName`: inline, its `"$ref": "#"` would
   * point at the whole OpenAPI document.
   */
  toSchema(schema: Schema, io: 'input' | 'output', recursiveName = 'Recursive'): JSONSchema {
    const cache = io === 'input' ? this.#cache : this.#cacheOutput
    const cached = cache.get(schema)
    if (cached) return cached
    const converted = z4.toJSONSchema(schema, {
      io,
      target: 'draft-2020-12',
      unrepresentable: 'any',
      override: ({ zodSchema, jsonSchema }) => {
        // Zod marks output objects closed; FastAPI documents them open, and keeping one shape for
        // input and output avoids needless -Input/-Output pairs.
        const def = zodSchema._zod.def
        if (io === 'output' && def.type === 'object' && def.catchall === undefined)
          delete jsonSchema.additionalProperties
        // A Date goes out as JSON.stringify writes it and comes in as ISO text (converted for
        // `z.date()`, parsed by `z.coerce.date()`).
        if (def.type === 'date') Object.assign(jsonSchema, { type: 'string', format: 'date-time' })
        // A Set comes in as a list, duplicates merged, as FastAPI documents a `set[str]`.
        if (def.type === 'set')
          Object.assign(jsonSchema, {
            type: 'array',
            uniqueItems: true,
            items: this.toSchema(def.valueType as Schema, io),
          })
        // `.default(new Set())` is documented as the list a client would send, not as `{}`.
        if ((def.type === 'default' || def.type === 'prefault') && def.defaultValue instanceof Set)
          jsonSchema.default = JSON.parse(JSON.stringify([...def.defaultValue]))
        // `z.enum(Level)` of a numeric TypeScript enum, `z.literal(5)`: integers, as Pydantic
        // documents an `IntEnum` or `Literal[5]`, so client generators make them ints.
        if (
          (def.type === 'enum' || def.type === 'literal') &&
          jsonSchema.type === 'number' &&
          [...(Array.isArray(jsonSchema.enum) ? jsonSchema.enum : []), jsonSchema.const]
            .filter((value) => value !== undefined)
            .every(Number.isInteger)
        )
          jsonSchema.type = 'integer'
        // A field with `.catch()` takes its fallback when missing too: not required, as a
        // Pydantic field with a default is not.
        if (def.type === 'object' && io === 'input' && Array.isArray(jsonSchema.required)) {
          const shape = def.shape as Record<string, Schema>
          const required = jsonSchema.required.filter(
            (key) => (shape[key as string] as z4.$ZodTypes | undefined)?._zod.def.type !== 'catch',
          )
          if (required.length > 0) jsonSchema.required = required
          else delete jsonSchema.required
        }
        // `z.discriminatedUnion('kind', …)`: the property that tells the members apart, which
        // client generators need to pick one (Pydantic documents `Field(discriminator=…)` so).
        const discriminator = (def as { discriminator?: unknown }).discriminator
        if (def.type === 'union' && typeof discriminator === 'string' && jsonSchema.oneOf)
          jsonSchema.discriminator = { propertyName: discriminator }
        // A bigint goes out as a JSON number, every digit kept, and comes in from decimal text.
        if (def.type === 'bigint') Object.assign(jsonSchema, { type: 'integer' })
      },
    }) as JSONSchema
    const { $schema: _ignored, $defs, ...root } = converted
    const defs = ($defs ?? {}) as Record<string, JSONSchema>
    if (refersTo(root, '#')) defs[SELF] = root
    const renames = new Map(
      Object.keys(defs).map((name) => [name, name === SELF ? recursiveName : name]),
    )
    // A name depends on the names of what it refers to (`X` that points at `Y-Output` is not the
    // `X` that points at `Y`): claimed again until nothing changes.
    for (let round = 0, changed = true; changed && round <= renames.size; round++) {
      changed = false
      for (const [name, def] of Object.entries(defs)) {
        const base = name === SELF ? recursiveName : name
        const claimed = this.#claim(base, rewriteRefs(def, renames) as JSONSchema, io)
        if (claimed !== renames.get(name)) {
          renames.set(name, claimed)
          changed = true
        }
      }
    }
    const stored: JSONSchema[] = []
    for (const [name, def] of Object.entries(defs)) {
      const component = rewriteRefs(def, renames) as JSONSchema
      this.components[renames.get(name) ?? name] = component
      stored.push(component)
    }
    const result =
      defs[SELF] === undefined
        ? (rewriteRefs(root, renames) as JSONSchema)
        : { $ref: refTo(renames.get(SELF) as string) }
    for (const converted of [result, ...stored])
      addDiscriminatorMappings(converted, this.components)
    cache.set(schema, result)
    return result
  }

  /**
   * A schema for a request or response body: named schemas become `$ref`s; an anonymous object gets
   * `fallbackName` (e.g. `Body_create_item_items__post`) so clients get a named type.
   */
  toNamedSchema(schema: Schema, io: 'input' | 'output', fallbackName: string): JSONSchema {
    const result = this.toSchema(schema, io, fallbackName)
    if ('$ref' in result || result.type !== 'object') return result
    return this.addComponent(fallbackName, { ...result, title: result.title ?? fallbackName }, io)
  }

  /** The component a local `$ref` points at, or the schema itself when it is not a reference. */
  resolve(schema: JSONSchema): JSONSchema {
    const ref = schema.$ref
    if (typeof ref !== 'string' || !ref.startsWith('#/components/schemas/')) return schema
    return this.components[ref.slice('#/components/schemas/'.length)] ?? schema
  }

  /** Add a hand-made component and return a `$ref` to it. */
  addComponent(name: string, schema: JSONSchema, io: 'input' | 'output' = 'input'): JSONSchema {
    const claimed = this.#claim(name, schema, io)
    this.components[claimed] = schema
    return { $ref: refTo(claimed) }
  }

  /** The component name `schema` will live under: `name` if free or identical, else a variant. */
  #claim(given: string, schema: JSONSchema, io: 'input' | 'output'): string {
    // OpenAPI 3.1 §4.8.7.1: component names match ^[a-zA-Z0-9.\-_]+$ (an operationId or a
    // `.meta({ id })` may hold anything); FastAPI makes `Body_` names from the path the same way.
    const name = given.replace(/[^A-Za-z0-9.\-_]/g, '_') || 'Schema'
    const candidates = [name, `${name}-${io === 'input' ? 'Input' : 'Output'}`]
    for (let n = 2; n < 100; n++) candidates.push(`${name}${n}`)
    for (const candidate of candidates) {
      const existing = this.components[candidate]
      if (existing === undefined || sameJSON(existing, schema)) return candidate
    }
    throw new TypeError(`too many different schemas named "${name}"`)
  }
}

/**
 * A discriminator whose members are all components gets its `mapping` (value → `$ref`), read from
 * each member's literal `const` or `enum`, as FastAPI writes it; any other is left without one.
 */
function addDiscriminatorMappings(value: unknown, components: Record<string, JSONSchema>): void {
  if (Array.isArray(value)) {
    for (const entry of value) addDiscriminatorMappings(entry, components)
    return
  }
  if (value === null || typeof value !== 'object') return
  const node = value as JSONSchema
  const discriminator = node.discriminator as { propertyName?: unknown } | undefined
  if (
    typeof discriminator?.propertyName === 'string' &&
    Array.isArray(node.oneOf) &&
    !('mapping' in discriminator)
  ) {
    const mapping = mappingOf(node.oneOf, discriminator.propertyName, components)
    if (mapping !== undefined) Object.assign(discriminator, { mapping })
  }
  for (const entry of Object.values(node)) addDiscriminatorMappings(entry, components)
}

function mappingOf(
  members: readonly unknown[],
  property: string,
  components: Record<string, JSONSchema>,
): Record<string, string> | undefined {
  const mapping: Record<string, string> = {}
  for (const member of members) {
    const ref = (member as JSONSchema | null)?.$ref
    if (typeof ref !== 'string' || !ref.startsWith('#/components/schemas/')) return undefined
    const component = components[ref.slice('#/components/schemas/'.length)]
    const field = (component?.properties as Record<string, JSONSchema> | undefined)?.[property]
    const values = field?.const !== undefined ? [field.const] : field?.enum
    if (!Array.isArray(values) || values.length === 0) return undefined
    for (const tag of values) mapping[String(tag)] = ref
  }
  return mapping
}

function refTo(name: string): string {
  return `#/components/schemas/${name}`
}

function rewriteRefs(value: unknown, renames: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((entry) => rewriteRefs(entry, renames))
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, entry] of Object.entries(value)) {
    if (key === '$ref' && typeof entry === 'string' && entry.startsWith('#/$defs/')) {
      // Zod escapes def names as JSON Pointer tokens (RFC 6901): `~1` is `/`, `~0` is `~`.
      const name = entry.slice('#/$defs/'.length).replace(/~1/g, '/').replace(/~0/g, '~')
      out[key] = refTo(renames.get(name) ?? name)
    } else if (key === '$ref' && entry === '#') {
      out[key] = refTo(renames.get(SELF) ?? 'Recursive')
    } else out[key] = rewriteRefs(entry, renames)
  }
  return out
}

/** Whether `value` holds a `$ref` equal to `ref`. */
function refersTo(value: unknown, ref: string): boolean {
  if (Array.isArray(value)) return value.some((entry) => refersTo(entry, ref))
  if (value === null || typeof value !== 'object') return false
  for (const [key, entry] of Object.entries(value))
    if ((key === '$ref' && entry === ref) || refersTo(entry, ref)) return true
  return false
}

function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}
