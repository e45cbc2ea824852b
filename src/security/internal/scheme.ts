import type { SecuritySchemeObject } from '../../core/declare/security-scheme.js'
import { HTTPException } from '../../core/errors/index.js'
import type { SchemeOptions } from '../scheme-options.js'

/** The settled common options: validated, with defaults applied. */
export interface SchemeSettings {
  readonly schemeName: string
  readonly autoError: boolean
  /** `{ description }` when one was given, to spread into the model. */
  readonly docs: { readonly description?: string }
}

const COMPONENT_NAME = /^[A-Za-z0-9._-]+$/

/** Validate the options shared by every scheme; `owner` names the class in `TypeError`s. */
export function schemeSettings(owner: string, options: SchemeOptions): SchemeSettings {
  if (options === null || typeof options !== 'object')
    throw new TypeError(`${owner}: \`options\` must be an object`)
  const { schemeName = owner, description, autoError = true } = options
  if (typeof schemeName !== 'string' || !COMPONENT_NAME.test(schemeName))
    throw new TypeError(
      `${owner}: \`schemeName\` must be a non-empty string of letters, digits, ".", "-" or "_"`,
    )
  if (description !== undefined && typeof description !== 'string')
    throw new TypeError(`${owner}: \`description\` must be a string`)
  if (typeof autoError !== 'boolean')
    throw new TypeError(`${owner}: \`autoError\` must be a boolean`)
  return { schemeName, autoError, docs: description === undefined ? {} : { description } }
}

/** Throw a `TypeError` naming `option` unless `value` is a non-empty string. */
export function requireString(owner: string, option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new TypeError(`${owner}: \`${option}\` must be a non-empty string`)
  return value
}

/** 401 `{"detail":"Not authenticated"}` with the scheme's challenge. */
export function notAuthenticated(challenge: string): HTTPException {
  return new HTTPException(401, {
    detail: 'Not authenticated',
    headers: { 'WWW-Authenticate': challenge },
  })
}

/**
 * What a scheme answers when credentials are missing: `undefined` for an optional scheme, else the
 * 401. The cast is sound: `undefined` is only returned when `autoError` is `false`.
 */
export function missing<T>(autoError: boolean, challenge: string): T {
  if (autoError) throw notAuthenticated(challenge)
  return undefined as T
}

/**
 * An `Authorization` header split at its first space into scheme and trimmed credentials, or
 * `undefined` when there is no header or no credentials (FastAPI's
 * `get_authorization_scheme_param`, with an empty token counting as missing).
 */
export function authorizationParts(
  header: string | undefined,
): { scheme: string; credentials: string } | undefined {
  if (!header) return undefined
  const space = header.indexOf(' ')
  if (space <= 0) return undefined
  const credentials = header.slice(space + 1).trim()
  return credentials === '' ? undefined : { scheme: header.slice(0, space), credentials }
}

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive), else `undefined`. */
export function bearerToken(header: string | undefined): string | undefined {
  const parts = authorizationParts(header)
  return parts && parts.scheme.toLowerCase() === 'bearer' ? parts.credentials : undefined
}

/** Freeze a model and everything in it: it is shared by every document generated from it. */
export function frozenModel<M extends SecuritySchemeObject>(model: M): M {
  return deepFreeze(model)
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const entry of Object.values(value)) deepFreeze(entry)
    Object.freeze(value)
  }
  return value
}
