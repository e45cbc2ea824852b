import type { Dependency, DependsInput, InputLike, SecurityInput } from '../declare/dependency.js'
import {
  type BodyOptions,
  type FormOptions,
  type HeaderOptions,
  isZodSchema,
  type ParamLocation,
  type Schema,
} from '../declare/inputs.js'
import { SecurityScheme } from '../declare/security-scheme.js'
import { SecurityScopes } from '../declare/security-scopes.js'
import { BackgroundTasks } from '../run/background-tasks.js'
import { isModelSchema } from '../schema.js'

/**
 * What an entry of an inputs object is, decided once at registration. Everything after
 * classification (the plan, the readers, the OpenAPI generator) switches on `kind` and never looks
 * at the raw declaration again.
 */
export type ClassifiedInput =
  | { readonly kind: 'security-scopes' }
  | { readonly kind: 'request' }
  | { readonly kind: 'response' }
  | { readonly kind: 'background-tasks' }
  | { readonly kind: 'request-state' }
  | {
      readonly kind: 'param'
      readonly location: ParamLocation
      readonly schema: Schema
      readonly options: HeaderOptions
    }
  | { readonly kind: 'body'; readonly schema: Schema; readonly options: BodyOptions }
  | { readonly kind: 'form'; readonly schema: Schema; readonly options: FormOptions }
  | {
      readonly kind: 'scheme'
      readonly scheme: SecurityScheme
      /** Scopes this entry adds (from `Security(scheme, { scopes })`). */
      readonly scopes: readonly string[]
    }
  | {
      readonly kind: 'dependency'
      readonly dependency: Dependency
      readonly scopes: readonly string[]
      readonly useCache: boolean
    }

const NO_SCOPES: readonly string[] = Object.freeze([])

/**
 * Classify one input. A bare Zod schema is a path parameter when the path names its key, the JSON
 * body when it is a model or holds models (an object, a list of objects, a union of objects), and a
 * query parameter otherwise (FastAPI's rules, but a list of scalars stays a query parameter).
 * @throws TypeError (without the route's name; the plan adds it) for anything that is not an input.
 */
export function classifyInput(
  key: string,
  source: InputLike,
  pathParams: ReadonlySet<string>,
): ClassifiedInput {
  if (source === SecurityScopes) return { kind: 'security-scopes' }
  if (source === BackgroundTasks) return { kind: 'background-tasks' }
  if (typeof globalThis.Request === 'function' && source === globalThis.Request)
    return { kind: 'request' }
  if (typeof globalThis.Response === 'function' && source === globalThis.Response)
    return { kind: 'response' }
  if (source instanceof SecurityScheme) return { kind: 'scheme', scheme: source, scopes: NO_SCOPES }
  if (isZodSchema(source)) {
    if (pathParams.has(key)) return { kind: 'param', location: 'path', schema: source, options: {} }
    if (isModelSchema(source)) return { kind: 'body', schema: source, options: {} }
    return { kind: 'param', location: 'query', schema: source, options: {} }
  }
  const brand =
    typeof source === 'object' && source !== null && '~gatehouse' in source
      ? source['~gatehouse']
      : undefined
  switch (brand) {
    case 'param': {
      const { location, schema, options } = source as Extract<InputLike, { location: unknown }>
      return { kind: 'param', location, schema, options }
    }
    case 'body':
    case 'form': {
      const { schema, options } = source as unknown as {
        schema: Schema
        options: BodyOptions & FormOptions
      }
      if (!isZodSchema(schema)) throw new TypeError(`input "${key}": ${brand}() needs a Zod schema`)
      return { kind: brand, schema, options }
    }
    case 'dependency':
      return {
        kind: 'dependency',
        dependency: source as Dependency,
        scopes: NO_SCOPES,
        useCache: true,
      }
    case 'depends':
    case 'security':
      return classifyWrapper(key, source as DependsInput | SecurityInput)
    case 'request-state':
      return { kind: 'request-state' }
    default:
      throw new TypeError(
        `input "${key}" is not an input source (Query(), Body(), a dependency, a security scheme, ...)`,
      )
  }
}

/** `Depends(dep)` and `Security(dep, { scopes })`: what they wrap, with their own scopes and cache use. */
function classifyWrapper(key: string, wrapper: DependsInput | SecurityInput): ClassifiedInput {
  const scopes = 'scopes' in wrapper ? wrapper.scopes : NO_SCOPES
  const inner = wrapper.dependency as unknown
  if (inner instanceof SecurityScheme) return { kind: 'scheme', scheme: inner, scopes }
  if (!isDependency(inner))
    throw new TypeError(
      `input "${key}": Depends()/Security() takes a dependency(...) or a security scheme`,
    )
  return { kind: 'dependency', dependency: inner, scopes, useCache: wrapper.useCache }
}

export function isDependency(value: unknown): value is Dependency {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { '~gatehouse'?: unknown })['~gatehouse'] === 'dependency'
  )
}
