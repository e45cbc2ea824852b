import type { CompiledRoute } from '../core/compile/compile-route.js'
import type { Plan } from '../core/compile/plan.js'
import { openAPIPath } from '../core/compile/route-path.js'
import { mergeScopes } from '../core/compile/scopes.js'
import type { ResponseDoc } from '../core/declare/route-options.js'
import type { SecurityScheme } from '../core/declare/security-scheme.js'
import { defaultReason } from '../core/errors/index.js'
import { isPlainObject } from '../core/plain-object.js'
import { isOptionalSchema } from '../core/schema.js'
import { type JSONSchema, SchemaCollector } from './schema-collector.js'
import { validationErrorSchemas } from './validation-error-schemas.js'

/** App-level fields of the document. */
export interface OpenAPIInfo {
  title: string
  version: string
  description?: string | undefined
  summary?: string | undefined
  servers?: readonly { url: string; description?: string }[] | undefined
  tags?: readonly { name: string; description?: string }[] | undefined
}

export type OpenAPIDocument = Record<string, unknown> & {
  openapi: '3.1.0'
  paths: Record<string, unknown>
}

/**
 * Generate the OpenAPI 3.1 document from the compiled routes: the same plans that run requests, so
 * what is documented is what is enforced.
 */
export function generateOpenAPI(
  info: OpenAPIInfo,
  routes: readonly CompiledRoute[],
): OpenAPIDocument {
  const schemas = new SchemaCollector()
  const securitySchemes = new Map<string, SecurityScheme>()
  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of routes) {
    if (route.options.includeInSchema === false) continue
    const plan = route.runtime.plan
    const operation = operationFor(route, schemas, securityFor(plan, securitySchemes))
    const path = openAPIPath(route.path.path)
    paths[path] ??= {}
    paths[path][route.method.toLowerCase()] = operation
  }
  // Only when an operation still refers to them: routes whose `openapiExtra` or `responses` removed
  // their 422 (the authorization server's, which answer OAuth errors) leave them unused.
  if (JSON.stringify(paths).includes('"#/components/schemas/HTTPValidationError"')) {
    const [httpValidationError, validationError] = validationErrorSchemas()
    schemas.components.HTTPValidationError = httpValidationError
    schemas.components.ValidationError = validationError
  }
  const components: Record<string, unknown> = {}
  if (Object.keys(schemas.components).length > 0) components.schemas = sortKeys(schemas.components)
  if (securitySchemes.size > 0)
    components.securitySchemes = Object.fromEntries(
      [...securitySchemes].map(([name, scheme]) => [name, scheme.model]),
    )
  const document: OpenAPIDocument = {
    openapi: '3.1.0',
    info: {
      title: info.title,
      ...(info.summary ? { summary: info.summary } : {}),
      ...(info.description ? { description: info.description } : {}),
      version: info.version,
    },
    paths,
  }
  if (info.servers?.length) document.servers = info.servers
  if (Object.keys(components).length > 0) document.components = components
  if (info.tags?.length) document.tags = info.tags
  return document
}

function hasInputs(plan: Plan): boolean {
  return plan.params.length + plan.bodies.length + plan.forms.length > 0
}

function operationFor(
  route: CompiledRoute,
  schemas: SchemaCollector,
  derivedSecurity: Record<string, string[]>[] | undefined,
): Record<string, unknown> {
  const { options, runtime, operationId } = route
  const plan = runtime.plan
  const operation: Record<string, unknown> = {}
  if (options.tags?.length) operation.tags = [...options.tags]
  operation.summary = options.summary ?? summaryFor(route)
  if (options.description) operation.description = options.description
  operation.operationId = operationId
  const parameters = parametersFor(plan, schemas)
  if (parameters.length > 0) operation.parameters = parameters
  const requestBody = requestBodyFor(plan, schemas, operationId)
  if (requestBody) operation.requestBody = requestBody
  operation.responses = responsesFor(route, schemas)
  if (options.deprecated) operation.deprecated = true
  if (options.security)
    operation.security = options.security.map((requirement) => ({ ...requirement }))
  else if (derivedSecurity) operation.security = derivedSecurity
  // Last, so `openapiExtra` can change or remove anything above, `security` included.
  return options.openapiExtra ? deepMerge(operation, options.openapiExtra) : operation
}

