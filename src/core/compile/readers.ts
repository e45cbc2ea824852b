import type { ParamLocation, Schema } from '../declare/inputs.js'
import type { FormFields } from '../run/body.js'
import type { BaseRequestView } from '../run/request-view.js'
import {
  isArraySchema,
  isObjectSchema,
  isStrictObjectSchema,
  listCoercer,
  objectShape,
  textCoercer,
  uniqueSet,
  unwrapSchema,
} from '../schema.js'

/** Reads a parameter's raw value for validation; chosen at registration, called per request. */
export type ParamReader = (
  view: BaseRequestView,
  pathParams: Readonly<Record<string, string>>,
) => unknown
/** Reads a form input's raw value from the parsed form (`undefined` when the body is not a form). */
export type FormReader = (form: FormFields | undefined) => unknown

type One<C> = (context: C, name: string) => string | File | undefined
type All<C> = (context: C, name: string) => readonly (string | File)[]
type Read<C> = (context: C) => unknown
/** Every name the source carries with its value: one value as it is, several as a list. */
type Received<C> = (context: C) => Iterable<readonly [string, unknown]>

/** How a text input is shaped: one value, every value, or several fields as a model. */
export type TextShape = 'scalar' | 'list' | 'model'

export function textShapeOf(schema: Schema): TextShape {
  if (isObjectSchema(schema)) return 'model'
  return isArraySchema(schema) ? 'list' : 'scalar'
}

/**
 * A reader over a text source: the schema decides once whether one value, every value or a model
 * of several fields is read, and how text is converted (numbers, booleans) before validation.
 */
function textReader<C>(
  schema: Schema,
  name: string,
  one: One<C>,
  all: All<C>,
  received: Received<C>,
  fieldNames?: Readonly<Record<string, string>>,
  convert = true,
): Read<C> {
  switch (textShapeOf(schema)) {
    case 'model': {
      // A field is one name of the same source: only the model itself sees every name.
      const fields = Object.entries(objectShape(schema)).map(
        ([field, fieldSchema]) =>
          [
            field,
            textReader(
              fieldSchema,
              fieldNames?.[field] ?? field,
              one,
              all,
              noneReceived,
              undefined,
              convert,
            ),
          ] as const,
      )
      const readModel: Read<C> = (context) => {
        const model: Record<string, unknown> = {}
        for (const [field, readField] of fields) {
          const value = readField(context)
          if (value !== undefined) model[field] = value
        }
        return model
      }
      return isStrictObjectSchema(schema)
        ? withExtras(readModel, received, fields, fieldNames)
        : readModel
    }
    case 'list': {
      const coerce = convert ? listCoercer(schema) : undefined
      // `?tag=a&tag=b` for `z.set()` is a Set, as FastAPI's `set[str]` is: Zod takes nothing else.
      // The unconverted reading (what a 422 echoes) stays a list of what was sent.
      const collect =
        convert && unwrapSchema(schema)._zod.def.type === 'set' ? asSet : emptyAsUndefined
      if (!coerce) return (context) => collect([...all(context, name)])
      return (context) =>
        collect(all(context, name).map((raw) => (typeof raw === 'string' ? coerce(raw) : raw)))
    }
    case 'scalar': {
      const coerce = convert ? textCoercer(schema) : undefined
      if (!coerce) return (context) => one(context, name)
      return (context) => {
        const raw = one(context, name)
        return typeof raw === 'string' ? coerce(raw) : raw
      }
    }
  }
}

/**
 * A strict model (`z.strictObject`) is also given every name it does not declare, so that it
 * refuses them (`extra_forbidden`), as FastAPI hands a model with `extra: "forbid"` every key
 * received. A name a field is read under, or the field's own name (`x_a` for the `x-a` header),
 * is not an extra. Only strict models pay for the walk.
 */
