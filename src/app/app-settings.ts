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
  'docsConnectOrigins',
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
  checkTypes(options as Record<string, unknown>)
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

const fail = (message: string): never => {
  throw new TypeError(`Gatehouse: ${message}`)
}

/**
 * The options whose wrong type would be taken for something else: `redirectSlashes: 'no'` is
 * truthy, `tags`-like strings spread into letters, a logger without `error` crashes the process at
 * its first unhandled error.
 */
function checkTypes(options: Record<string, unknown>): void {
  for (const name of ['title', 'version', 'description', 'summary'])
    if (options[name] !== undefined && typeof options[name] !== 'string')
      fail(`\`${name}\` must be a string`)
  if (options.redirectSlashes !== undefined && typeof options.redirectSlashes !== 'boolean')
    fail('`redirectSlashes` must be a boolean')
  const { logger } = options
  if (logger !== undefined) {
    const { error, debug } = (logger ?? {}) as { error?: unknown; debug?: unknown }
    if (typeof error !== 'function' || (debug !== undefined && typeof debug !== 'function'))
      fail('`logger` must have an `error(message, error)` method (and `debug` optional)')
  }
  const { servers } = options
  if (
    servers !== undefined &&
    (!Array.isArray(servers) ||
      !servers.every(
        (server: unknown) =>
          server !== null &&
          typeof server === 'object' &&
          typeof (server as { url?: unknown }).url === 'string',
      ))
  )
    fail('`servers` must be an array of OpenAPI Server Objects (each with a `url` string)')
  if (options.dependencies !== undefined && !Array.isArray(options.dependencies))
    fail('`dependencies` must be an array')
  if (options.openapiTags !== undefined && !Array.isArray(options.openapiTags))
    fail('`openapiTags` must be an array of OpenAPI Tag Objects')
  // An async function cannot be a lifespan (it never yields); a plain function may return a
  // generator, so only start-up can tell.
  if (Object.prototype.toString.call(options.lifespan) === '[object AsyncFunction]')
    fail('`lifespan` must be a generator function (use `async function*` and `yield`)')
}
