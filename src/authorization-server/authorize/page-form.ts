import { type Dependency, dependency } from '../../core/declare/dependency.js'
import {
  BadRequestError,
  BodyTooLargeError,
  UnsupportedContentEncodingError,
} from '../../core/errors/index.js'
import { mediaTypeOf } from '../../core/run/body.js'
import { WebRequestView } from '../../core/run/request-view.js'

/** The fields of the login and consent forms. */
export const PAGE_FIELDS = ['step', 'request', 'csrf_token', 'username', 'password', 'decision']

/** A posted login or consent form, or why it cannot be one (and the status to answer with). */
export type PageForm =
  | { readonly ok: true; get(name: string): string | undefined }
  | { readonly ok: false; readonly problem: string; readonly status: number }

/**
 * Reads the pages' forms without ever failing the request: a body that is not a form, too large,
 * compressed, or with a repeated field, is reported to the handler, which answers with an error
 * page (a browser user gets a page, not JSON). The body is read here, not through a `Form()` input,
 * so that not even the framework's own refusals reach the browser as JSON.
 */
export function pageFormReader(bodyLimit: number): Dependency<PageForm> {
  return dependency(
    { raw: Request },
    async ({ raw }): Promise<PageForm> => {
      const view = new WebRequestView(raw)
      const notAForm = {
        ok: false,
        problem: 'The form was not sent as a form.',
        status: 400,
      } as const
      let mediaType: string
      try {
        mediaType = mediaTypeOf(view)
      } catch (error) {
        // Two `Content-Type`s: which one is it?
        if (error instanceof BadRequestError) return notAForm
        throw error
      }
      if (mediaType !== 'application/x-www-form-urlencoded') return notAForm
      let bytes: Uint8Array
      try {
        bytes = await view.readBody(bodyLimit)
      } catch (error) {
        if (error instanceof BodyTooLargeError)
          return { ok: false, problem: 'The form is too large.', status: 413 }
        if (error instanceof UnsupportedContentEncodingError)
          return { ok: false, problem: 'The form was sent compressed.', status: 415 }
        throw error
      }
      let fields: URLSearchParams
      try {
        fields = new URLSearchParams(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
      } catch {
        return { ok: false, problem: 'The form is not valid UTF-8.', status: 400 }
      }
      for (const name of PAGE_FIELDS)
        if (fields.getAll(name).length > 1)
          return { ok: false, problem: 'The form was sent with a field twice.', status: 400 }
      return {
        ok: true,
        get(name) {
          const value = fields.get(name)
          return value === null || value === '' ? undefined : value
        },
      }
    },
    { name: 'authorizationPageForm' },
  )
}