/**
 * `extra` merged over `base`: plain objects key by key, anything else (arrays too) replaced, and
 * `null` removing the key (no OpenAPI field is ever `null`), e.g. `{ responses: { 422: null } }`.
 */
function deepMerge(
  base: Record<string, unknown>,
  extra: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(extra)) {
    if (value === null) {
      delete merged[key]
      continue
    }
    const current = merged[key]
    // A new object is merged into an empty one, so the `null`s inside it are dropped too.
    merged[key] = isPlainObject(value)
      ? deepMerge(isPlainObject(current) ? current : {}, value)
      : structuredClone(value)
  }
  return merged
}

/** "Read Users Me" from a handler named `readUsersMe`, else "Get Users Me" from `GET /users/me/`. */
function summaryFor(route: CompiledRoute): string {
  const handlerName = (route.runtime.handler as { name?: string }).name
  const source =
    handlerName && handlerName !== 'handler'
      ? handlerName
      : `${route.method.toLowerCase()} ${route.path.path.replace(/\{[^}]*\}/g, ' ')}`
  return source
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join(' ')
}

function parametersFor(plan: Plan, schemas: SchemaCollector): Record<string, unknown>[] {
  const parameters: Record<string, unknown>[] = []
  const seen = new Set<string>()
  const add = (
    name: string,
    location: string,
    required: boolean,
    schema: JSONSchema,
    docs: Record<string, unknown>,
  ) => {
    // Header names match in any case (RFC 9110 §5.1): one parameter, however each spells it.
    const key = `${location}:${location === 'header' ? name.toLowerCase() : name}`
    if (seen.has(key)) return
    seen.add(key)
    parameters.push({
      name,
      in: location,
      required,
      schema: required ? nullableAsAnyOf(schema) : schema,
      ...describedBy(schema),
      ...docs,
    })
  }
  for (const step of plan.params) {
    if (step.docs.includeInSchema === false) continue
    const docs = {
      ...(step.docs.description ? { description: step.docs.description } : {}),
      ...(step.docs.deprecated ? { deprecated: true } : {}),
    }
    if (step.shape === 'model') {
      const model = schemas.toSchema(step.schema, 'input')
      const properties = (model.properties ?? {}) as Record<string, JSONSchema>
      const required = new Set((model.required ?? []) as string[])
      for (const [field, schema] of Object.entries(properties)) {
        const name = step.fieldNames?.[field] ?? field
        // A field's own description is the more precise one; the model's is for the others.
        add(name, step.location, required.has(field), schema, { ...docs, ...describedBy(schema) })
      }
      continue
    }
    const schema = schemas.toSchema(step.schema, 'input')
    const required = step.location === 'path' || !isOptionalSchema(step.schema)
    add(step.documentedName, step.location, required, schema, docs)
  }
  // Grouped by location, path first, as FastAPI lists them (a stable sort: within a location,
  // the plan's order, a dependency's parameters before the handler's own).
  return parameters.sort(
    (a, b) => LOCATION_ORDER.indexOf(a.in as string) - LOCATION_ORDER.indexOf(b.in as string),
  )
}

const LOCATION_ORDER = ['path', 'query', 'header', 'cookie']

/**
 * A schema's own description (`.meta({ description })`) at the parameter's level too, where
 * Swagger UI shows it, as FastAPI writes both; the parameter's `description` option wins.
 */
function describedBy(schema: JSONSchema): { description?: string } {
  return typeof schema.description === 'string' ? { description: schema.description } : {}
}

