import type { DependencyStep, Plan } from '../compile/plan.js'
import type { Schema } from '../declare/inputs.js'
import { BackgroundTasks } from './background-tasks.js'
import { readInputs } from './read-inputs.js'
import type { BaseRequestView } from './request-view.js'
import type { Logger, Reply } from './respond.js'
import { discardReply, serializeResult } from './respond.js'
import { ResponseParameter } from './response-parameter.js'
import {
  bindArgs,
  type Cleanup,
  cleanupOf,
  isThenable,
  runCleanups,
  startGenerator,
} from './run-dependencies.js'

export interface RuntimeSettings {
  readonly bodyLimit: number
  readonly logger: Logger
  /** Turns an error into the answer: the app's exception handlers, then the error family's table. */
  answerError(error: unknown, view: BaseRequestView, where: string): Reply | Promise<Reply>
}

export interface RouteRuntime {
  readonly plan: Plan
  readonly handler: (inputs: Record<string, unknown>) => unknown
  readonly responseSchema: Schema | undefined
  readonly status: number
  /** `GET /items/{id}`, for logs. */
  readonly name: string
  /** The route's own body limit, over the app's. */
  readonly bodyLimit: number | undefined
  /** The route's `mapError`: what to answer instead of an error, before the handlers see it. */
  readonly mapError?: ((error: unknown) => unknown) | undefined
}

/**
 * Run one request through a compiled route: inputs, schemes, dependencies, handler, response, with
 * every error answered in one place. What must wait for the response to be written — background
 * tasks, then cleanups in reverse order — is queued on the view for the engine to run.
 *
 * Sync first: as long as every step answers synchronously (a token checked with a sync HMAC, a
 * user read from SQLite, a sync handler), no promise is made and the reply is returned as it is;
 * the first step that returns a promise switches the rest of the request to async.
 */
export function handleRequest(
  route: RouteRuntime,
  view: BaseRequestView,
  pathParams: Readonly<Record<string, string>>,
  settings: RuntimeSettings,
): Reply | Promise<Reply> {
  return new Execution(route, view, settings).start(pathParams)
}

/** One request's run through a route: its slot values, cleanups and outcome. */
class Execution {
  readonly #route: RouteRuntime
  readonly #view: BaseRequestView
  readonly #settings: RuntimeSettings
  readonly #values: unknown[]
  #requestCleanups: Cleanup[] | undefined
  #functionCleanups: Cleanup[] | undefined
  #tasks: BackgroundTasks | undefined
  #parameter: ResponseParameter | undefined
  #failure: unknown

  constructor(route: RouteRuntime, view: BaseRequestView, settings: RuntimeSettings) {
    this.#route = route
    this.#view = view
    this.#settings = settings
    this.#values = route.plan.template.slice()
  }

  start(pathParams: Readonly<Record<string, string>>): Reply | Promise<Reply> {
    const { plan } = this.#route
    try {
      if (plan.responseSlot !== undefined) {
        const view = this.#view
        this.#parameter = new ResponseParameter(() => !isLocalPlainHTTP(view))
        this.#values[plan.responseSlot] = this.#parameter
      }
      if (plan.tasksSlot !== undefined) {
        this.#tasks = new BackgroundTasks()
        this.#values[plan.tasksSlot] = this.#tasks
      }
      if (plan.stateSlot !== undefined) this.#values[plan.stateSlot] = this.#view.state ??= {}
      const limit = this.#route.bodyLimit ?? this.#settings.bodyLimit
      // The handler's own `await request.text()` too.
      this.#view.limitBody(limit)
      if (plan.readsInputs) {
        const read = readInputs(plan, this.#view, pathParams, this.#values, limit)
        if (read !== undefined)
          return read.then(
            () => this.#handOver(),
            (error: unknown) => this.#fail(error),
          )
      }
      return this.#handOver()
    } catch (error) {
      return this.#fail(error)
    }
  }

  /**
   * The `Request` input, taken once the inputs are read: when they read the body, it is a request
   * over those bytes, which the handler can read again (or pass on to `fetch`), even as a stream.
   */
  #handOver(): Reply | Promise<Reply> {
    const slot = this.#route.plan.requestSlot
    if (slot !== undefined) {
      try {
        this.#values[slot] = this.#view.request
      } catch (error) {
        return this.#fail(error)
      }
    }
    return this.#schemes(0)
  }

