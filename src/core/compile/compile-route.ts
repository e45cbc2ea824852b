import type { Inputs } from '../declare/dependency.js'
import type { Schema } from '../declare/inputs.js'
import { isZodSchema } from '../declare/inputs.js'
import { refuseUnknownOptions } from '../declare/known-options.js'
import type { ResponseDoc, RouteOptions, RouteRecord } from '../declare/route-options.js'
import { isPlainObject } from '../plain-object.js'
import type { RouteRuntime } from '../run/route-runtime.js'
import { unwritableInResponse } from './json-shapes.js'
import { compilePlan, type Plan, type PlanInput } from './plan.js'
import { parseRoutePath, type RoutePath } from './route-path.js'

/** A route analysed once at registration; the engine and the OpenAPI generator both read it. */
export interface CompiledRoute {
  readonly method: RouteRecord['method']
  readonly path: RoutePath
  readonly options: RouteOptions<Inputs, Schema | undefined>
  readonly runtime: RouteRuntime
  readonly operationId: string
  /** What the plan was made from, to plan the route again with `app.dependencyOverrides`. */
  readonly planInput: PlanInput
}

// Every key of `RouteOptions`: a misspelt one (`secruity`) would otherwise be ignored silently.
const ROUTE_OPTIONS = new Set([
  'inputs',
  'response',
  'status',
  'dependencies',
  'tags',
  'summary',
  'description',
  'operationId',
  'deprecated',
  'includeInSchema',
  'responseDescription',
  'responses',
  'openapiExtra',
  'security',
  'bodyLimit',
  'mapError',
])

/** Compile a declared route. `appDependencies` run first, before the router's and the route's own. */
export function compileRoute(
  record: RouteRecord,
  appDependencies: RouteOptions['dependencies'],
  takenOperationIds: Set<string>,
): CompiledRoute {
  const name = `${record.method} ${record.path}`
  // A path refused for a space or a control character is shown escaped, so the message shows it.
  const shownPath = /^[!-~]*$/.test(record.path) ? record.path : JSON.stringify(record.path)
  const path = parseRoutePath(record.path, `${record.method} ${shownPath}`)
  const { options } = record
  refuseUnknownOptions(name, options, ROUTE_OPTIONS, 'route option')
  const status = options.status ?? 200
  // 1xx are interim answers, never a route's final one (RFC 9110 §15.2).
  if (!Number.isInteger(status) || status < 200 || status > 599)
    throw new TypeError(`${name}: \`status\` must be an HTTP status code from 200 to 599`)
  // RFC 9110 §15.3.5, §15.3.6 and §15.4.5: these answers carry no content, so a response model
  // never applies.
  if ((status === 204 || status === 205 || status === 304) && options.response !== undefined)
    throw new TypeError(
      `${name}: \`status: ${status}\` has no body, so it takes no \`response\` model`,
    )
  const { bodyLimit } = options
  if (bodyLimit !== undefined && (!Number.isSafeInteger(bodyLimit) || bodyLimit < 0))
    throw new TypeError(`${name}: \`bodyLimit\` must be a non-negative integer`)
  const extra = options.openapiExtra
  if (extra !== undefined && !isPlainObject(extra))
    throw new TypeError(`${name}: \`openapiExtra\` must be an object (merged into the operation)`)
  if (extra !== undefined) {
    // The fields whose type the document's validity hangs on (OpenAPI 3.1 §4.8.10).
    const { operationId, responses, parameters, tags } = extra as Record<string, unknown>
    if (operationId !== undefined && operationId !== null && typeof operationId !== 'string')
      throw new TypeError(`${name}: \`openapiExtra.operationId\` must be a string`)
    if (responses !== undefined && responses !== null && !isPlainObject(responses))
      throw new TypeError(`${name}: \`openapiExtra.responses\` must be an object keyed by status`)
    for (const field of ['parameters', 'tags'] as const) {
      const value = field === 'parameters' ? parameters : tags
      if (value !== undefined && value !== null && !Array.isArray(value))
        throw new TypeError(`${name}: \`openapiExtra.${field}\` must be an array`)
    }
  }
  if (options.mapError !== undefined && typeof options.mapError !== 'function')
    throw new TypeError(`${name}: \`mapError\` must be a function`)
  if (options.response !== undefined && !isZodSchema(options.response))
    throw new TypeError(`${name}: \`response\` must be a Zod schema (e.g. z.object({...}))`)
  const unwritable = options.response && unwritableInResponse(options.response)
  if (unwritable)
    throw new TypeError(
      `${name}: \`response\` has ${unwritable}, which JSON cannot carry (it would be written as {} or left out): use z.array() (with a refine if the items must differ) for a set, z.record() for a map, and data for a function, symbol or promise`,
    )
  checkDocumentationTypes(name, options)
  for (const [code, doc] of Object.entries(options.responses ?? {}) as [string, ResponseDoc][]) {
    if (!/^[1-5](\d\d|XX)$/.test(code) && code !== 'default')
      throw new TypeError(
        `${name}: \`responses\` key ${code} is not a status, a range such as 4XX, or default`,
      )
    if (!isPlainObject(doc))
      throw new TypeError(
        `${name}: \`responses[${code}]\` must be an object such as { description: 'Not found' }`,
      )
    for (const key of Object.keys(doc))
      if (key !== 'description' && key !== 'schema')
        throw new TypeError(
          `${name}: \`responses[${code}]\` has an unknown key \`${key}\` (an entry is { description, schema }${key === 'model' ? ": FastAPI's `model` is `schema` here" : ''})`,
        )
    if (doc.description !== undefined && typeof doc.description !== 'string')
      throw new TypeError(`${name}: \`responses[${code}].description\` must be a string`)
    if (doc.schema !== undefined && !isZodSchema(doc.schema))
      throw new TypeError(`${name}: \`responses[${code}].schema\` must be a Zod schema`)
  }
  const planInput: PlanInput = {
    inputs: options.inputs ?? {},
    dependencies: [...(appDependencies ?? []), ...(options.dependencies ?? [])],
    pathParams: path.params,
    routeName: name,
  }
  const plan = compilePlan(planInput)
  checkExplicitSecurity(name, options.security, plan)
  const operationId = uniqueOperationId(record, takenOperationIds)
  return {
    method: record.method,
    path,
    options,
    operationId,
    planInput,
    runtime: {
      plan,
      handler: record.handler as RouteRuntime['handler'],
      responseSchema: options.response,
      status,
      name,
      bodyLimit,
      mapError: options.mapError,
    },
  }
}

