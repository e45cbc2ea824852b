import type { Dependable, Dependency, InputLike, Inputs } from '../declare/dependency.js'
import type { InputDocs, ParamLocation, Schema } from '../declare/inputs.js'
import type { SecurityScheme } from '../declare/security-scheme.js'
import { SecurityScopes } from '../declare/security-scopes.js'
import { isJSONMediaType } from '../run/body.js'
import {
  acceptsNull,
  isFileSchema,
  isObjectSchema,
  isOptionalSchema,
  objectShape,
  unwrapSchema,
} from '../schema.js'
import { type ClassifiedInput, classifyInput, isDependency } from './classify.js'
import { DependencyFacts, declaredFacts, type Overrides } from './dependency-facts.js'
import { type JSONConverter, jsonInputConverter } from './json-input.js'
import { unreadableInInput } from './json-shapes.js'
import {
  type FormReader,
  formReader,
  type ParamReader,
  paramReader,
  type TextShape,
  textShapeOf,
} from './readers.js'
import { mergeScopes } from './scopes.js'

type Loc = readonly (string | number)[]

export interface ParamStep {
  readonly slot: number
  readonly location: ParamLocation
  /** The name on the wire (header names lower-case). */
  readonly name: string
  /** The name as the route wrote it (a header's alias keeps its case: `X-Request-ID`). */
  readonly documentedName: string
  readonly schema: Schema
  readonly shape: TextShape
  readonly docs: InputDocs
  /** Where errors point: `['query', 'q']`, or `['query']` for a model of several parameters. */
  readonly loc: Loc
  readonly read: ParamReader
  /** The same values as sent, unconverted: what a 422 echoes (error path only). */
  readonly readText: ParamReader
  /** For a header model: each field's header name (`x_a` → `x-a`). */
  readonly fieldNames: Readonly<Record<string, string>> | undefined
}

export interface BodyStep {
  readonly slot: number
  readonly schema: Schema
  /** The property of the JSON body to read; `undefined` reads the whole body. */
  readonly embedAs: string | undefined
  /** A JSON `null` the schema does not take is read as absent (FastAPI's `None`). */
  readonly nullIsAbsent: boolean
  /** ISO text to `Date` and lists to `Set` where the schema has them; `undefined` for neither. */
  readonly convert: JSONConverter | undefined
  readonly key: string
  readonly loc: Loc
  readonly docs: InputDocs & {
    mediaType?: string | undefined
    embed?: boolean | undefined
    alias?: string | undefined
  }
}

export interface FormStep {
  readonly slot: number
  readonly schema: Schema
  /** The field name; `undefined` for a model that reads the whole form. */
  readonly name: string | undefined
  readonly file: boolean
  readonly loc: Loc
  readonly docs: InputDocs & { multipart?: boolean | undefined }
  readonly read: FormReader
  /** The same values as sent, unconverted: what a 422 echoes (error path only). */
  readonly readText: FormReader
}

export interface SchemeStep {
  readonly slot: number
  readonly scheme: SecurityScheme
  /** The scopes the route requires through the scheme (its {@link SchemeContext}). */
  readonly scopes: readonly string[]
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
  readonly scopes: readonly string[]
}

/**
 * Everything a route needs per request, computed once at registration: the inputs flattened into
 * steps that write numbered slots, each with its reader chosen; dependencies in execution order with
 * their cache slots decided; and the security requirements for OpenAPI.
 */
export interface Plan {
  /** Initial slot values: constants such as each dependency's `SecurityScopes`. */
  readonly template: readonly unknown[]
  readonly params: readonly ParamStep[]
  readonly bodies: readonly BodyStep[]
  readonly forms: readonly FormStep[]
  /** Whether step 1 (read and validate inputs) has anything to do. */
  readonly readsInputs: boolean
  readonly schemes: readonly SchemeStep[]
  readonly dependencies: readonly DependencyStep[]
  readonly handlerArgs: Bindings
  /**
   * Slots filled per request with the `Request`, the response parameter, the background tasks and
   * the request's state.
   */
  readonly requestSlot: number | undefined
  readonly responseSlot: number | undefined
  readonly tasksSlot: number | undefined
  readonly stateSlot: number | undefined
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
  /** `app.dependencyOverrides`, when planning the route as it runs (not as it is documented). */
  readonly overrides?: Overrides | undefined
}

