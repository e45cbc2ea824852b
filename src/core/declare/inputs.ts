import type * as z4 from 'zod/v4/core'
import { refuseUnknownOptions } from './known-options.js'

/**
 * Brand carried by every declarable input source. `~types` is a phantom that only the type system
 * reads: it is how a handler's argument type is inferred from what the route declares. The value
 * type sits inside an object on purpose: inferred straight from an optional property, TypeScript
 * drops `undefined` from it unless `exactOptionalPropertyTypes` is on, so `Query(z.string().optional())`
 * would reach the handler as `string` under a plain `strict` config.
 */
export interface InputSource<T = unknown> {
  readonly '~gatehouse': InputKind
  readonly '~types'?: { readonly output: T }
}

export type InputKind =
  | 'param'
  | 'body'
  | 'form'
  | 'dependency'
  | 'depends'
  | 'security'
  | 'scheme'
  | 'request-state'

/** Any Zod 4 schema (classic or mini); the library-author type from `zod/v4/core`. */
export type Schema = z4.$ZodType

/** Where a single request parameter is read from. */
export type ParamLocation = 'path' | 'query' | 'header' | 'cookie'

/** Documentation fields shared by parameters, bodies and forms. */
export interface InputDocs {
  /** Shown in OpenAPI. */
  description?: string | undefined
  /** Marks the parameter deprecated in OpenAPI. */
  deprecated?: boolean | undefined
  /** Leave the input out of the OpenAPI document (it is still read and validated). */
  includeInSchema?: boolean | undefined
}

export interface ParamOptions extends InputDocs {
  /** The wire name when it differs from the key in the inputs object (e.g. `'x-token'`, `'item-query'`). */
  alias?: string | undefined
}

export interface HeaderOptions extends ParamOptions {
  /**
   * Derive the header name from the key by turning `_` and camelCase humps into `-` (FastAPI's
   * `convert_underscores`). Default `true`; ignored when `alias` is given.
   */
  convertUnderscores?: boolean | undefined
}

export interface ParamInput<T = unknown> extends InputSource<T> {
  readonly '~gatehouse': 'param'
  readonly location: ParamLocation
  readonly schema: Schema
  readonly options: HeaderOptions
}

export interface BodyOptions extends InputDocs {
  /** Read `body[key]` instead of the whole body (FastAPI's `Body(embed=True)`). */
  embed?: boolean | undefined
  /** The wire name when embedded and it differs from the key. */
  alias?: string | undefined
  /**
   * The request media type documented in OpenAPI: a JSON one (`application/vnd.api+json`), since a
   * Body is read as JSON; another throws at registration. Default `application/json`.
   */
  mediaType?: string | undefined
}

export interface BodyInput<T = unknown> extends InputSource<T> {
  readonly '~gatehouse': 'body'
  readonly schema: Schema
  readonly options: BodyOptions
}

export interface FormOptions extends InputDocs {
  /** The field name when it differs from the key (single-field forms only). */
  alias?: string | undefined
  /** Force `multipart/form-data` in the docs; chosen automatically when a field is a file. */
  multipart?: boolean | undefined
}

export interface FormInput<T = unknown> extends InputSource<T> {
  readonly '~gatehouse': 'form'
  readonly schema: Schema
  readonly options: FormOptions
}

const DOC_OPTIONS = ['description', 'deprecated', 'includeInSchema']
const PARAM_OPTIONS = new Set([...DOC_OPTIONS, 'alias'])
const HEADER_OPTIONS = new Set([...PARAM_OPTIONS, 'convertUnderscores'])
const BODY_OPTIONS = new Set([...DOC_OPTIONS, 'embed', 'alias', 'mediaType'])
const FORM_OPTIONS = new Set([...DOC_OPTIONS, 'alias', 'multipart'])
const NAMES: Readonly<Record<ParamLocation, string>> = {
  path: 'Path',
  query: 'Query',
  header: 'Header',
  cookie: 'Cookie',
}

/** Whether `value` is a Zod (v4) schema. */
export function isZodSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && '_zod' in value
}

