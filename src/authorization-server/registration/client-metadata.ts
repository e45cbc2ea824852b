import { isClientName, MAX_CLIENT_NAME } from '../clients/client-name.js'
import { isLoopbackHost, redirectURIProblem } from '../clients/redirect-uri-syntax.js'
import { oauthError } from '../errors.js'
import { isScopeToken } from '../scopes.js'
import type { RegistrableGrantType, RegistrationPolicy } from './registration-options.js'

/** How a registered client authenticates at the token endpoint (RFC 7591 §2). */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none'

/** Client metadata (RFC 7591 §2) as this server registers it. */
export interface ClientMetadata {
  readonly redirect_uris: string[]
  readonly token_endpoint_auth_method: TokenEndpointAuthMethod
  readonly grant_types: RegistrableGrantType[]
  readonly response_types: 'code'[]
  /** The scopes the client may be granted, space-separated. */
  readonly scope: string
  readonly client_name?: string
}

const AUTH_METHODS: readonly string[] = ['client_secret_basic', 'client_secret_post', 'none']
const MAX_REDIRECT_URIS = 20

const invalid = (description: string) => oauthError('invalid_client_metadata', description)
const invalidRedirect = (description: string) => oauthError('invalid_redirect_uri', description)

/**
 * Checks a registration request's metadata (RFC 7591 §2) against what the server lets
 * registered clients have: `invalid_redirect_uri` for a redirect URI that is not https (or http
 * on a loopback host), is relative or has a fragment; `invalid_client_metadata` for anything
 * else wrong, inconsistent or not allowed. Fields it does not know are ignored (§2).
 */
export function checkClientMetadata(body: unknown, policy: RegistrationPolicy): ClientMetadata {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw invalid('The client metadata must be a JSON object')
  const fields = body as Record<string, unknown>
  const method = fields.token_endpoint_auth_method ?? 'client_secret_basic'
  if (typeof method !== 'string' || !AUTH_METHODS.includes(method))
    throw invalid(
      'token_endpoint_auth_method must be client_secret_basic, client_secret_post or none',
    )
  const asked = strings(fields.grant_types, 'grant_types') ?? ['authorization_code']
  if (asked.length === 0) throw invalid('grant_types must not be empty')
  // Grants registered clients may not use are left out (RFC 7591 §2 lets the server replace a
  // value; the answer says what it got): a client listing one it can do without (VS Code's
  // device_code beside authorization_code) still registers. None left is a refusal.
  const grantTypes = asked.filter((grant) =>
    (policy.grantTypes as readonly string[]).includes(grant),
  )
  if (grantTypes.length === 0)
    throw invalid('grant_types names no grant registered clients may use')
  const usesCode = grantTypes.includes('authorization_code')
  // Only `code` is issued: the others (`token`, `id_token`, of grants left out above) go as well.
  const responseTypes = (
    strings(fields.response_types, 'response_types') ?? (usesCode ? ['code'] : [])
  ).filter((type) => type === 'code')
  if (usesCode !== responseTypes.includes('code'))
    throw invalid('The authorization_code grant and the code response type go together')
  // Only the code grant issues refresh tokens to a registered client (never client_credentials).
  if (grantTypes.includes('refresh_token') && !usesCode)
    throw invalid('The refresh_token grant needs the authorization_code grant')
  if (method === 'none' && grantTypes.includes('client_credentials'))
    throw invalid('A client without credentials cannot use client_credentials')
  const redirectUris = redirects(fields.redirect_uris, policy.appSchemes)
  if (usesCode && redirectUris.length === 0)
    throw invalidRedirect('redirect_uris is required for the authorization_code grant')
  const scope = scopes(fields.scope, policy)
  const name = fields.client_name
  if (name !== undefined && !isClientName(name))
    throw invalid(`client_name must be 1 to ${MAX_CLIENT_NAME} printable characters`)
  return {
    redirect_uris: redirectUris,
    token_endpoint_auth_method: method as TokenEndpointAuthMethod,
    grant_types: [...new Set(grantTypes)] as RegistrableGrantType[],
    response_types: responseTypes.length === 0 ? [] : ['code'],
    scope: scope.join(' '),
    ...(name === undefined ? {} : { client_name: name as string }),
  }
}

function strings(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw invalid(`${field} must be an array of strings`)
  return value
}

function redirects(value: unknown, appSchemes: boolean): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw invalidRedirect('redirect_uris must be an array of strings')
  if (value.length > MAX_REDIRECT_URIS)
    throw invalidRedirect(`At most ${MAX_REDIRECT_URIS} redirect URIs may be registered`)
  for (const uri of value) checkRedirectURI(uri, appSchemes)
  return [...new Set(value as string[])]
}

/**
 * Schemes that are not an app's: ones that run or read something in the browser itself, and
 * ones that hand the URL to some other program (mail, phone, an Android intent). A list of
 * refusals, not RFC 8252 §7.1's reverse-domain rule, because MCP clients in use register plain
 * schemes (Cursor's `cursor://`).
 */
const LOCAL_SCHEMES = new Set([
  'javascript:',
  'data:',
  'vbscript:',
  'file:',
  'blob:',
  'about:',
  'ws:',
  'wss:',
  'view-source:',
  'filesystem:',
  'jar:',
  'chrome:',
  'edge:',
  'resource:',
  'intent:',
  'mailto:',
  'tel:',
  'sms:',
  'ftp:',
  'urn:',
])

/**
 * OAuth 2.1 §2.3.1: an absolute URI in its exact form, no fragment or credentials
 * ({@link redirectURIProblem}); https, or plain http on a loopback host only; with `appSchemes`,
 * also a native app's private-use scheme (RFC 8252 §7.1, `com.example.app:/cb`).
 */
function checkRedirectURI(uri: string, appSchemes: boolean): void {
  const problem = redirectURIProblem(uri)
  if (problem !== undefined) throw invalidRedirect(`A redirect URI ${problem}`)
  const url = new URL(uri)
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname)))
    return
  const appScheme =
    url.protocol !== 'http:' && /^[a-z][a-z0-9+.-]*:$/.test(url.protocol)
      ? !LOCAL_SCHEMES.has(url.protocol)
      : false
  if (!(appSchemes && appScheme))
    throw invalidRedirect(
      appSchemes
        ? 'A redirect URI must use https, http on a loopback host (127.0.0.1, [::1], localhost), or an app scheme'
        : 'A redirect URI must use https (http only on a loopback host: 127.0.0.1, [::1], localhost)',
    )
}

/**
 * The scopes a self-registered client may use: every one registration offers, whatever `scope`
 * asked for (RFC 7591 §3.2.1 lets the server replace a value; the answer says what it got). The
 * registered scope is no protection, since anyone may register again asking for more, but as a
 * ceiling it would stop the step-up MCP clients make: they register with the scope of their first
 * challenge, and a later 403 names more. What a token carries is still what the user consented
 * to. A malformed scope is refused; one naming scopes registration does not offer (an MCP
 * client's challenge may, or `offline_access`) is replaced all the same (RFC 7591 §2), so the
 * client still gets a `client_id`.
 */
function scopes(value: unknown, policy: RegistrationPolicy): string[] {
  // An empty scope is no scope value (RFC 6749 §3.3): the default, as if it were left out.
  if (value === undefined || value === '') return [...policy.scopes]
  if (typeof value !== 'string') throw invalid('scope must be a space-separated string')
  const names = [...new Set(value.split(' ').filter((name) => name !== ''))]
  for (const name of names) if (!isScopeToken(name)) throw invalid('scope is malformed')
  return [...policy.scopes]
}
