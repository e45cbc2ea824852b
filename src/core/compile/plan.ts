import type {
  Dependency,
  DependsInput,
  InputLike,
  Inputs,
  SecurityInput,
} from '../declare/dependency.js'
import type {
  BodyInput,
  FormInput,
  InputDocs,
  ParamInput,
  ParamLocation,
  Schema,
} from '../declare/inputs.js'
import { SecurityScheme } from '../declare/security-scheme.js'
import { SecurityScopes } from '../declare/security-scopes.js'
import {
  isArraySchema,
  isFileSchema,
  isObjectSchema,
  listCoercer,
  objectShape,
  textCoercer,
} from '../schema.js'

type Coerce = ((raw: string) => unknown) | undefined

/** How a text source (query, header, cookie, form) is read into a value before validation. */
export type TextRead =
  | { mode: 'scalar'; coerce: Coerce }
  | { mode: 'list'; coerce: Coerce }
  | { mode: 'model'; fields: readonly ModelField[] }

export interface ModelField {
  readonly name: string
  readonly read: { mode: 'scalar' | 'list'; coerce: Coerce }
}

export interface ParamStep {
  readonly slot: number
  readonly location: ParamLocation
  /** The name on the wire (header names lower-case). */
  readonly name: string
  readonly schema: Schema
  readonly read: TextRead
  readonly docs: InputDocs
}

export interface BodyStep {
  readonly slot: number
  readonly schema: Schema
  /** The property of the JSON body to read; `undefined` reads the whole body. */
  embedAs: string | undefined
  readonly key: string
  readonly docs: InputDocs & { mediaType?: string; embed?: boolean; alias?: string }
}

export interface FormStep {
  readonly slot: number
  readonly schema: Schema
  /** The field name; `undefined` for a model that reads the whole form. */
  readonly name: string | undefined
  readonly read: TextRead
  readonly file: boolean
  readonly docs: InputDocs & { multipart?: boolean }
}

export interface SchemeStep {
  readonly slot: number
  readonly scheme: SecurityScheme
}

/** Which slot holds the value for each key of an inputs object. */
export type Bindings = readonly (readonly [key: string, slot: number])[]

export interface DependencyStep {
  readonly slot: number
  readonly dependency: Dependency
  readonly args: Bindings
}

/** A security requirement collected from the tree: one per scheme, scopes in first-seen order. */
export interface SecurityRequirement {
  readonly scheme: SecurityScheme
  readonly scopes: string[]
}

/**
 * Everything a route needs per request, computed once at registration: the inputs flattened into
 * steps that write numbered slots, dependencies in execution order with their cache slots decided,
 * and the security requirements for OpenAPI.
 */
export interface Plan {
  /** Initial slot values: constants such as each dependency's `SecurityScopes`. */
  readonly template: readonly unknown[]
  readonly params: readonly ParamStep[]
  readonly bodies: readonly BodyStep[]
  readonly forms: readonly FormStep[]
  readonly schemes: readonly SchemeStep[]
  readonly dependencies: readonly DependencyStep[]
  readonly handlerArgs: Bindings
  readonly requestSlot: number | undefined
  readonly security: readonly SecurityRequirement[]
}

export interface PlanInput {
  readonly inputs: Inputs
  /** Decorator-style dependencies (app, router, route), run for their effect before the handler's. */
  readonly dependencies: readonly InputLike[]
  /** The path's parameter names. */
  readonly pathParams: ReadonlySet<string>
  /** For error messages: `GET /items/{id}`. */
  readonly routeName: string
}

const dependencyIds = new WeakMap<object, number>()
let nextDependencyId = 1
const scopeUse = new WeakMap<Dependency, boolean>()

function identityOf(dep: object): number {
  let id = dependencyIds.get(dep)
  if (id === undefined) {
    id = nextDependencyId++
    dependencyIds.set(dep, id)
  }
  return id
}

/** Whether a dependency's value can depend on the scope set: it or a descendant reads SecurityScopes. */
function usesScopes(dep: Dependency, seen = new Set<Dependency>()): boolean {
  const known = scopeUse.get(dep)
  if (known !== undefined) return known
  if (seen.has(dep)) return false
  seen.add(dep)
  let uses = false
  for (const source of Object.values(dep.inputs)) {
    if (source === SecurityScopes) uses = true
    else {
      const inner = innerDependency(source)
      if (inner && usesScopes(inner, seen)) uses = true
    }
    if (uses) break
  }
  scopeUse.set(dep, uses)
  return uses
}

type Wrapper = DependsInput | SecurityInput

function kindOf(source: InputLike): string | undefined {
  if (typeof source !== 'object' || source === null || !('~gatehouse' in source)) return undefined
  return source['~gatehouse']
}