/** A misspelt option (`aliass`, `embedd`) is refused where the input is declared, not ignored. */
function checkOptions(
  owner: string,
  schema: unknown,
  options: unknown,
  known: ReadonlySet<string>,
): void {
  // `Query(String)`, `Body(User)` with a class: a Zod schema is what is read and validated.
  if (!isZodSchema(schema))
    throw new TypeError(`${owner}(): the first argument must be a Zod schema (e.g. z.string())`)
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new TypeError(`${owner}(): the second argument is an options object`)
  refuseUnknownOptions(`${owner}()`, options, known)
}

function param<S extends Schema>(
  location: ParamLocation,
  schema: S,
  options: HeaderOptions = {},
): ParamInput<z4.output<S>> {
  checkOptions(
    NAMES[location],
    schema,
    options,
    location === 'header' ? HEADER_OPTIONS : PARAM_OPTIONS,
  )
  return { '~gatehouse': 'param', location, schema, options }
}

/**
 * A path parameter, named by its key unless `alias` is given; the path must contain `{name}`.
 * @example app.get('/items/{item_id}', { inputs: { item_id: Path(z.coerce.number()) } }, ...)
 */
export function Path<S extends Schema>(
  schema: S,
  options?: ParamOptions,
): ParamInput<z4.output<S>> {
  return param('path', schema, options)
}

/**
 * A query parameter. An array schema reads every occurrence (`?tag=a&tag=b`); otherwise the last one
 * wins. An object schema reads several parameters at once as a model.
 * @example { q: Query(z.string().max(50).optional()) }
 */
export function Query<S extends Schema>(
  schema: S,
  options?: ParamOptions,
): ParamInput<z4.output<S>> {
  return param('query', schema, options)
}

/**
 * A request header; the key `userAgent` or `user_agent` reads `user-agent`.
 * @example { xToken: Header(z.string()) }
 */
export function Header<S extends Schema>(
  schema: S,
  options?: HeaderOptions,
): ParamInput<z4.output<S>> {
  return param('header', schema, options)
}

/**
 * A cookie.
 * @example { session: Cookie(z.string().optional()) }
 */
export function Cookie<S extends Schema>(
  schema: S,
  options?: ParamOptions,
): ParamInput<z4.output<S>> {
  return param('cookie', schema, options)
}

/**
 * A JSON request body: the whole body, or `body[key]` with `embed: true`. When a route declares several
 * bodies, each is embedded under its key, as FastAPI does.
 * @example { item: Body(Item) }
 */
export function Body<S extends Schema>(
  schema: S,
  options: BodyOptions = {},
): BodyInput<z4.output<S>> {
  checkOptions('Body', schema, options, BODY_OPTIONS)
  return { '~gatehouse': 'body', schema, options }
}

/**
 * Form data (`application/x-www-form-urlencoded` or `multipart/form-data`). An object schema reads
 * the whole form as a model; any other schema reads the one field named by the key. Empty values
 * count as missing and the last of repeated fields wins, as in FastAPI.
 * @example { username: Form(z.string()), avatar: Form(z.file().optional()) }
 */
export function Form<S extends Schema>(
  schema: S,
  options: FormOptions = {},
): FormInput<z4.output<S>> {
  checkOptions('Form', schema, options, FORM_OPTIONS)
  return { '~gatehouse': 'form', schema, options }
}

/**
 * The request's state: the values middleware put in `ctx.state` (Starlette's `request.state`),
 * one object per request, shared by every dependency and the handler that take it; empty when no
 * middleware set anything, and writable, so a dependency can leave a value for the handler.
 * @example
 * app.use(async (ctx, next) => {
 *   ctx.state.requestId = ctx.request.header('x-request-id') ?? crypto.randomUUID()
 *   await next()
 * })
 * app.get('/items', { inputs: { state: RequestState } }, ({ state }) => ({ id: state.requestId }))
 */
export const RequestState: InputSource<Record<string, unknown>> = Object.freeze({
  '~gatehouse': 'request-state',
})