// What stays beside `anyOf` rather than in its non-null branch: annotations of the whole value.
const ANNOTATIONS = new Set([
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  '$comment',
])

/**
 * A required nullable parameter as FastAPI documents it, `anyOf: [{type: 'string'}, {type:
 * 'null'}]`, rather than JSON Schema's `type: ['string', 'null']`, valid too but which Swagger UI's
 * "Try it out" takes for no value (it refuses to send the request). Only a type pair changes.
 */
function nullableAsAnyOf(schema: JSONSchema): JSONSchema {
  const { type } = schema
  if (!Array.isArray(type) || type.length !== 2 || !type.includes('null')) return schema
  if ('anyOf' in schema || 'oneOf' in schema || 'enum' in schema || 'const' in schema) return schema
  const outer: JSONSchema = {}
  const inner: JSONSchema = { type: type.find((name) => name !== 'null') }
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type') continue
    if (ANNOTATIONS.has(key)) outer[key] = value
    else inner[key] = value
  }
  return { anyOf: [inner, { type: 'null' }], ...outer }
}

function requestBodyFor(
  plan: Plan,
  schemas: SchemaCollector,
  operationId: string,
): Record<string, unknown> | undefined {
  const fallbackName = `Body_${operationId}`
  const bodies = plan.bodies.filter((step) => step.docs.includeInSchema !== false)
  if (bodies.length > 0) {
    const single = bodies.length === 1 && bodies[0]?.embedAs === undefined ? bodies[0] : undefined
    let schema: JSONSchema
    let required: boolean
    if (single) {
      schema = schemas.toNamedSchema(single.schema, 'input', fallbackName)
      required = !isOptionalSchema(single.schema)
    } else {
      const properties: Record<string, JSONSchema> = {}
      const requiredNames: string[] = []
      for (const step of bodies) {
        const name = step.embedAs ?? step.key
        properties[name] = schemas.toSchema(step.schema, 'input')
        if (!isOptionalSchema(step.schema)) requiredNames.push(name)
      }
      schema = schemas.addComponent(fallbackName, {
        type: 'object',
        properties,
        ...(requiredNames.length ? { required: requiredNames } : {}),
        title: fallbackName,
      })
      required = requiredNames.length > 0
    }
    const mediaType = single?.docs.mediaType ?? 'application/json'
    return { content: { [mediaType]: { schema } }, required }
  }
  const forms = plan.forms.filter((step) => step.docs.includeInSchema !== false)
  if (forms.length === 0) return undefined
  const multipart = forms.some((step) => step.file || step.docs.multipart)
  const mediaType = multipart ? 'multipart/form-data' : 'application/x-www-form-urlencoded'
  const model = forms.length === 1 && forms[0]?.name === undefined ? forms[0] : undefined
  if (model) {
    const schema = schemas.toNamedSchema(model.schema, 'input', fallbackName)
    return { content: { [mediaType]: { schema } }, required: true }
  }
  const properties: Record<string, JSONSchema> = {}
  const requiredNames: string[] = []
  for (const step of forms) {
    if (step.name === undefined) {
      const part = schemas.resolve(schemas.toSchema(step.schema, 'input'))
      Object.assign(properties, part.properties ?? {})
      requiredNames.push(...((part.required ?? []) as string[]))
      continue
    }
    const schema = schemas.toSchema(step.schema, 'input')
    properties[step.name] = schema
    if (!isOptionalSchema(step.schema)) requiredNames.push(step.name)
  }
  const schema = schemas.addComponent(fallbackName, {
    type: 'object',
    properties,
    ...(requiredNames.length ? { required: [...new Set(requiredNames)] } : {}),
    title: fallbackName,
  })
  return { content: { [mediaType]: { schema } }, required: requiredNames.length > 0 }
}

