import type { OAuth2ErrorCode } from '../../core/errors/index.js'
import { isOAuth2Error } from '../../core/errors/index.js'
import type { ServerContext } from '../context.js'
import { isS256Challenge } from '../grants/pkce.js'
import { requestedResources } from '../resources.js'
import { grantScopes, parseScope } from '../scopes.js'
import type { ClientRecord } from '../store/records.js'
import { isRegisteredRedirect } from './redirect-uri.js'

/** A `prompt` value the server acts on (OpenID Connect Core §3.1.2.1). */
export type Prompt = 'none' | 'login' | 'consent'

/** An authorization request (RFC 6749 §4.1.1) that passed every check. */
export interface AuthorizationRequest {
  readonly clientId: string
  /** The `redirect_uri` as sent, `null` when the request named none. */
  readonly redirectUri: string | null
  /** Where the answer goes: the sent `redirect_uri`, or the client's one registered URI. */
  readonly target: string
  /** The `scope` parameter's tokens (empty: the default). */
  readonly scope: readonly string[]
  readonly resources: readonly string[]
  readonly state: string | undefined
  readonly codeChallenge: string
  readonly prompt: readonly Prompt[]
}

/** The error codes of an authorization response: RFC 6749 §4.1.2.1 and OpenID Connect's. */
export type AuthorizationErrorCode =
  | OAuth2ErrorCode
  | 'login_required'
  | 'consent_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'

/**
 * A problem with the client or its redirect URI (RFC 6749 §4.1.2.1): shown to the user, never
 * sent to a redirect URI that could belong to anyone.
 */
export class AuthorizationPageError extends Error {
  readonly status: number
  constructor(message: string, status = 400) {
    super(message)
    this.status = status
  }
}

/** Any other problem: sent back to the client's redirect URI with `state` and `iss`. */
export class AuthorizationRedirectError extends Error {
  readonly code: AuthorizationErrorCode
  readonly target: string
  readonly state: string | undefined
  /** The client registered itself: its redirect URI may be anyone's (RFC 9700 §4.11.2). */
  readonly untrusted: boolean
  constructor(
    code: AuthorizationErrorCode,
    description: string,
    to: { target: string; state: string | undefined; untrusted?: boolean },
  ) {
    super(description)
    this.code = code
    this.target = to.target
    this.state = to.state
    this.untrusted = to.untrusted === true
  }
}

/** Every value a parameter was sent with, in order. */
export type ParameterReader = (name: string) => string[]

const SINGLE = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  'response_mode',
]
/** Longer values are no authorization request of any client this server would serve. */
const MAX_VALUE = 4096
/**
 * RFC 6749 Appendix A.5: `state = 1*VSCHAR`. Capped so that every accepted request still fits the
 * login and consent forms it is sealed into (`"` and `\` double in JSON; see `sealed.ts`).
 */
const STATE = /^[\x20-\x7e]{1,2048}$/

/**
 * Checks an authorization request in the order RFC 6749 §4.1.2.1 requires: first the client and
 * its redirect URI (problems throw {@link AuthorizationPageError}), then the rest (problems
 * throw {@link AuthorizationRedirectError}, to be sent to that URI). Scopes are checked against
 * the client here, and against the user once known.
 */
