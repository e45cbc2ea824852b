import type { Inputs } from '../declare/dependency.js'
import type { Schema } from '../declare/inputs.js'
import type { RouteOptions, RouteRecord } from '../declare/route-options.js'
import type { RouteRuntime } from '../run/route-runtime.js'
import { compilePlan } from './plan.js'
import { parseRoutePath, type RoutePath } from './route-path.js'

/** A route analysed once at registration; the engine and the OpenAPI generator both read it. */
export interface CompiledRoute {
  readonly method: RouteRecord['method']
  readonly path: RoutePath
  readonly options: RouteOptions<Inputs, Schema | undefined>
  readonly runtime: RouteRuntime
  readonly operationId: string
}

/** Compile a declared route. `appDependencies` run first, before the router's and the route's own. */
export function compileRoute(
  record: RouteRecord,
  appDependencies: RouteOptions['dependencies'],
  takenOperationIds: Set<string>,
): CompiledRoute {
  const path = parseRoutePath(record.path)
  const name = `${record.method} ${record.path}`
  const { options } = record
  const status = options.status ?? 200
  if (!Number.isInteger(status) || status < 100 || status > 599)
    throw new TypeError(`${name}: \`status\` must be an HTTP status code`)
  const { bodyLimit } = options
  if (bodyLimit !== undefined && (!Number.isSafeInteger(bodyLimit) || bodyLimit < 0))
    throw new TypeError(`${name}: \`bodyLimit\` must be a non-negative integer`)
  const plan = compilePlan({
    inputs: options.inputs ?? {},
    dependencies: [...(appDependencies ?? []), ...(options.dependencies ?? [])],
    pathParams: path.params,
    routeName: name,
  })
  const operationId = uniqueOperationId(record, takenOperationIds)
  return {
    method: record.method,
    path,
    options,
    operationId,
    runtime: {
      plan,
      handler: record.handler as RouteRuntime['handler'],
      responseSchema: options.response,
      status,
      name,
      bodyLimit,
    },
  }
}

function uniqueOperationId(record: RouteRecord, taken: Set<string>): string {
  const explicit = record.options.operationId
  if (explicit !== undefined) {
    if (taken.has(explicit))
      throw new TypeError(`${record.method} ${record.path}: duplicate operationId "${explicit}"`)
    taken.add(explicit)
    return explicit
  }
  const base = generatedOperationId(record)
  let candidate = base
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}_${n}`
  taken.add(candidate)
  return candidate
}

/** FastAPI's shape, `<name>_<path>_<method>`, with the handler's name when it has one. */
function generatedOperationId(record: RouteRecord): string {
  const handlerName =
    record.handler.name && record.handler.name !== 'handler' ? record.handler.name : ''
  const id = `${toSnake(handlerName)}${record.path}`.replace(/\W/g, '_')
  return `${id}_${record.method.toLowerCase()}`.replace(/^_+/, '')
}

function toSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
}
