import type { Plan } from '../compile/plan.js'
import { RequestValidationError, type ValidationErrorItem } from '../errors/index.js'
import { missingBody, readFormBody, readJSONBody } from './body.js'
import type { BaseRequestView } from './request-view.js'
import { REDACTED, type Validated, validateSyncFirst, valueAt } from './validate.js'

/** Stores a validated value in its slot, or collects its errors. */
type RecordResult = (slot: number, result: Validated) => void

/**
 * Step 1 of a request: read and validate every declared input into its slot. Each step's reader was
 * chosen at registration, so this only calls them. All problems are collected and thrown together
 * as one {@link RequestValidationError}.
 */
export function readInputs(
  plan: Plan,
  view: BaseRequestView,
  pathParams: Readonly<Record<string, string>>,
  values: unknown[],
  bodyLimit: number,
): Promise<void> | undefined {
  let errors: ValidationErrorItem[] | undefined
  const record: RecordResult = (slot, result) => {
    if (result.ok) values[slot] = result.value
    else if (errors === undefined) errors = [...result.errors]
    else errors.push(...result.errors)
  }
  const { params } = plan
  for (let i = 0; i < params.length; i++) {
    const step = params[i] as (typeof params)[number]
    const result = validateSyncFirst(step.schema, step.read(view, pathParams), step.loc)
    // Only a schema with an async refinement or transform makes parameters wait.
    if (result instanceof Promise)
      return finishParams(plan, view, pathParams, i, result, record).then(() =>
        readBodies(plan, view, bodyLimit, record, () => errors),
      )
    record(step.slot, result.ok ? result : asSent(result, step, step.readText(view, pathParams)))
  }
  // Parameters are read synchronously; only a body makes this wait.
  if (plan.bodies.length === 0 && plan.forms.length === 0) {
    if (errors) throw new RequestValidationError(errors)
    return undefined
  }
  return readBodies(plan, view, bodyLimit, record, () => errors)
}

/** The parameters from `from` on, once one of them turned out async; recorded in declared order. */
async function finishParams(
  plan: Plan,
  view: BaseRequestView,
  pathParams: Readonly<Record<string, string>>,
  from: number,
  first: Promise<Validated>,
  record: RecordResult,
): Promise<void> {
  const pending: (Validated | Promise<Validated>)[] = [first]
  for (let i = from + 1; i < plan.params.length; i++) {
    const step = plan.params[i] as (typeof plan.params)[number]
    pending.push(validateSyncFirst(step.schema, step.read(view, pathParams), step.loc))
  }
  const results = await Promise.all(pending)
  results.forEach((result, offset) => {
    const step = plan.params[from + offset] as (typeof plan.params)[number]
    record(step.slot, result.ok ? result : asSent(result, step, step.readText(view, pathParams)))
  })
}

async function readBodies(
  plan: Plan,
  view: BaseRequestView,
  bodyLimit: number,
  record: RecordResult,
  collected: () => ValidationErrorItem[] | undefined,
): Promise<void> {
  if (plan.bodies.length > 0) {
    const body = await readJSONBody(view, bodyLimit)
    for (const step of plan.bodies) {
      let raw: unknown
      if (body === missingBody) raw = undefined
      else if (step.embedAs === undefined) raw = body
      else raw = isRecord(body) ? body[step.embedAs] : undefined
      if (raw === null && step.nullIsAbsent) raw = undefined
      else if (raw !== undefined && step.convert) raw = step.convert(raw)
      const result = validateSyncFirst(step.schema, raw, step.loc)
      record(step.slot, result instanceof Promise ? await result : result)
    }
  }

  if (plan.forms.length > 0) {
    const form = await readFormBody(view, bodyLimit)
    for (const step of plan.forms) {
      const pending = validateSyncFirst(step.schema, step.read(form), step.loc)
      const result = pending instanceof Promise ? await pending : pending
      record(step.slot, result.ok ? result : asSent(result, step, step.readText(form)))
    }
  }

  const errors = collected()
  if (errors) throw new RequestValidationError(errors)
}

/**
 * A failed text input's errors with `input` as the client sent it: a value converted before
 * validation (`/items/4.2` read as the number 4.2) is echoed as its text, `"4.2"`, as Pydantic
 * echoes the string it could not parse. Redacted and `missing` inputs are left as they are.
 */
function asSent(
  result: Extract<Validated, { ok: false }>,
  step: { readonly loc: readonly (string | number)[] },
  sent: unknown,
): Validated {
  const depth = step.loc.length
  return {
    ok: false,
    errors: result.errors.map((item) => {
      if (item.type === 'missing' || item.input === REDACTED) return item
      const value = valueAt(sent, item.loc.slice(depth))
      return typeof value === 'string' && value !== item.input ? { ...item, input: value } : item
    }),
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object'
}