function innerDependency(source: InputLike): Dependency | undefined {
  const kind = kindOf(source)
  if (kind === 'dependency') return source as Dependency
  if (kind === 'depends' || kind === 'security') {
    const inner = (source as Wrapper).dependency
    return inner instanceof SecurityScheme ? undefined : (inner as Dependency)
  }
  return undefined
}

/** Analyse an inputs tree once into a {@link Plan}. Misuse throws a `TypeError` naming the route. */
export function compilePlan(input: PlanInput): Plan {
  return new PlanBuilder(input).build()
}

class PlanBuilder {
  readonly #input: PlanInput
  readonly #template: unknown[] = []
  readonly #params: ParamStep[] = []
  readonly #bodies: BodyStep[] = []
  readonly #forms: FormStep[] = []
  readonly #schemes: SchemeStep[] = []
  readonly #dependencies: DependencyStep[] = []
  readonly #schemeSlots = new Map<SecurityScheme, number>()
  readonly #cacheSlots = new Map<string, number>()
  readonly #security = new Map<SecurityScheme, string[]>()
  readonly #stack: Dependency[] = []
  #requestSlot: number | undefined

  constructor(input: PlanInput) {
    this.#input = input
  }

  build(): Plan {
    for (const dep of this.#input.dependencies) this.#bind('', dep, [])
    const handlerArgs = this.#bindAll(this.#input.inputs, [])
    this.#finishBodies()
    return {
      template: this.#template,
      params: this.#params,
      bodies: this.#bodies,
      forms: this.#forms,
      schemes: this.#schemes,
      dependencies: this.#dependencies,
      handlerArgs,
      requestSlot: this.#requestSlot,
      security: [...this.#security].map(([scheme, scopes]) => ({ scheme, scopes })),
    }
  }

  #fail(message: string): never {
    throw new TypeError(`${this.#input.routeName}: ${message}`)
  }

  #slot(value?: unknown): number {
    this.#template.push(value)
    return this.#template.length - 1
  }

  #bindAll(inputs: Inputs, scopes: readonly string[]): Bindings {
    if (inputs === null || typeof inputs !== 'object') this.#fail('`inputs` must be an object')
    return Object.entries(inputs).map(
      ([key, source]) => [key, this.#bind(key, source, scopes)] as const,
    )
  }

