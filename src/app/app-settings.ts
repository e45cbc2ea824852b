import { refuseUnknownOptions } from '../core/declare/known-options.js'

const MiB = 1024 * 1024

// Every key of `AppOptions`: a misspelt one (`rootpath`) would otherwise be ignored silently.
const APP_OPTIONS = new Set([
  'title',
  'version',
  'description',
  'summary',
  'servers',
  'openapiTags',
  'openapiUrl',
  'docsUrl',
  'redocUrl',
  'swaggerUiOAuth2RedirectUrl',
  'swaggerUiParameters',
  'swaggerUiInitOAuth',
  'rootPath',
  'lifespan',
  'dependencies',
  'bodyLimit',
  'redirectSlashes',
  'logger',
])

/** The app options every request depends on, checked. */
export interface AppBasics {
  /** Largest request body in bytes (1 MiB by default). */
  readonly bodyLimit: number
  /** The path a proxy serves the app under, `''` for none. */
  readonly rootPath: string
}

/**
 * Checks the options given to `new Gatehouse()`: an unknown key, a bad `bodyLimit` or `rootPath`
 * throws at construction, naming the option, rather than misbehaving on the first request.
 */
export function readAppOptions(options: object): AppBasics {
  refuseUnknownOptions('Gatehouse', options, APP_OPTIONS)
  const given = options as { bodyLimit?: unknown; rootPath?: unknown }
  const bodyLimit = given.bodyLimit ?? MiB
  if (typeof bodyLimit !== 'number' || !Number.isSafeInteger(bodyLimit) || bodyLimit < 0)
    throw new TypeError('Gatehouse: `bodyLimit` must be a non-negative integer')
  const rootPath = given.rootPath ?? ''
  if (
    typeof rootPath !== 'string' ||
    (rootPath !== '' &&
      (!rootPath.startsWith('/') || rootPath.endsWith('/') || /[?#\s]/.test(rootPath)))
  )
    throw new TypeError(
      'Gatehouse: `rootPath` must be "" or a path such as "/api" (no trailing "/", query or fragment)',
    )
  return { bodyLimit, rootPath }
}
