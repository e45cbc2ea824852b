import type { Plan } from '../compile/plan.js'
import type { Schema } from '../declare/inputs.js'
import { readInputs } from './read-inputs.js'
import type { BaseRequestView } from './request-view.js'
import { errorReply, type Logger, type Reply, serializeResult } from './respond.js'
import { bindArgs, type Cleanup, runDependencies } from './run-dependencies.js'

export interface RuntimeSettings {
  readonly bodyLimit: number
  readonly logger: Logger
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
 * Run one request through a compiled route: inputs, schemes, dependencies, handler, response,
 * cleanups (reverse order, always), with every error mapped to a response in one place.
 */
export async function handleRequest(
  route: RouteRuntime,
  view: BaseRequestView,
  pathParams: Readonly<Record<string, string>>,
  settings: RuntimeSettings,
): Promise<Reply> {
  const { plan } = route
  const values = plan.template.slice()
  const cleanups: Cleanup[] = []
  let response: Reply | undefined
  let failure: unknown
  try {
    if (plan.requestSlot !== undefined) values[plan.requestSlot] = view.request
    if (plan.params.length + plan.bodies.length + plan.forms.length > 0)
      await readInputs(plan, view, pathParams, values, route.bodyLimit ?? settings.bodyLimit)
    await runDependencies(plan, view, values, cleanups)
    let result = route.handler(bindArgs(plan.handlerArgs, values))
    if (result instanceof Promise) result = await result
    const reply = serializeResult(result, route.responseSchema, route.status)
    response = reply instanceof Promise ? await reply : reply
  } catch (error) {
    failure = error ?? new Error('undefined thrown')
  }
  for (let i = cleanups.length - 1; i >= 0; i--) {
    try {
      await cleanups[i]?.(failure)
    } catch (error) {
      // A cleanup that throws replaces the outcome, like an exception raised after `yield`.
      failure = error
    }
  }
  if (failure !== undefined) return errorReply(failure, settings.logger, route.name)
  return response as Reply
}
