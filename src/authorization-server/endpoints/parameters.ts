import * as z from 'zod/mini'
import { type Dependency, dependency } from '../../core/declare/dependency.js'
import { Form, Header } from '../../core/declare/inputs.js'
import { oauthError } from '../errors.js'

/** The parameters of an OAuth 2.0 request body, as the endpoints read them. */
export interface Parameters {
  /** A parameter's one value; `undefined` when absent or empty (RFC 6749 §3.1: treated as omitted). */
  get(name: string): string | undefined
  /** Every value of a parameter that may repeat (RFC 8707 `resource`). */
  getAll(name: string): string[]
}

type Fields = Readonly<Record<string, unknown[] | undefined>>

/**
 * A dependency reading an endpoint's body as RFC 6749 requires, answering every problem with an
 * OAuth 2.0 error rather than a 422: `application/x-www-form-urlencoded` only (§3.2), parameters
 * other than `repeatable` at most once (§3.1), values as text. Unknown parameters are ignored.
 */
export function formParameters(
  names: readonly string[],
  repeatable: readonly string[] = [],
): Dependency<Parameters> {
  const shape = Object.fromEntries(names.map((name) => [name, z.optional(z.array(z.unknown()))]))
  return dependency(
    {
      // Every field a list, so repeats are visible; nothing here can fail validation.
      fields: Form(z.object(shape), { includeInSchema: false }),
      contentType: Header(z.optional(z.string()), {
        alias: 'content-type',
        includeInSchema: false,
      }),
    },
    ({ fields, contentType }): Parameters => {
      const mediaType = contentType?.split(';', 1)[0]?.trim().toLowerCase()
      if (mediaType !== 'application/x-www-form-urlencoded')
        throw oauthError(
          'invalid_request',
          'The request body must be application/x-www-form-urlencoded',
        )
      const values = fields as Fields
      for (const name of names) {
        const list = values[name]
        if (list && list.length > 1 && !repeatable.includes(name))
          throw oauthError('invalid_request', `The ${name} parameter is repeated`)
      }
      return {
        get: (name) => {
          const value = values[name]?.[0]
          return typeof value === 'string' ? value : undefined
        },
        getAll: (name) =>
          (values[name] ?? []).filter((value): value is string => typeof value === 'string'),
      }
    },
    { name: 'oauthParameters' },
  )
}