  /** Step 2: each security scheme reads its credentials. */
  #schemes(from: number): Reply | Promise<Reply> {
    const { schemes } = this.#route.plan
    try {
      for (let i = from; i < schemes.length; i++) {
        const step = schemes[i] as (typeof schemes)[number]
        // The step is the scheme's context: it carries the route's scopes for the scheme.
        const credentials = step.scheme.extract(this.#view, step)
        if (isThenable(credentials))
          return Promise.resolve(credentials).then(
            (value) => {
              this.#values[step.slot] = value
              return this.#schemes(i + 1)
            },
            (error: unknown) => this.#fail(error),
          )
        this.#values[step.slot] = credentials
      }
      return this.#dependencies(0)
    } catch (error) {
      return this.#fail(error)
    }
  }

  /** Step 3: the dependencies in plan order; generators and disposables register their cleanups. */
  #dependencies(from: number): Reply | Promise<Reply> {
    const { dependencies } = this.#route.plan
    try {
      for (let i = from; i < dependencies.length; i++) {
        const step = dependencies[i] as DependencyStep
        const result = step.dependency.fn(bindArgs(step.args, this.#values))
        if (isThenable(result))
          return Promise.resolve(result).then(
            (value) => this.#provideThen(step, value, i + 1),
            (error: unknown) => this.#fail(error),
          )
        const pending = this.#provide(step, result)
        if (pending !== undefined)
          return pending.then(
            () => this.#dependencies(i + 1),
            (error: unknown) => this.#fail(error),
          )
      }
      return this.#handler()
    } catch (error) {
      return this.#fail(error)
    }
  }

  /** An awaited dependency's value: store it, then go on with the next dependency. */
  #provideThen(step: DependencyStep, value: unknown, next: number): Reply | Promise<Reply> {
    try {
      const pending = this.#provide(step, value)
      if (pending === undefined) return this.#dependencies(next)
      return pending.then(
        () => this.#dependencies(next),
        (error: unknown) => this.#fail(error),
      )
    } catch (error) {
      return this.#fail(error)
    }
  }