export async function readAuthorizationRequest(
  context: ServerContext,
  read: ParameterReader,
): Promise<{ request: AuthorizationRequest; client: ClientRecord }> {
  const values = (name: string) => read(name).filter((value) => value !== '')
  const one = (name: string) => {
    const all = values(name)
    return all.length > 1 ? ('repeated' as const) : all[0]
  }
  const clientId = one('client_id')
  if (clientId === undefined) throw new AuthorizationPageError('The request names no client.')
  if (clientId === 'repeated')
    throw new AuthorizationPageError('The request names more than one client.')
  const client = clientId.length <= 255 ? await context.store.findClient(clientId) : undefined
  if (!client) throw new AuthorizationPageError('The application is not registered here.')
  const redirectUri = one('redirect_uri')
  if (redirectUri === 'repeated')
    throw new AuthorizationPageError('The request names more than one redirect URI.')
  let target: string
  if (redirectUri === undefined) {
    if (client.redirectUris.length !== 1)
      throw new AuthorizationPageError('The request names no redirect URI.')
    target = client.redirectUris[0] as string
  } else if (isRegisteredRedirect(client.redirectUris, redirectUri)) target = redirectUri
  else throw new AuthorizationPageError('The redirect URI is not registered for this application.')

  const rawState = one('state')
  const badState = rawState !== undefined && (rawState === 'repeated' || !STATE.test(rawState))
  // A repeated, malformed or overlong state is not echoed: which one, and how much of it?
  const state = badState ? undefined : rawState
  const fail = (code: AuthorizationErrorCode, description: string): never => {
    throw new AuthorizationRedirectError(code, description, {
      target,
      state,
      untrusted: client.selfRegistered === true,
    })
  }
  for (const name of SINGLE)
    if (one(name) === 'repeated') fail('invalid_request', `The ${name} parameter is repeated`)
  if (badState) fail('invalid_request', 'The state is not 1 to 2048 printable ASCII characters')
  // RFC 9101 request objects are not supported. Refused, not ignored: a client that sends one
  // expects only its contents to count, and going ahead on the outer, unsigned parameters
  // would honour what it meant to protect (OpenID Connect Core §3.1.2.6 names the codes).
  if (values('request').length > 0)
    fail('request_not_supported', 'Request objects (the request parameter) are not supported')
  if (values('request_uri').length > 0)
    fail('request_uri_not_supported', 'The request_uri parameter is not supported')
  if (!client.grantTypes.includes('authorization_code'))
    fail('unauthorized_client', 'The client may not use the authorization code grant')
  const responseType = one('response_type')
  if (responseType === undefined) fail('invalid_request', 'The response_type parameter is required')
  if (responseType !== 'code')
    fail('unsupported_response_type', 'Only the response_type code is supported')
  const responseMode = one('response_mode')
  if (responseMode !== undefined && responseMode !== 'query')
    fail('invalid_request', 'Only the response_mode query is supported')
  const codeChallenge = one('code_challenge') as string | undefined
  const method = one('code_challenge_method')
  if (codeChallenge === undefined)
    fail('invalid_request', 'PKCE is required: send code_challenge and code_challenge_method=S256')
  if (method !== 'S256')
    fail('invalid_request', 'PKCE with code_challenge_method S256 is required (plain is refused)')
  if (!isS256Challenge(codeChallenge as string))
    fail('invalid_request', 'The code_challenge is not an S256 challenge')
  const prompt = readPrompt(one('prompt') as string | undefined, fail)

  const scopeValue = one('scope') as string | undefined
  if ((scopeValue?.length ?? 0) > MAX_VALUE) fail('invalid_scope', 'The scope is too long')
  let scope: string[] = []
  let resources: string[] = []
  try {
    scope = parseScope(scopeValue)
    grantScopes(context.scopePolicy, scope, [client.scopes])
    resources = requestedResources(context.resourcePolicy, values('resource'), undefined)
  } catch (error) {
    if (isOAuth2Error(error)) fail(error.code, error.description ?? error.code)
    throw error
  }
  return {
    client,
    request: {
      clientId: client.id,
      redirectUri: redirectUri ?? null,
      target,
      scope,
      resources,
      state,
      codeChallenge: codeChallenge as string,
      prompt,
    },
  }
}

/** `prompt`: `none` alone, or any of `login` and `consent`; other values are ignored. */
function readPrompt(
  value: string | undefined,
  fail: (code: AuthorizationErrorCode, description: string) => never,
): Prompt[] {
  const words = new Set((value ?? '').split(' ').filter((word) => word !== ''))
  if (words.has('none') && words.size > 1)
    fail('invalid_request', 'prompt=none cannot be combined with other values')
  return (['none', 'login', 'consent'] as const).filter((word) => words.has(word))
}

/** The query string of an authorization request, for sending the browser back to it. */
export function authorizationQuery(
  request: AuthorizationRequest,
  prompt: readonly Prompt[] = request.prompt,
): string {
  const query = new URLSearchParams({ response_type: 'code', client_id: request.clientId })
  if (request.redirectUri !== null) query.set('redirect_uri', request.redirectUri)
  if (request.scope.length > 0) query.set('scope', request.scope.join(' '))
  if (request.state !== undefined) query.set('state', request.state)
  query.set('code_challenge', request.codeChallenge)
  query.set('code_challenge_method', 'S256')
  for (const resource of request.resources) query.append('resource', resource)
  if (prompt.length > 0) query.set('prompt', prompt.join(' '))
  return query.toString()
}
