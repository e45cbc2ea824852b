import { refuseUnknownOptions } from '../../core/declare/known-options.js'
import type { GrantType } from '../store/records.js'

/** The grants a dynamically registered client may ask for: never `password`. */
export type RegistrableGrantType = Exclude<GrantType, 'password'>

/**
 * Open dynamic client registration (RFC 7591) at `POST {issuer}/register`: anyone may register
 * a client, so what such a client may get is limited here, and registrations are rate limited
 * per client address.
 */
export interface RegistrationOptions {
  /**
   * The scopes a registered client may be granted (its `scope` must be among them; without one
   * it gets all of them). Default: the server's `defaultScopes`, or none.
   */
  scopes?: readonly string[] | undefined
  /**
   * The grants a registered client may use; default `authorization_code` and `refresh_token`.
   * `password` is never offered: a client anyone registered must not collect passwords.
   */
  grantTypes?: readonly RegistrableGrantType[] | undefined
  /** Registrations per client address before it must wait; default 10. */
  limit?: number | undefined
  /** The wait: a count is forgotten this many seconds after its last registration; default 3600. */
  window?: number | undefined
  /**
   * Also accept native apps' private-use URI schemes as redirect URIs (`com.example.app:/callback`,
   * RFC 8252 §7.1; some MCP clients register one). Default `false`: https, and http on loopback.
   * Any app on a device may claim a scheme, so PKCE (always required here) is what protects codes.
   */
  appSchemes?: boolean | undefined
}

/** The registration settings after validation. */
export interface RegistrationPolicy {
  readonly scopes: readonly string[]
  readonly grantTypes: readonly RegistrableGrantType[]
  readonly limit: number
  readonly window: number
  readonly appSchemes: boolean
}

const REGISTRABLE: readonly RegistrableGrantType[] = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
]

const fail = (message: string): never => {
  throw new TypeError(`createAuthorizationServer: ${message}`)
}

const REGISTRATION_OPTIONS = new Set(['scopes', 'grantTypes', 'limit', 'window', 'appSchemes'])

/** Checks the `registration` option once; `undefined` when registration is off. */
export function resolveRegistration(
  options: RegistrationOptions | boolean | undefined,
  server: {
    readonly scopes: readonly string[]
    readonly defaultScopes: readonly string[] | undefined
    readonly grantTypes: readonly GrantType[]
  },
): RegistrationPolicy | undefined {
  if (options === undefined || options === false) return undefined
  if (options !== true && (options === null || typeof options !== 'object'))
    fail('`registration` must be true, false or an object')
  const given = options === true ? {} : options
  refuseUnknownOptions(
    'createAuthorizationServer',
    given,
    REGISTRATION_OPTIONS,
    'option',
    'registration.',
  )
  const scopes = given.scopes ?? server.defaultScopes ?? []
  if (!Array.isArray(scopes)) fail('`registration.scopes` must be an array of scope names')
  for (const scope of scopes)
    if (!server.scopes.includes(scope))
      fail(`\`registration.scopes\` names an unknown scope "${String(scope)}"`)
  const grantTypes = given.grantTypes ?? ['authorization_code', 'refresh_token']
  if (!Array.isArray(grantTypes) || grantTypes.length === 0)
    fail('`registration.grantTypes` must be a non-empty array')
  for (const grant of grantTypes) {
    if (!REGISTRABLE.includes(grant))
      fail(`\`registration.grantTypes\` may name ${REGISTRABLE.join(', ')} only`)
    if (!server.grantTypes.includes(grant))
      fail(`\`registration.grantTypes\` names "${grant}", which \`grantTypes\` turns off`)
  }
  if (given.appSchemes !== undefined && typeof given.appSchemes !== 'boolean')
    fail('`registration.appSchemes` must be a boolean')
  const count = (value: unknown, option: string, fallback: number) => {
    if (value === undefined) return fallback
    if (!Number.isSafeInteger(value) || (value as number) < 1)
      fail(`\`registration.${option}\` must be an integer ≥ 1`)
    return value as number
  }
  // A client with no scope could never get a token (`createClient` refuses one).
  if (scopes.length === 0)
    fail('`registration.scopes` (default `defaultScopes`) must name at least one scope')
  return {
    scopes: [...new Set(scopes)],
    grantTypes: [...new Set(grantTypes)],
    limit: count(given.limit, 'limit', 10),
    window: count(given.window, 'window', 3600),
    appSchemes: given.appSchemes ?? false,
  }
}