function responsesFor(route: CompiledRoute, schemas: SchemaCollector): Record<string, unknown> {
  const { options, runtime } = route
  const responses: Record<string, unknown> = {}
  const status = runtime.status
  const description = options.responseDescription ?? 'Successful Response'
  if (status === 204 || status === 304) responses[String(status)] = { description }
  else {
    const schema = runtime.responseSchema
      ? schemas.toNamedSchema(runtime.responseSchema, 'output', `Response_${route.operationId}`)
      : {}
    responses[String(status)] = { description, content: { 'application/json': { schema } } }
  }
  if (hasInputs(runtime.plan)) {
    responses['422'] = {
      description: 'Validation Error',
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/HTTPValidationError' } },
      },
    }
  }
  // Merged over what the route documents anyway, as FastAPI does: a new description for the
  // success status or the 422 keeps their schemas unless a schema is given too.
  for (const [code, doc] of Object.entries(options.responses ?? {}) as [string, ResponseDoc][]) {
    const current = responses[code] as { description?: string } | undefined
    const described = doc.description ?? current?.description ?? statusText(code)
    responses[code] = doc.schema
      ? {
          description: described,
          content: { 'application/json': { schema: schemas.toSchema(doc.schema, 'output') } },
        }
      : { ...current, description: described }
  }
  return responses
}

// FastAPI's defaults for a response documented without a description.
const RANGES: Readonly<Record<string, string>> = {
  '1XX': 'Information',
  '2XX': 'Success',
  '3XX': 'Redirection',
  '4XX': 'Client Error',
  '5XX': 'Server Error',
  default: 'Default Response',
}
const SUCCESSES: Readonly<Record<string, string>> = {
  '100': 'Continue',
  '101': 'Switching Protocols',
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '203': 'Non-Authoritative Information',
  '204': 'No Content',
  '205': 'Reset Content',
  '206': 'Partial Content',
}

function statusText(code: string): string {
  if (Object.hasOwn(RANGES, code)) return RANGES[code] as string
  if (Object.hasOwn(SUCCESSES, code)) return SUCCESSES[code] as string
  const status = Number(code)
  return status >= 300 ? defaultReason(status) : 'Additional Response'
}

/**
 * One requirement object holding every required scheme (AND) with the union of its scopes. Each
 * optional scheme (`autoError: false`) adds an alternative, and the required set alone is accepted
 * too, because the code really does accept a request without it.
 */
function securityFor(
  plan: Plan,
  registry: Map<string, SecurityScheme>,
): Record<string, string[]>[] | undefined {
  if (plan.security.length === 0) return undefined
  const required: Record<string, string[]> = {}
  const optional: [string, readonly string[]][] = []
  for (const { scheme, scopes } of plan.security) {
    const known = registry.get(scheme.schemeName)
    if (known && known !== scheme && JSON.stringify(known.model) !== JSON.stringify(scheme.model))
      throw new TypeError(
        `two different security schemes are named "${scheme.schemeName}": give one a schemeName`,
      )
    if (!known) registry.set(scheme.schemeName, scheme)
    if (scheme.autoError) mergeInto(required, scheme.schemeName, scopes)
    else optional.push([scheme.schemeName, scopes])
  }
  if (optional.length === 0) return [required]
  const alternatives = [
    ...optional.map(([name, scopes]) => mergeInto({ ...required }, name, scopes)),
    required,
  ]
  // An optional scheme that a required one of the same name already covers (a scheme read both
  // as is and through `createCurrentPrincipal`) adds nothing: each alternative is listed once.
  const seen = new Set<string>()
  return alternatives.filter((requirement) => {
    const text = JSON.stringify(sortKeys(requirement))
    if (seen.has(text)) return false
    seen.add(text)
    return true
  })
}

function mergeInto(
  requirement: Record<string, string[]>,
  name: string,
  scopes: readonly string[],
): Record<string, string[]> {
  requirement[name] = [...mergeScopes(requirement[name] ?? [], scopes)]
  return requirement
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)))
}
