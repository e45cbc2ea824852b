import * as z from 'zod/mini'
import { type Dependency, dependency } from '../../core/declare/dependency.js'
import { Form, Header } from '../../core/declare/inputs.js'

/** The fields of the login and consent forms. */
export const PAGE_FIELDS = ['step', 'request', 'csrf_token', 'username', 'password', 'decision']

/** A posted login or consent form, or why it cannot be one. */
export type PageForm =
  | { readonly ok: true; get(name: string): string | undefined }
  | { readonly ok: false; readonly problem: string }

/**
 * Reads the pages' forms without ever failing the request: a body that is not a form, or a
 * repeated field, is reported to the handler, which answers with an error page (a browser user
 * gets a page, not JSON).
 */
export const pageForm: Dependency<PageForm> = dependency(
  {
    fields: Form(
      z.object(
        Object.fromEntries(PAGE_FIELDS.map((name) => [name, z.optional(z.array(z.unknown()))])),
      ),
      { includeInSchema: false },
    ),
    contentType: Header(z.optional(z.string()), { alias: 'content-type', includeInSchema: false }),
  },
  ({ fields, contentType }): PageForm => {
    const mediaType = contentType?.split(';', 1)[0]?.trim().toLowerCase()
    if (mediaType !== 'application/x-www-form-urlencoded')
      return { ok: false, problem: 'The form was not sent as a form.' }
    const values = fields as Readonly<Record<string, unknown[] | undefined>>
    for (const name of PAGE_FIELDS)
      if ((values[name]?.length ?? 0) > 1)
        return { ok: false, problem: 'The form was sent with a field twice.' }
    return {
      ok: true,
      get(name) {
        const value = values[name]?.[0]
        return typeof value === 'string' && value !== '' ? value : undefined
      },
    }
  },
  { name: 'authorizationPageForm' },
)