/** Analyse an inputs tree once into a {@link Plan}. Misuse throws a `TypeError` naming the route. */
export function compilePlan(input: PlanInput): Plan {
  return new PlanBuilder(input).build()
}

const dependencyIds = new WeakMap<object, number>()
let nextDependencyId = 1

function identityOf(dep: object): number {
  let id = dependencyIds.get(dep)
  if (id === undefined) {
    id = nextDependencyId++
    dependencyIds.set(dep, id)
  }
  return id
}

class PlanBuilder {
  readonly #input: PlanInput
  readonly #facts: DependencyFacts
  readonly #template: unknown[] = []
  readonly #params: ParamStep[] = []
  readonly #bodies: {
    slot: number
    schema: Schema
    key: string
    embedAs: string | undefined
    nullIsAbsent: boolean
    convert: JSONConverter | undefined
    docs: BodyStep['docs']
  }[] = []
  readonly #forms: FormStep[] = []
  readonly #schemes: SchemeStep[] = []
  readonly #dependencies: DependencyStep[] = []
  readonly #schemeSlots = new Map<SecurityScheme, number>()
  readonly #cacheSlots = new Map<string, number>()
  readonly #security = new Map<SecurityScheme, readonly string[]>()
  readonly #readPathParams = new Set<string>()
  /** The dependencies being compiled with the keys they were found at, outermost first. */
  readonly #stack: { readonly key: string; readonly dependency: Dependency }[] = []
  readonly #markerSlots: Partial<
    Record<'request' | 'response' | 'background-tasks' | 'request-state', number>
  > = {}

  constructor(input: PlanInput) {
    this.#input = input
    this.#facts = input.overrides?.size ? new DependencyFacts(input.overrides) : declaredFacts
  }

  build(): Plan {
    for (const dep of this.#input.dependencies) this.#bind('', dep, [])
    const handlerArgs = this.#bindAll(this.#input.inputs, [])
    for (const name of this.#input.pathParams)
      if (!this.#readPathParams.has(name))
        this.#fail(
          `the path parameter {${name}} is not read by any input: add \`${name}: Path(schema)\``,
        )
    const bodies = this.#finishBodies()
    return {
      template: this.#template,
      params: this.#params,
      bodies,
      forms: this.#forms,
      readsInputs: this.#params.length + bodies.length + this.#forms.length > 0,
      // Scopes are merged as the tree is walked: the steps get them once it has been.
      schemes: this.#schemes.map((step) => ({
        ...step,
        scopes: this.#security.get(step.scheme) ?? [],
      })),
      dependencies: this.#dependencies,
      handlerArgs,
      requestSlot: this.#markerSlots.request,
      responseSlot: this.#markerSlots.response,
      tasksSlot: this.#markerSlots['background-tasks'],
      stateSlot: this.#markerSlots['request-state'],
      security: [...this.#security].map(([scheme, scopes]) => ({ scheme, scopes })),
    }
  }

  /** Throw a `TypeError` naming the route and the chain of dependencies being compiled. */
  #fail(message: string): never {
    const chain = this.#stack.map(describe).join(' → ')
    const where = chain ? ` in dependency ${chain}` : ''
    throw new TypeError(`${this.#input.routeName}${where}: ${message}`)
  }

  #slot(value?: unknown): number {
    this.#template.push(value)
    return this.#template.length - 1
  }

  #bindAll(inputs: Inputs, scopes: readonly string[]): Bindings {
    if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs))
      this.#fail('`inputs` must be an object')
    return Object.entries(inputs).map(
      ([key, source]) => [key, this.#bind(key, source, scopes)] as const,
    )
  }

  /** Compile one input and return the slot its value lands in. */
  #bind(key: string, source: InputLike, scopes: readonly string[]): number {
    let input: ClassifiedInput
    try {
      input = classifyInput(key, source, this.#input.pathParams)
    } catch (error) {
      this.#fail((error as Error).message)
    }
    switch (input.kind) {
      case 'security-scopes':
        return this.#slot(new SecurityScopes(scopes))
      case 'request':
      case 'response':
      case 'background-tasks':
      case 'request-state':
        this.#markerSlots[input.kind] ??= this.#slot()
        return this.#markerSlots[input.kind] as number
      case 'param':
        return this.#bindParam(key, input)
      case 'body':
        return this.#bindBody(key, input)
      case 'form':
        return this.#bindForm(key, input)
      case 'scheme':
      case 'dependency': {
        const merged = mergeScopes(scopes, input.scopes)
        const target = this.#facts.resolve(
          input.kind === 'scheme' ? input.scheme : input.dependency,
        )
        const useCache = input.kind === 'dependency' ? input.useCache : true
        // Scopes nothing below reads are never checked: the route would answer without a token.
        // Only the tree as declared: an override (a test's fake user) may read nothing.
        if (
          input.kind === 'dependency' &&
          input.scopes.length > 0 &&
          !this.#facts.overridden &&
          isDependency(target) &&
          !this.#facts.usesScopes(target) &&
          this.#facts.requirements(target).length === 0
        )
          this.#fail(
            `Security("${target.name}", { scopes: [${input.scopes.map((s) => `"${s}"`).join(', ')}] }) requires scopes, but nothing below it reads them (no security scheme, no SecurityScopes): the route would answer without checking them`,
          )
        return isDependency(target)
          ? this.#bindDependency(key, target, merged, useCache)
          : this.#bindScheme(target as SecurityScheme, merged)
      }
    }
  }

  #bindParam(key: string, input: Extract<ClassifiedInput, { kind: 'param' }>): number {
    const { location, schema, options } = input
    this.#refuseUnreadable(key, schema)
    this.#refuseUntextual(key, schema, location)
    let name = options.alias ?? key
    if (
      location === 'header' &&
      options.alias === undefined &&
      options.convertUnderscores !== false
    )
      name = headerName(key)
    const documentedName = name
    if (location === 'header') name = name.toLowerCase()
    const shape = textShapeOf(schema)
    if (location === 'path') {
      if (!this.#input.pathParams.has(name))
        this.#fail(`Path input "${name}" does not appear in the path as {${name}}`)
      if (shape !== 'scalar')
        this.#fail(`Path input "${name}" must be a single value, not a list or object`)
      // A route only matches when the segment is there: a default could never be used (FastAPI).
      if (isOptionalSchema(schema))
        this.#fail(`Path input "${name}" is always required: remove its .optional() or .default()`)
      this.#readPathParams.add(name)
    }
    // Header models convert field names as scalar headers do (FastAPI's header models).
    const fieldNames =
      shape === 'model' && location === 'header'
        ? Object.fromEntries(
            Object.keys(objectShape(schema)).map((field) => [
              field,
              options.convertUnderscores === false ? field.toLowerCase() : headerName(field),
            ]),
          )
        : undefined
    const wireNames = shape === 'model' ? Object.values(fieldNames ?? objectFields(schema)) : [name]
    for (const wire of wireNames) this.#checkWireName(location, wire)
    if (name === '' && shape !== 'model') this.#refuseNameless(key)
    const slot = this.#slot()
    this.#params.push({
      slot,
      location,
      name,
      documentedName,
      schema,
      shape,
      docs: options,
      loc: shape === 'model' ? [location] : [location, name],
      read: paramReader(location, schema, name, fieldNames),
      readText: paramReader(location, schema, name, fieldNames, false),
      fieldNames,
    })
    return slot
  }

  /**
   * A single value read by its name has none: an entry of `dependencies: [...]` (no key to name it)
   * or an empty `alias`. Read as the parameter `""`, only `?=v` could ever satisfy it.
   */
  #refuseNameless(key: string): never {
    this.#fail(
      key === ''
        ? 'an entry of `dependencies` reads a single value but has no name: give it one with `alias`, or list a dependency(...) that reads it'
        : `input ${JSON.stringify(key)}: its \`alias\` is empty, so no request could name it`,
    )
  }

  /** A header or cookie name that is not an RFC 9110 token can never be sent: refuse it now. */
  #checkWireName(location: ParamLocation, name: string): void {
    if ((location === 'header' || location === 'cookie') && !TOKEN.test(name))
      this.#fail(
        `${location === 'header' ? 'Header' : 'Cookie'} name ${JSON.stringify(name)} is not a valid ${location} name (RFC 9110 token characters only)`,
      )
  }

  /** An input no request can ever satisfy is a set-up mistake, found now. */
  #refuseUnreadable(key: string, schema: Schema): void {
    const unreadable = unreadableInInput(schema)
    if (unreadable)
      this.#fail(
        `input "${key}" has ${unreadable}, which nothing a client sends can become (JSON and text have no map): use z.record() (or z.array() of pairs piped into a Map)`,
      )
  }

  /**
   * Text inputs (parameters, form fields) are one value, every value of a name (a list) or named
   * fields (a model): a `z.tuple()` (each position its own type) or a `z.record()` (names not
   * known) is none of them, so every request would be a 422 while the document promised them.
   */
  #refuseUntextual(key: string, schema: Schema, where: ParamLocation | 'form'): void {
    const fields = isObjectSchema(schema)
      ? Object.entries(objectShape(schema)).map(([field, fieldSchema]) => [
          `${key}.${field}`,
          fieldSchema as Schema,
        ])
      : [[key, schema]]
    const source = where === 'form' ? 'a form' : `the ${where}`
    for (const [name, fieldSchema] of fields as [string, Schema][]) {
      const type = unwrapSchema(fieldSchema)._zod.def.type
      if (type === 'tuple')
        this.#fail(
          `input "${name}": a z.tuple() cannot be read from ${source} (a repeated name is a list of one type): use z.array()`,
        )
      if (type === 'record')
        this.#fail(
          `input "${name}": a z.record() cannot be read from ${source} (its names are not known): use z.object() with the names, or a JSON Body()`,
        )
    }
  }

  #bindBody(key: string, input: Extract<ClassifiedInput, { kind: 'body' }>): number {
    const { mediaType } = input.options
    this.#refuseUnreadable(key, input.schema)
    // A Body is read as JSON and anything else is answered 415: a route documented as taking
    // another type could never be called as documented.
    if (mediaType !== undefined && !isJSONMediaType(mediaType.toLowerCase()))
      this.#fail(
        `Body "${key}": \`mediaType\` ${JSON.stringify(mediaType)} is not JSON, and a Body is read as JSON (application/json or application/*+json); use Form() for forms and File() for files`,
      )
    const slot = this.#slot()
    const embedAs = input.options.embed ? (input.options.alias ?? key) : undefined
    if (embedAs === '') this.#refuseNameless(key)
    const nullIsAbsent = !acceptsNull(input.schema)
    this.#bodies.push({
      slot,
      schema: input.schema,
      embedAs,
      nullIsAbsent,
      convert: jsonInputConverter(input.schema),
      key,
      docs: input.options,
    })
    return slot
  }

  #bindForm(key: string, input: Extract<ClassifiedInput, { kind: 'form' }>): number {
    this.#refuseUnreadable(key, input.schema)
    this.#refuseUntextual(key, input.schema, 'form')
    const slot = this.#slot()
    const model = isObjectSchema(input.schema)
    const name = model ? undefined : (input.options.alias ?? key)
    if (name === '') this.#refuseNameless(key)
    this.#forms.push({
      slot,
      schema: input.schema,
      name,
      file: model
        ? Object.values(objectShape(input.schema)).some(isFileSchema)
        : isFileSchema(input.schema),
      loc: name === undefined ? ['body'] : ['body', name],
      docs: input.options,
      read: formReader(input.schema, name),
      readText: formReader(input.schema, name, false),
    })
    return slot
  }

  #bindScheme(scheme: SecurityScheme, scopes: readonly string[]): number {
    this.#security.set(scheme, mergeScopes(this.#security.get(scheme) ?? [], scopes))
    let slot = this.#schemeSlots.get(scheme)
    if (slot === undefined) {
      slot = this.#slot()
      this.#schemeSlots.set(scheme, slot)
      this.#schemes.push({ slot, scheme, scopes: [] })
    }
    return slot
  }

  #bindDependency(
    key: string,
    dep: Dependency,
    scopes: readonly string[],
    useCache: boolean,
  ): number {
    if (typeof dep.fn !== 'function')
      this.#fail('Depends()/Security() takes a dependency(...) or a security scheme')
    const top = this.#stack[this.#stack.length - 1]
    const dependant = top?.dependency
    // FastAPI's DependencyScopeError: a generator cleaned up after the response would hold what a
    // `scope: 'function'` one closed when the handler returned (a session, in its own clean-up
    // or in a streamed body).
    if (
      top !== undefined &&
      dep.scope === 'function' &&
      dependant?.scope === 'request' &&
      isGeneratorFunction(dependant.fn)
    ) {
      // Named by their keys too: two anonymous generators would both be "anonymous".
      const [outer, inner] = [describe(top), describe({ key, dependency: dep })]
      this.#fail(
        `${outer} is cleaned up after the response (scope "request"), so it cannot depend on ${inner}, which has scope "function" and closes when the handler returns: give ${outer} scope: 'function' too, or ${inner} the default scope`,
      )
    }
    const start = this.#stack.findIndex((entry) => entry.dependency === dep)
    if (start >= 0) {
      const chain = [...this.#stack.slice(start), { key, dependency: dep }].map(describe)
      this.#stack.length = 0
      this.#fail(`dependency cycle: ${chain.join(' → ')}`)
    }
    const cacheKey = this.#facts.usesScopes(dep)
      ? `${identityOf(dep)}|${[...scopes].sort().join(' ')}`
      : `${identityOf(dep)}`
    const cached = useCache ? this.#cacheSlots.get(cacheKey) : undefined
    if (cached !== undefined) {
      // The subtree already has its steps; only its schemes are documented again, with these scopes.
      for (const requirement of this.#facts.requirements(dep))
        this.#bindScheme(requirement.scheme, mergeScopes(scopes, requirement.scopes))
      return cached
    }
    this.#stack.push({ key, dependency: dep })
    const args = this.#bindAll(dep.inputs, scopes)
    this.#stack.pop()
    const slot = this.#slot()
    this.#dependencies.push({ slot, dependency: dep, args })
    // As FastAPI: a `useCache: false` use still leaves its value for later uses that do cache.
    if (!this.#cacheSlots.has(cacheKey)) this.#cacheSlots.set(cacheKey, slot)
    return slot
  }

  /** Several JSON bodies are each embedded under their key, as FastAPI does; forms exclude JSON. */
  #finishBodies(): BodyStep[] {
    if (this.#bodies.length > 0 && this.#forms.length > 0)
      this.#fail('a route cannot read both a JSON Body() and Form() fields')
    const several = this.#bodies.length > 1
    return this.#bodies.map((body) => {
      const embedAs = body.embedAs ?? (several ? (body.docs.alias ?? body.key) : undefined)
      // Several bodies are embedded by name: one from `dependencies: [...]` (or an empty alias)
      // has none, and only a `""` member could ever satisfy it.
      if (embedAs === '') this.#refuseNameless(body.key)
      return { ...body, embedAs, loc: embedAs === undefined ? ['body'] : ['body', embedAs] }
    })
  }
}

/** `user ("getCurrentUser")`: the key it was declared at and its name (anonymous ones have only the key). */
function describe(entry: { readonly key: string; readonly dependency: Dependency }): string {
  const key = entry.key === '' ? 'dependencies' : entry.key
  const { name } = entry.dependency
  return name === 'anonymous' || name === key ? `"${key}"` : `${key} ("${name}")`
}

// RFC 9110 §5.6.2 `token`: what header field names and cookie names (RFC 6265 §4.1.1) are made of.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function objectFields(schema: Schema): Record<string, string> {
  return Object.fromEntries(Object.keys(objectShape(schema)).map((field) => [field, field]))
}

/** `userAgent` and `user_agent` both name the `user-agent` header. */
function headerName(key: string): string {
  return key
    .replace(/_/g, '-')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
}

export type { Dependable }

/** A function declared with `function*` or `async function*`, known before it is ever called. */
function isGeneratorFunction(fn: unknown): boolean {
  const tag = Object.prototype.toString.call(fn)
  return tag === '[object GeneratorFunction]' || tag === '[object AsyncGeneratorFunction]'
}
