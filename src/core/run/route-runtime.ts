import type { Plan } from '../compile/plan.js'
import type { Schema } from '../declare/inputs.js'
import { BackgroundTasks } from './background-tasks.js'
import { readInputs } from './read-inputs.js'
import type { BaseRequestView } from './request-view.js'
import type { Logger, Reply } from './respond.js'
import { serializeResult } from './respond.js'
import { ResponseParameter } from './response-parameter.js'
import { bindArgs, type Cleanups, runCleanups, runDependencies } from './run-dependencies.js'

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
}

/**
 * Run one request through a compiled route: inputs, schemes, dependencies, handler, response, with
 * every error answered in one place. What must wait for the response to be written — background
 * tasks, then cleanups in reverse order — is queued on the view for the engine to run.
 */
export async function handleRequest(
  route: RouteRuntime,
  view: BaseRequestView,
  pathParams: Readonly<Record<string, string>>,
  settings: RuntimeSettings,
): Promise<Reply> {
  const { plan } = route
  const values = plan.template.slice()
  const cleanups: Cleanups = { request: [], function: [] }
  let tasks: BackgroundTasks | undefined
  let parameter: ResponseParameter | undefined
  let reply: Reply
  let failure: unknown
  try {
    if (plan.requestSlot !== undefined) values[plan.requestSlot] = view.request
    if (plan.responseSlot !== undefined) {
      parameter = new ResponseParameter(!isLocalPlainHTTP(view))
      values[plan.responseSlot] = parameter
    }
    if (plan.tasksSlot !== undefined) values[plan.tasksSlot] = tasks = new BackgroundTasks()
    if (plan.readsInputs)
      await readInputs(plan, view, pathParams, values, route.bodyLimit ?? settings.bodyLimit)
    await runDependencies(plan, view, values, cleanups)
    let result = route.handler(bindArgs(plan.handlerArgs, values))
    if (result instanceof Promise) result = await result
    if (cleanups.function.length > 0) {
      const raised = await runCleanups(cleanups.function.splice(0), undefined)
      if (raised !== undefined) throw raised
    }
    const serialized = serializeResult(result, route.responseSchema, route.status, parameter)
    reply = serialized instanceof Promise ? await serialized : serialized
  } catch (error) {
    failure = error ?? new Error('undefined thrown')
    if (cleanups.function.length > 0) {
      const raised = await runCleanups(cleanups.function.splice(0), failure)
      if (raised !== undefined) failure = raised
    }
    reply = await settings.answerError(failure, view, route.name)
  }
  if (cleanups.request.length > 0 || (tasks !== undefined && tasks.size > 0)) {
    const { logger } = settings
    view.defer(async () => {
      // Background tasks belong to a successful response, as in FastAPI.
      if (failure === undefined) await tasks?.run(logger, route.name)
      const raised = await runCleanups(cleanups.request, failure)
      // The answer is already sent, so a cleanup that fails can only be reported.
      if (raised !== undefined) logger.error(`Cleanup failed in ${route.name}`, raised)
    })
  }
  return reply
}

/** Plain HTTP to localhost: the one case where cookies are not `Secure` by default (local development). */
function isLocalPlainHTTP(view: BaseRequestView): boolean {
  if (view.secure) return false
  const host = (view.header('host') ?? '').toLowerCase()
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]
  return (
    name === 'localhost' ||
    name === '127.0.0.1' ||
    name === '[::1]' ||
    name?.endsWith('.localhost') === true
  )
}
