import type { InputLike, Inputs } from './dependency.js'

/** The inputs of a route that declares none. */
export type NoInputs = Record<never, never>

import type { Schema } from './inputs.js'
import { refuseUnknownOptions } from './known-options.js'
import type {
  Handler,
  HTTPMethod,
  ResponseDoc,
  RouteOptions,
  RouteRecord,
} from './route-options.js'

const METHODS: ReadonlySet<string> = new Set<HTTPMethod>([
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
])

/**
 * The route-declaring methods shared by the app and routers. One generic signature per method: the
 * handler's argument type is inferred from `options.inputs`, its return type from `options.response`.
 */
export abstract class RouteCollector {
  protected abstract addRoute(record: RouteRecord): void

  /** Declare a route for any method. */
  route<const I extends Inputs = NoInputs, S extends Schema | undefined = undefined>(
    method: HTTPMethod,
    path: string,
    options: RouteOptions<I, S>,
    handler: Handler<I, S>,
  ): this {
    if (typeof options === 'function' && handler === undefined)
      throw new TypeError(
        `${method} ${path}: routes take an options object before the handler: ` +
          `\`${method.toLowerCase()}(path, {}, handler)\` (or \`{ inputs, response, ... }\`)`,
      )
    if (options === null || typeof options !== 'object' || Array.isArray(options))
      throw new TypeError(`${method} ${path}: \`options\` must be an object`)
    if (typeof handler !== 'function')
      throw new TypeError(`${method} ${path}: the handler must be a function`)
    // What `HTTPMethod` allows, checked for JavaScript callers: Node's parser refuses other
    // methods before any route could see them, so such a route would answer only in-process.
    if (!METHODS.has(method))
      throw new TypeError(
        `${String(method)} ${path}: the method must be one of ${[...METHODS].join(', ')}`,
      )
    this.addRoute({
      method,
      path,
      options: options as RouteOptions<Inputs, Schema | undefined>,
      handler: handler as RouteRecord['handler'],
    })
    return this
  }

  /** @example app.get('/items/{item_id}', { inputs: { item_id: Path(z.number()) } }, ({ item_id }) => ...) */
  get<const I extends Inputs = NoInputs, S extends Schema | undefined = undefined>(
    path: string,
    options: RouteOptions<I, S>,
    handler: Handler<I, S>,
  ): this {
    return this.route('GET', path, options, handler)
  }

  /** @example app.post('/items/', { inputs: { item: Body(Item) }, status: 201 }, ({ item }) => item) */
  post<const I extends Inputs = NoInputs, S extends Schema | undefined = undefined>(
    path: string,
    options: RouteOptions<I, S>,
    handler: Handler<I, S>,
  ): this {
    return this.route('POST', path, options, handler)
  }

  put<const I extends Inputs = NoInputs, S extends Schema | undefined = undefined>(
    path: string,
    options: RouteOptions<I, S>,
    handler: Handler<I, S>,
  ): this {
    return this.route('PUT', path, options, handler)
  }

  patch<const I extends Inputs = NoInputs, S extends Schema | undefined = undefined>(
    path: string,
    options: RouteOptions<I, S>,
    handler: Handler<I, S>,
  ): this {
    return this.route('PATCH', path, options, handler)
  }

  delete<const I extends Inputs = NoInputs, S extends Schema | undefined = undefined>(
    path: string,
    options: RouteOptions<I, S>,
    handler: Handler<I, S>,
  ): this {
    return this.route('DELETE', path, options, handler)
  }
}

/**
 * What a `Router` (or `include`) adds to every route it holds, as FastAPI's `APIRouter` and
 * `include_router` do: a path prefix, tags and dependencies before the route's own, documented
 * responses under the route's own (a route's entry for a status wins), and `deprecated` or
 * `includeInSchema: false` for all of them.
 */
export interface IncludeOptions {
  prefix?: string | undefined
  tags?: readonly string[] | undefined
  dependencies?: readonly InputLike[] | undefined
  /** Further documented responses of every route, by status code (`{ 404: { description } }`). */
  responses?: Readonly<Record<number, ResponseDoc>> | undefined
  /** Marks every route deprecated in OpenAPI. */
  deprecated?: boolean | undefined
  /** `false` leaves every route out of the OpenAPI document; they still answer. */
  includeInSchema?: boolean | undefined
}

const INCLUDE_OPTIONS = new Set([
  'prefix',
  'tags',
  'dependencies',
  'responses',
  'deprecated',
  'includeInSchema',
])

/** What `include()` takes: a router (or an authorization server's), not anything with routes. */
export function checkIncluded(router: unknown): void {
  if (
    router === null ||
    typeof router !== 'object' ||
    !Array.isArray((router as { routes?: unknown }).routes)
  )
    throw new TypeError("include: give a Router (new Router()) or an authorization server's router")
}

/** Throws, naming the option, for a misspelt option or a bad prefix: before any route is added. */
export function checkIncludeOptions(include: IncludeOptions): void {
  refuseUnknownOptions('include', include, INCLUDE_OPTIONS)
  const prefix = include.prefix ?? ''
  if (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/')))
    throw new TypeError(
      `prefix must start with "/" and not end with "/": ${JSON.stringify(prefix)}`,
    )
}

/** Prefix, tags, dependencies and documentation applied to a route, outermost first. */
export function applyInclude(record: RouteRecord, include: IncludeOptions): RouteRecord {
  checkIncludeOptions(include)
  const prefix = include.prefix ?? ''
  if (record.anchor !== undefined && prefix !== '')
    throw new TypeError(
      `${record.method} ${record.path}: this route's path is fixed (an authorization server's, by its issuer); include its router without a prefix and put the path in the issuer`,
    )
  const options = record.options
  return {
    ...record,
    path: prefix + record.path,
    options: {
      ...options,
      tags: [...(include.tags ?? []), ...(options.tags ?? [])],
      dependencies: [...(include.dependencies ?? []), ...(options.dependencies ?? [])],
      ...(include.responses === undefined
        ? {}
        : { responses: { ...include.responses, ...options.responses } }),
      ...(include.deprecated === true ? { deprecated: true } : {}),
      ...(include.includeInSchema === false ? { includeInSchema: false } : {}),
    },
  }
}
