import { GatehouseError, HTTPException, isGatehouseError } from '../core/errors/index.js'
import type { BaseRequestView, RequestView } from '../core/run/request-view.js'
import {
  errorReply,
  isOutage,
  type Logger,
  type Reply,
  reportOutage,
  sendable,
  toResponse,
} from '../core/run/respond.js'

/**
 * Reshapes the answer to an error: given the error and the request, returns the `Response` to send.
 * @example app.exceptionHandler(404, (error, request) => Response.json({ message: `no ${request.path}` }, { status: 404 }))
 */
export type ExceptionHandler<E = unknown> = (
  error: E,
  request: RequestView,
) => Response | Promise<Response>

/** An error class (abstract ones too, such as `GatehouseError`). */
// biome-ignore lint/suspicious/noExplicitAny: any constructor signature must be accepted
export type ErrorClass<E = Error> = abstract new (...args: any[]) => E

const silent: Logger = { error() {} }

/** The error family's general classes, which a status handler outranks. */
const FAMILY_BASES = new Set<unknown>([HTTPException, GatehouseError])

/**
 * The answer Gatehouse gives an error when no handler is registered: a `GatehouseError` as its code
 * says in the error family's table (status, headers, body), anything else a bare 500. Exported so a
 * custom handler can delegate to it. It does not log; the app logs server faults once before any
 * handler runs.
 * @example app.exceptionHandler(HTTPException, (error, request) => { audit(error); return defaultExceptionHandler(error, request) })
 */
export function defaultExceptionHandler(error: unknown, _request?: RequestView): Response {
  return toResponse(errorReply(error, silent, ''))
}

/**
 * The app's exception handlers: by error class (the nearest registered class in the error's
 * prototype chain wins; `Error` and `Object` only for errors outside the family and the family's
 * server faults), then by status (a `GatehouseError`'s status; 500 for anything else), then
 * the default. A handler for `HTTPException` or `GatehouseError` itself ranks below the status.
 * An error outside the family is logged once unless a handler for its own class answers it (then
 * it is expected; `Error` and `Object`, the catch-alls, are not its own). A handler that throws is
 * logged and answered with a bare 500.
 */
export class ExceptionHandlers {
  readonly #byClass = new Map<ErrorClass<unknown>, ExceptionHandler>()
  readonly #byStatus = new Map<number, ExceptionHandler>()

  add(key: ErrorClass<unknown> | number, handler: ExceptionHandler): void {
    if (typeof handler !== 'function')
      throw new TypeError('exceptionHandler: `handler` must be a function')
    if (typeof key === 'number') {
      // Any status an HTTPException may have: an error's, or a redirect's.
      if (!Number.isInteger(key) || key < 300 || key > 599)
        throw new TypeError('exceptionHandler: a status must be an integer from 300 to 599')
      this.#byStatus.set(key, handler)
    } else if (typeof key === 'function') this.#byClass.set(key, handler)
    else throw new TypeError('exceptionHandler: give an error class or an HTTP status')
  }

  get size(): number {
    return this.#byClass.size + this.#byStatus.size
  }

  /** The answer to `error`, logging server faults once. */
  answer(
    error: unknown,
    view: BaseRequestView,
    where: string,
    logger: Logger,
  ): Reply | Promise<Reply> {
    const fault = !isGatehouseError(error) || error.internal
    if (this.size === 0) return errorReply(error, logger, where)
    const byClass = this.#byClassOf(error)
    const byStatus = this.#byStatus.get(isGatehouseError(error) ? error.status : 500)
    // A status handler beats one for the family's bases (HTTPException, GatehouseError), as
    // Starlette asks `exception_handler(404)` before `exception_handler(HTTPException)`: the usual
    // pair, errors reshaped and a not-found page of its own, gives the page for a 404. A handler
    // for a class of your own still wins over the status.
    const classWins = byClass !== undefined && (!byClass.base || byStatus === undefined)
    const handler = classWins ? byClass.handler : byStatus
    if (handler === undefined) return errorReply(error, logger, where)
    // An error its own class's handler answers is expected; any other fault is logged once, here,
    // and so is one the `Error` (or `Object`) catch-all answers: Starlette's handler for
    // `Exception` runs in its server-error middleware, which logs the traceback all the same.
    if (fault && (!classWins || byClass.catchAll)) errorReply(error, logger, where)
    // An issuer that cannot be reached is logged whoever answers the 503.
    if (isOutage(error)) reportOutage(error, logger, where)
    return this.#run(handler, error, view, where, logger)
  }

  #byClassOf(
    error: unknown,
  ): { handler: ExceptionHandler; base: boolean; catchAll: boolean } | undefined {
    if (this.#byClass.size > 0 && error !== null && typeof error === 'object') {
      // The family's answers (a 404, a 422, an HTTPException) have their class's default
      // handler, so, as in Starlette, a handler for `Error` never sees them: it is the catch-all
      // for faults, and registering it must not turn every 404 into a 500.
      const answered = isGatehouseError(error) && !error.internal
      for (
        let proto = Object.getPrototypeOf(error);
        proto !== null && !(answered && proto === Error.prototype);
        proto = Object.getPrototypeOf(proto)
      ) {
        const handler = this.#byClass.get(proto.constructor)
        if (handler)
          return {
            handler,
            base: FAMILY_BASES.has(proto.constructor),
            catchAll: proto.constructor === Error || proto.constructor === Object,
          }
      }
    }
    return undefined
  }

  async #run(
    handler: ExceptionHandler,
    error: unknown,
    view: BaseRequestView,
    where: string,
    logger: Logger,
  ): Promise<Reply> {
    try {
      const response = await handler(error, view)
      if (!(response instanceof Response))
        throw new TypeError('an exception handler must return a Response')
      return sendable(response, 'an exception handler')
    } catch (failure) {
      logger.error(`Exception handler failed in ${where}`, failure)
      return errorReply(undefined, silent, where)
    }
  }
}