function withExtras<C>(
  read: Read<C>,
  received: Received<C>,
  fields: readonly (readonly [string, unknown])[],
  fieldNames: Readonly<Record<string, string>> | undefined,
): Read<C> {
  const declared = new Set(fields.map(([field]) => field))
  for (const wire of Object.values(fieldNames ?? {})) declared.add(wire)
  return (context) => {
    const model = read(context) as Record<string, unknown>
    for (const [key, value] of received(context)) {
      if (declared.has(key)) continue
      // Defined, not assigned: `?__proto__=x` must be an extra like any other name.
      Object.defineProperty(model, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    return model
  }
}

const noneReceived: Received<unknown> = () => []

/** One value as it is, several as a list (FastAPI's `getlist` for names it does not declare). */
function oneOrList<T>(values: readonly T[]): T | readonly T[] | undefined {
  return values.length === 1 ? values[0] : values
}

function emptyAsUndefined<T>(values: T[]): T[] | undefined {
  return values.length === 0 ? undefined : values
}

function asSet<T>(values: T[]): Set<T> | undefined {
  return values.length === 0 ? undefined : uniqueSet(values)
}

interface ParamContext {
  view: BaseRequestView
  pathParams: Readonly<Record<string, string>>
}

const SOURCES: Record<
  ParamLocation,
  [One<ParamContext>, All<ParamContext>, Received<ParamContext>]
> = {
  // Path models are refused at registration.
  path: [({ pathParams }, name) => pathParams[name], () => [], () => []],
  query: [
    ({ view }, name) => view.query(name),
    ({ view }, name) => view.queryAll(name),
    ({ view }) => view.queryNames().map((name) => [name, oneOrList(view.queryAll(name))] as const),
  ],
  header: [
    ({ view }, name) => view.header(name),
    ({ view }, name) => headerList(view.header(name)),
    // Repeated lines come joined, as `header()` reads them.
    ({ view }) => view.headerNames().map((name) => [name, view.header(name)] as const),
  ],
  cookie: [
    ({ view }, name) => view.cookie(name),
    ({ view }, name) => {
      const value = view.cookie(name)
      return value === undefined ? [] : [value]
    },
    ({ view }) => view.cookieNames().map((name) => [name, view.cookie(name)] as const),
  ],
}

/**
 * The reader of a path, query, header or cookie parameter; `fieldNames` renames a model's fields.
 * With `convert: false` it reads the text as sent, unconverted: what a 422 echoes as `input` for
 * a value that failed after conversion (`"4.2"`, not the number 4.2), as Pydantic echoes it.
 */
export function paramReader(
  location: ParamLocation,
  schema: Schema,
  name: string,
  fieldNames?: Readonly<Record<string, string>>,
  convert = true,
): ParamReader {
  const [one, all, received] = SOURCES[location]
  // Scalars of the common sources skip the context object: one call, no allocation.
  if (textShapeOf(schema) === 'scalar' && (!convert || textCoercer(schema) === undefined)) {
    if (location === 'query') return (view) => view.query(name)
    if (location === 'header') return (view) => view.header(name)
    if (location === 'cookie') return (view) => view.cookie(name)
    return (_view, pathParams) => pathParams[name]
  }
  const read = textReader(schema, name, one, all, received, fieldNames, convert)
  return (view, pathParams) => read({ view, pathParams })
}

/** The reader of a form field, or of the whole form as a model when `name` is undefined. */
export function formReader(schema: Schema, name: string | undefined, convert = true): FormReader {
  return textReader<FormFields | undefined>(
    schema,
    name ?? '',
    lastNonEmpty,
    (form, field) => (form ? form.getAll(field).filter((value) => value !== '') : []),
    // Every value of an undeclared field, empty ones too: FastAPI hands them to the model as sent.
    (form) =>
      form
        ? [...new Set(form.keys())].map((field) => [field, oneOrList(form.getAll(field))] as const)
        : [],
    undefined,
    convert,
  )
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
