import type * as z4 from 'zod/v4/core'
import type { InputLike, Inputs, Resolve } from './dependency.js'
import type { Schema } from './inputs.js'

/**
 * An extra documented response (`responses: { 404: { description: 'Not found', schema } }`).
 * Without a description, the one the route documents for that status anyway, else the status's
 * reason phrase (`Not Found`), as FastAPI fills it in.
 */
export interface ResponseDoc {
  description?: string | undefined
  schema?: Schema | undefined
}

/** The keys of `responses`: a status, a range (`4XX`, OpenAPI 3.1 §4.8.16) or `default`. */
export type ResponsesOption = Readonly<{ [status: number]: ResponseDoc }> &
  Readonly<Partial<Record<'default' | '1XX' | '2XX' | '3XX' | '4XX' | '5XX', ResponseDoc>>>

/** Everything a route can declare besides its path, method and handler. */
export interface RouteOptions<I extends Inputs = Inputs, S extends Schema | undefined = undefined> {
  /** The handler's inputs: each key becomes a property of its argument. */
  inputs?: I | undefined
  /** Validates and strips the handler's result, and documents the success response. */
  response?: S | undefined
  /** Success status; default 200. */
  status?: number | undefined
  /** Run for their effect before the handler's own inputs; values unused. */
  dependencies?: readonly InputLike[] | undefined
  tags?: readonly string[] | undefined
  summary?: string | undefined
  description?: string | undefined
  /** Unique per app; generated from method and path when absent. */
  operationId?: string | undefined
  deprecated?: boolean | undefined
  /** Leave the route out of the OpenAPI document. */
  includeInSchema?: boolean | undefined
  /** Description of the success response; default "Successful Response". */
  responseDescription?: string | undefined
  /** Further documented responses, by status code, range (`4XX`) or `default`. */
  responses?: ResponsesOption | undefined
  /**
   * Merged into the generated OpenAPI Operation Object last (objects merged key by key, anything
   * else replaced, `null` removes a key), for what the declaration cannot say: vendor extensions, a
   * hand-written `requestBody`, extra `callbacks`, or `{ responses: { 422: null } }` for a route
   * that answers its own errors (FastAPI's `openapi_extra`).
   */
  openapiExtra?: Readonly<Record<string, unknown>> | undefined
  /**
   * The operation's OpenAPI `security`, stated rather than derived: for the either/or case (two
   * optional schemes, the handler refusing when both are missing), `[{ A: [] }, { B: [] }]`. Names
   * must be schemes the route reads.
   */
  security?: readonly Readonly<Record<string, readonly string[]>>[] | undefined
  /** Largest accepted request body in bytes for this route; default the app's `bodyLimit`. */
  bodyLimit?: number | undefined
  /**
   * Turns any error of this route (its inputs, dependencies or handler) into the error to answer,
   * before the app's exception handlers and the error table see it: for an API whose errors have a
   * format of their own, so the framework's 413 or 400 comes in that format too. The authorization
   * server's endpoints answer them as OAuth 2.0 errors this way. Return the error itself to keep it.
   * @example mapError: (error) => (error instanceof BodyTooLargeError ? new MyApiError(413) : error)
   */
  mapError?: ((error: unknown) => unknown) | undefined
}

/** A value or a promise of it. */
export type MaybePromise<T> = T | Promise<T>

/**
 * `T` with its arrays, tuples and object properties readonly, all the way down; functions and
 * primitives are kept. A response model only reads what the handler returns, so a handler may return
 * `readonly Item[]` (or `as const` data) where the model's input is `Item[]`.
 */
export type DeepReadonly<T> = T extends (...args: never) => unknown
  ? T
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T

/**
 * What a handler may return: with a response model, the model's input (extra keys are stripped;
 * a raw `Response` would bypass the model, so it is not allowed); without one, anything JSON or a
 * `Response`. A handler may also return it readonly ({@link DeepReadonly}).
 */
export type HandlerResult<S> = S extends Schema ? z4.input<S> : unknown

/** A route handler, its argument typed from the route's inputs. */
export type Handler<I extends Inputs, S extends Schema | undefined> = (
  inputs: Resolve<I>,
) => MaybePromise<DeepReadonly<HandlerResult<S>>>

export type HTTPMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS'

/** A route as declared, before it is compiled into an app. */
export interface RouteRecord {
  readonly method: HTTPMethod
  readonly path: string
  readonly options: RouteOptions<Inputs, Schema | undefined>
  readonly handler: (inputs: never) => unknown
  /**
   * Set on routes whose path is where a browser finds them, fixed by something outside the app
   * (an authorization server's issuer): the path that anchors them (`''` or `/auth`). They take no
   * include prefix, go in no mounted app, and the app they land in removes its root path from them.
   */
  readonly anchor?: string | undefined
}