  /**
   * Store a dependency's result in its slot: a generator's first yielded value (its cleanup
   * registered), or the value itself (disposed later if it is disposable). Returns a promise only
   * when that needs waiting for (an async generator's first `next()`).
   */
  #provide(step: DependencyStep, result: unknown): Promise<unknown> | undefined {
    const started = startGenerator(step.dependency, result)
    if (started === undefined) {
      this.#values[step.slot] = result
      const disposer = cleanupOf(result)
      if (disposer) this.#register(step, disposer)
      return undefined
    }
    if (isThenable(started))
      return started.then(({ value, cleanup }) => {
        this.#values[step.slot] = value
        this.#register(step, cleanup)
      })
    this.#values[step.slot] = started.value
    this.#register(step, started.cleanup)
    return undefined
  }

  #register(step: DependencyStep, cleanup: Cleanup): void {
    const function_ = step.dependency.scope === 'function'
    const list = (function_ ? this.#functionCleanups : this.#requestCleanups) ?? []
    if (function_) this.#functionCleanups = list
    else this.#requestCleanups = list
    list.push(cleanup)
  }

  /** Step 4: the handler. */
  #handler(): Reply | Promise<Reply> {
    try {
      const result = this.#route.handler(bindArgs(this.#route.plan.handlerArgs, this.#values))
      if (isThenable(result))
        return Promise.resolve(result).then(
          (value) => this.#respond(value),
          (error: unknown) => this.#fail(error),
        )
      return this.#respond(result)
    } catch (error) {
      return this.#fail(error)
    }
  }

  /** Step 5: `scope: 'function'` cleanups, then the response model. */
  #respond(result: unknown): Reply | Promise<Reply> {
    if (this.#functionCleanups !== undefined)
      return runCleanups(this.#functionCleanups.splice(0), undefined).then((raised) => {
        if (raised === undefined) return this.#serialize(result)
        // A cleanup's error is answered instead: the handler's stream is released, not sent.
        discardReply(result as Reply)
        return this.#fail(raised)
      })
    return this.#serialize(result)
  }

  #serialize(result: unknown): Reply | Promise<Reply> {
    const route = this.#route
    try {
      const reply = serializeResult(result, route.responseSchema, route.status, this.#parameter)
      if (reply instanceof Promise)
        return reply.then(
          (done) => this.#done(done),
          (error: unknown) => this.#fail(error),
        )
      return this.#done(reply)
    } catch (error) {
      // A raw Response refused by the route's response model is answered 500, never sent.
      discardReply(result as Reply)
      return this.#fail(error)
    }
  }

  /**
   * Any step failed: every cleanup sees the error before it is answered, `scope: 'function'` ones
   * first, and a new error one raises is answered instead. As in FastAPI, where the error unwinds
   * the dependencies' exit stack on its way to the exception handlers: a `yield` dependency's
   * `catch (e) { throw new HTTPException(400, …) }` turns the handler's error into that 400
   * (FastAPI's tutorial008b). Only a successful answer is written before request-scoped cleanups.
   */
  async #fail(error: unknown): Promise<Reply> {
    let failure: unknown = error ?? new Error('undefined thrown')
    if (this.#functionCleanups !== undefined) {
      const raised = await runCleanups(this.#functionCleanups.splice(0), failure)
      if (raised !== undefined) failure = raised
    }
    const cleanups = this.#requestCleanups
    if (cleanups !== undefined) {
      this.#requestCleanups = undefined
      const raised = await runCleanups(cleanups, failure)
      if (raised !== undefined) failure = raised
    }
    this.#failure = failure
    const { mapError, name } = this.#route
    if (mapError !== undefined) {
      try {
        failure = mapError(failure) ?? failure
      } catch (raised) {
        // A mapper that throws is a bug of the route: answered (and logged) as a server fault.
        failure = raised
      }
    }
    return this.#done(await this.#settings.answerError(failure, this.#view, name))
  }

  /** Queue what waits for the response to be written, and hand the reply to the engine. */
  #done(reply: Reply): Reply {
    const cleanups = this.#requestCleanups
    const tasks = this.#tasks
    if (cleanups !== undefined || (tasks !== undefined && tasks.size > 0)) {
      const { logger } = this.#settings
      const { name } = this.#route
      const view = this.#view
      this.#view.defer(async () => {
        // Read when the answer has gone: a middleware may have answered an error instead.
        const failure = this.#failure ?? view.replacedBy
        // Background tasks belong to a successful response, as in FastAPI.
        if (failure === undefined) await tasks?.run(logger, name)
        if (cleanups === undefined) return
        const raised = await runCleanups(cleanups, failure)
        // The answer is already sent, so a cleanup that fails can only be reported.
        if (raised !== undefined) logger.error(`Cleanup failed in ${name}`, raised)
      })
    }
    return reply
  }
}

/** Plain HTTP to localhost: the one case where cookies are not `Secure` by default (local development). */
function isLocalPlainHTTP(view: BaseRequestView): boolean {
  if (view.secure) return false
  // A proxy in front says so (and what the client used): then `Host` may well be 127.0.0.1 of a
  // TLS-terminating proxy's upstream, and the cookie goes to the world. Only ever adds `Secure`.
  if (view.header('x-forwarded-proto') !== undefined || view.header('forwarded') !== undefined)
    return false
  const host = (view.header('host') ?? '').toLowerCase()
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]
  return (
    name === 'localhost' ||
    name === '127.0.0.1' ||
    name === '[::1]' ||
    name?.endsWith('.localhost') === true
  )
}
