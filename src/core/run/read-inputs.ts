import type { Plan, TextRead } from '../compile/plan.js'
import type { Schema } from '../declare/inputs.js'
import { RequestValidationError, type ValidationErrorItem } from '../errors/index.js'
import { type FormFields, missingBody, readFormBody, readJSONBody } from './body.js'
import type { BaseRequestView } from './request-view.js'
import { type Validated, validate, validateSyncFirst } from './validate.js'

type Source = (name: string) => string | File | undefined
type ListSource = (name: string) => readonly (string | File)[]

/** Read one input from a text source; form files pass through, only text is converted. */
function readText(read: TextRead, name: string, one: Source, all: ListSource): unknown {
  switch (read.mode) {
    case 'scalar': {
      const raw = one(name)
      return typeof raw === 'string' && read.coerce ? read.coerce(raw) : raw
    }
    case 'list': {
      const raws = all(name)
      if (raws.length === 0) return undefined
      return read.coerce
        ? raws.map((raw) => (typeof raw === 'string' ? read.coerce?.(raw) : raw))
        : [...raws]
    }
    case 'model': {
      const model: Record<string, unknown> = {}
      for (const field of read.fields) {
        const value = readText(field.read, field.name, one, all)
        if (value !== undefined) model[field.name] = value
      }
      return model
    }
  }
}

/**
 * Step 1 of a request: read and validate every declared input into its slot. All problems are
 * collected and thrown together as one {@link RequestValidationError}.
 */
export async function readInputs(
  plan: Plan,
  view: BaseRequestView,
  pathParams: Readonly<Record<string, string>>,
  values: unknown[],
  bodyLimit: number,
): Promise<void> {
  const errors: ValidationErrorItem[] = []
  const record = (slot: number, result: Validated) => {
    if (result.ok) values[slot] = result.value
    else errors.push(...result.errors)
  }
  const checkBody = async (
    slot: number,
    schema: Schema,
    raw: unknown,
    loc: (string | number)[],
  ) => {
    const pending = validateSyncFirst(schema, raw, loc)
    record(slot, pending instanceof Promise ? await pending : pending)
  }

  for (const step of plan.params) {
    let raw: unknown
    switch (step.location) {
      case 'path':
        raw = readText(step.read, step.name, (n) => pathParams[n], noList)
        break
      case 'query':
        raw = readText(
          step.read,
          step.name,
          (n) => view.query(n),
          (n) => view.queryAll(n),
        )
        break
      case 'header':
        raw = readText(
          step.read,
          step.name,
          (n) => view.header(n),
          (n) => headerList(view.header(n)),
        )
        break
      case 'cookie':
        raw = readText(
          step.read,
          step.name,
          (n) => view.cookie(n),
          (n) => {
            const value = view.cookie(n)
            return value === undefined ? [] : [value]
          },
        )
        break
    }
    const loc = step.read.mode === 'model' ? [step.location] : [step.location, step.name]
    record(step.slot, validate(step.schema, raw, loc))
  }

  if (plan.bodies.length > 0) {
    const body = await readJSONBody(view, bodyLimit)
    for (const step of plan.bodies) {
      let raw: unknown
      if (body === missingBody) raw = undefined
      else if (step.embedAs === undefined) raw = body
      else
        raw =
          body !== null && typeof body === 'object'
            ? (body as Record<string, unknown>)[step.embedAs]
            : undefined
      await checkBody(
        step.slot,
        step.schema,
        raw,
        step.embedAs === undefined ? ['body'] : ['body', step.embedAs],
      )
    }
  }

  if (plan.forms.length > 0) {
    const form = await readFormBody(view, bodyLimit)
    const one = (name: string) => lastNonEmpty(form, name)
    const all = (name: string) => (form ? form.getAll(name).filter((v) => v !== '') : [])
    for (const step of plan.forms) {
      const raw = readText(step.read, step.name ?? '', one, all)
      await checkBody(
        step.slot,
        step.schema,
        raw,
        step.name === undefined ? ['body'] : ['body', step.name],
      )
    }
  }

  if (errors.length > 0) throw new RequestValidationError(errors)
}

/** The last value of a form field; empty strings count as missing, as in FastAPI. */
function lastNonEmpty(form: FormFields | undefined, name: string): string | File | undefined {
  if (!form) return undefined
  const values = form.getAll(name)
  const last = values[values.length - 1]
  return last === '' ? undefined : last
}

const noList: ListSource = () => []

function headerList(value: string | undefined): string[] {
  if (value === undefined) return []
  return value.split(',').map((part) => part.trim())
}