  /** Compile one input source and return the slot its value lands in. */
  #bind(key: string, source: InputLike, scopes: readonly string[]): number {
    if (source === SecurityScopes) return this.#slot(new SecurityScopes(scopes))
    if (source === globalThis.Request) {
      this.#requestSlot ??= this.#slot()
      return this.#requestSlot
    }
    if (source instanceof SecurityScheme) return this.#bindScheme(source, scopes)
    if (isZodSchema(source)) return this.#bindBareSchema(key, source)
    switch (kindOf(source)) {
      case 'param':
        return this.#bindParam(key, source as ParamInput)
      case 'body':
        return this.#bindBody(key, source as BodyInput)
      case 'form':
        return this.#bindForm(key, source as FormInput)
      case 'dependency':
        return this.#bindDependency(source as Dependency, scopes, true)
      case 'depends':
      case 'security': {
        const wrapper = source as Wrapper
        const merged = mergeScopes(scopes, 'scopes' in wrapper ? wrapper.scopes : [])
        if (wrapper.dependency instanceof SecurityScheme)
          return this.#bindScheme(wrapper.dependency, merged)
        return this.#bindDependency(wrapper.dependency as Dependency, merged, wrapper.useCache)
      }
      default:
        return this.#fail(
          `input "${key}" is not an input source (Query(), Body(), a dependency, ...)`,
        )
    }
  }

  /** A bare Zod schema: a path parameter if the path names it, a body if it is an object, else query. */
  #bindBareSchema(key: string, schema: Schema): number {
    if (this.#input.pathParams.has(key))
      return this.#bindParam(key, { '~gatehouse': 'param', location: 'path', schema, options: {} })
    if (isObjectSchema(schema))
      return this.#bindBody(key, { '~gatehouse': 'body', schema, options: {} })
    return this.#bindParam(key, { '~gatehouse': 'param', location: 'query', schema, options: {} })
  }

  #bindParam(key: string, source: ParamInput): number {
    const { location, schema, options } = source
    let name = options.alias ?? key
    if (location === 'header') {
      if (options.alias === undefined && options.convertUnderscores !== false)
        name = headerName(key)
      name = name.toLowerCase()
    }
    if (location === 'path') {
      if (!this.#input.pathParams.has(name))
        this.#fail(`Path input "${name}" does not appear in the path as {${name}}`)
    }
    const read = textRead(schema)
    if (location === 'path' && read.mode !== 'scalar')
      this.#fail(`Path input "${name}" must be a single value, not a list or object`)
    const slot = this.#slot()
    this.#params.push({ slot, location, name, schema, read, docs: options })
    return slot
  }

  #bindBody(key: string, source: BodyInput): number {
    const slot = this.#slot()
    const embedAs = source.options.embed ? (source.options.alias ?? key) : undefined
    this.#bodies.push({ slot, schema: source.schema, embedAs, key, docs: source.options })
    return slot
  }

  #bindForm(key: string, source: FormInput): number {
    const slot = this.#slot()
    const model = isObjectSchema(source.schema)
    const read = textRead(source.schema)
    const file = model
      ? Object.values(objectShape(source.schema)).some(isFileSchema)
      : isFileSchema(source.schema)
    this.#forms.push({
      slot,
      schema: source.schema,
      name: model ? undefined : (source.options.alias ?? key),
      read,
      file,
      docs: source.options,
    })
    return slot
  }

  #bindScheme(scheme: SecurityScheme, scopes: readonly string[]): number {
    const known = this.#security.get(scheme)
    if (known) {
      for (const scope of scopes) if (!known.includes(scope)) known.push(scope)
    } else this.#security.set(scheme, [...scopes])
    let slot = this.#schemeSlots.get(scheme)
    if (slot === undefined) {
      slot = this.#slot()
      this.#schemeSlots.set(scheme, slot)
      this.#schemes.push({ slot, scheme })
    }
    return slot
  }

  #bindDependency(dep: Dependency, scopes: readonly string[], useCache: boolean): number {
    if (typeof dep !== 'object' || dep === null || dep['~gatehouse'] !== 'dependency')
      this.#fail('Depends()/Security() takes a dependency(...) or a security scheme')
    if (this.#stack.includes(dep)) this.#fail(`dependency cycle through "${dep.name}"`)
    const cacheKey = usesScopes(dep)
      ? `${identityOf(dep)}|${[...scopes].sort().join(' ')}`
      : `${identityOf(dep)}`
    if (useCache) {
      const cached = this.#cacheSlots.get(cacheKey)
      if (cached !== undefined) {
        // Still walk the subtree so its security requirements (scopes) are documented.
        this.#collectSecurity(dep, scopes)
        return cached
      }
    }
    this.#stack.push(dep)
    const args = this.#bindAll(dep.inputs, scopes)
    this.#stack.pop()
    const slot = this.#slot()
    this.#dependencies.push({ slot, dependency: dep, args })
    if (useCache && !this.#cacheSlots.has(cacheKey)) this.#cacheSlots.set(cacheKey, slot)
    return slot
  }

  /** Record the security requirements of a subtree without adding steps (for cached dependencies). */
  #collectSecurity(dep: Dependency, scopes: readonly string[]): void {
    for (const source of Object.values(dep.inputs)) {
      if (source instanceof SecurityScheme) this.#bindScheme(source, scopes)
      else {
        const kind = kindOf(source)
        if (kind === 'dependency') this.#collectSecurity(source as Dependency, scopes)
        else if (kind === 'depends' || kind === 'security') {
          const wrapper = source as Wrapper
          const merged = mergeScopes(scopes, 'scopes' in wrapper ? wrapper.scopes : [])
          if (wrapper.dependency instanceof SecurityScheme)
            this.#bindScheme(wrapper.dependency, merged)
          else this.#collectSecurity(wrapper.dependency as Dependency, merged)
        }
      }
    }
  }

  /** Several JSON bodies are each embedded under their key, as FastAPI does; forms exclude JSON. */
  #finishBodies(): void {
    if (this.#bodies.length > 0 && this.#forms.length > 0)
      this.#fail('a route cannot read both a JSON Body() and Form() fields')
    if (this.#bodies.length > 1)
      for (const body of this.#bodies) body.embedAs ??= body.docs.alias ?? body.key
  }
}

/** Inherited scopes first, then new ones not already present. */
export function mergeScopes(
  inherited: readonly string[],
  own: readonly string[],
): readonly string[] {
  if (own.length === 0) return inherited
  const merged = [...inherited]
  for (const scope of own) if (!merged.includes(scope)) merged.push(scope)
  return merged
}

function textRead(schema: Schema): TextRead {
  if (isObjectSchema(schema)) {
    const fields = Object.entries(objectShape(schema)).map(([name, field]) => ({
      name,
      read: isArraySchema(field)
        ? { mode: 'list' as const, coerce: listCoercer(field) }
        : { mode: 'scalar' as const, coerce: textCoercer(field) },
    }))
    return { mode: 'model', fields }
  }
  if (isArraySchema(schema)) return { mode: 'list', coerce: listCoercer(schema) }
  return { mode: 'scalar', coerce: textCoercer(schema) }
}

/** `userAgent` and `user_agent` both name the `user-agent` header. */
function headerName(key: string): string {
  return key
    .replace(/_/g, '-')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
}

function isZodSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && '_zod' in value
}
