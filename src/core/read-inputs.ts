import { type FormFields, missingBody, readFormBody, readJSONBody } from './body.js'
import { RequestValidationError, type ValidationErrorItem } from './errors.js'
import type { Plan, TextRead } from './plan.js'
import type { BaseRequestView } from './request-view.js'
import { validate, validateSyncFirst } from './validation.js'

type Source = (name: string) => string | undefined
type ListSource = (name: string) => readonly (string | File)[]

function readText(read: TextRead, name: string, one: Source, all: ListSource): unknown {
  switch (read.mode) {
    case 'scalar': {
      const raw = one(name)
      return raw === undefined ? undefined : read.coerce ? read.coerce(raw) : raw
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
  const check = (
    slot: number,
    schema: Plan['params'][number]['schema'],
    raw: unknown,
    loc: (string | number)[],
  ) => {
    const result = validate(schema, raw, loc)
    if (result.ok) values[slot] = result.value
    else errors.push(...result.errors)
  }

  for (const step of plan.params) {
    let raw: unknown
    switch (step.location) {
      case 'path': {
        const text = pathParams[step.name]
        raw =
          text === undefined
            ? undefined
            : step.read.mode === 'scalar' && step.read.coerce
              ? step.read.coerce(text)
              : text
        break
      }
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
    check(
      step.slot,
      step.schema,
      raw,
      step.read.mode === 'model' ? [step.location] : [step.location, step.name],
    )
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
      const loc = step.embedAs === undefined ? ['body'] : ['body', step.embedAs]
      const pending = validateSyncFirst(step.schema, raw, loc)
      const result = pending instanceof Promise ? await pending : pending
      if (result.ok) values[step.slot] = result.value
      else errors.push(...result.errors)
    }
  }

  if (plan.forms.length > 0) {
    const form = await readFormBody(view, bodyLimit)
    const one = (name: string) => lastNonEmpty(form, name)
    const all = (name: string) => (form ? form.getAll(name).filter((v) => v !== '') : [])
    for (const step of plan.forms) {
      const name = step.name ?? ''
      const raw = readFormValue(step.read, name, one, all)
      const loc = step.name === undefined ? ['body'] : ['body', step.name]
      const pending = validateSyncFirst(step.schema, raw, loc)
      const result = pending instanceof Promise ? await pending : pending
      if (result.ok) values[step.slot] = result.value
      else errors.push(...result.errors)
    }
  }

  if (errors.length > 0) throw new RequestValidationError(errors)
}

/** Form fields may be files: scalar reads keep them as they are and coerce only text. */
function readFormValue(
  read: TextRead,
  name: string,
  one: (name: string) => string | File | undefined,
  all: ListSource,
): unknown {
  const oneText = (n: string) => one(n) as string | undefined
  if (read.mode === 'scalar') {
    const raw = one(name)
    if (raw === undefined || typeof raw !== 'string') return raw
    return read.coerce ? read.coerce(raw) : raw
  }
  if (read.mode === 'model') {
    const model: Record<string, unknown> = {}
    for (const field of read.fields) {
      const value = readFormValue(field.read, field.name, one, all)
      if (value !== undefined) model[field.name] = value
    }
    return model
  }
  return readText(read, name, oneText, all)
}

/** The last value of a form field; empty strings count as missing, as in FastAPI. */
function lastNonEmpty(form: FormFields | undefined, name: string): string | File | undefined {
  if (!form) return undefined
  const values = form.getAll(name)
  const last = values[values.length - 1]
  return last === '' ? undefined : last
}

function headerList(value: string | undefined): string[] {
  if (value === undefined) return []
  return value.split(',').map((part) => part.trim())
}