/**
 * The options that go into the OpenAPI document as they are: of another type they make it invalid
 * (`tags: 'items'` would even spread into letters).
 */
function checkDocumentationTypes(
  name: string,
  options: RouteOptions<Inputs, Schema | undefined>,
): void {
  const given = options as Record<string, unknown>
  for (const option of ['summary', 'description', 'responseDescription', 'operationId'])
    if (given[option] !== undefined && typeof given[option] !== 'string')
      throw new TypeError(`${name}: \`${option}\` must be a string`)
  if (options.operationId === '') throw new TypeError(`${name}: \`operationId\` must not be empty`)
  for (const option of ['deprecated', 'includeInSchema'])
    if (given[option] !== undefined && typeof given[option] !== 'boolean')
      throw new TypeError(`${name}: \`${option}\` must be a boolean`)
  const { tags } = options
  if (tags !== undefined && (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')))
    throw new TypeError(`${name}: \`tags\` must be an array of strings`)
}

/** A route's own `security` may only name schemes the route really reads. */
function checkExplicitSecurity(name: string, security: RouteOptions['security'], plan: Plan): void {
  if (security === undefined) return
  if (!Array.isArray(security))
    throw new TypeError(`${name}: \`security\` must be an array of requirement objects`)
  const known = new Set(plan.security.map((requirement) => requirement.scheme.schemeName))
  for (const requirement of security) {
    if (requirement === null || typeof requirement !== 'object')
      throw new TypeError(`${name}: each \`security\` entry must be an object of scheme names`)
    for (const [scheme, scopes] of Object.entries(requirement)) {
      if (!known.has(scheme))
        throw new TypeError(
          `${name}: \`security\` names "${scheme}", which is not a security scheme of this route`,
        )
      if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string'))
        throw new TypeError(`${name}: \`security.${scheme}\` must be an array of scope names`)
    }
  }
}

function uniqueOperationId(record: RouteRecord, taken: Set<string>): string {
  // `openapiExtra` may name the operation too: the document must still hold it once (OAS §4.8.10).
  const extra = record.options.openapiExtra?.operationId
  const explicit = record.options.operationId ?? (typeof extra === 'string' ? extra : undefined)
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
