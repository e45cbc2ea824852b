import { SecurityScheme, type SecuritySchemeObject } from '../../core/declare/security-scheme.js'
import type { RequestView } from '../../core/run/request-view.js'
import type { Parameters } from '../endpoints/parameters.js'
import { invalidClient, oauthError } from '../errors.js'
import type { SecretHasher } from '../keys/secret-hasher.js'
import type { ClientRecord, SecretAuthMethod } from '../store/records.js'
import type { ClientStore } from '../store/store.js'

/** What the endpoints need from the request head: client credentials and where it came from. */
export interface ClientRequest {
  /** The `Authorization` header as sent. */
  readonly authorization: string | undefined
  /** The client's address, for login throttling; `undefined` when unknown. */
  readonly address: string | undefined
  /** The whole request, for the endpoints that read more of it (`/authorize`'s cookies). */
  readonly view: RequestView
}

/**
 * The HTTP Basic client authentication of the token, revocation and introspection endpoints
 * (`client_secret_basic`, RFC 6749 §2.3.1), as a security scheme so OpenAPI documents it;
 * optional, because `client_secret_post` and public clients send `client_id` in the form.
 */
export class ClientAuthenticationScheme extends SecurityScheme<ClientRequest> {
  readonly schemeName: string
  readonly autoError = false
  readonly model: SecuritySchemeObject
  readonly #address: (request: RequestView) => string | undefined

  constructor(schemeName: string, address: (request: RequestView) => string | undefined) {
    super()
    this.schemeName = schemeName
    this.#address = address
    this.model = Object.freeze({
      type: 'http',
      scheme: 'basic',
      description:
        'OAuth 2.0 client authentication: client_secret_basic, with the form-encoded client_id and secret as user and password (RFC 6749 §2.3.1). Clients may instead send client_id and client_secret in the form (client_secret_post); public clients send client_id alone.',
    })
  }

  extract(request: RequestView): ClientRequest {
    return {
      authorization: request.header('authorization'),
      address: this.#address(request),
      view: request,
    }
  }
}

/** How the client authenticated (RFC 8414 `token_endpoint_auth_methods_supported`). */
export type ClientAuthMethod = SecretAuthMethod | 'none'

/** An authenticated (or, for a public client, identified) client. */
export interface AuthenticatedClient {
  readonly client: ClientRecord
  readonly method: ClientAuthMethod
}

const MAX_CREDENTIAL = 512
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
const DUMMY_HASH = 'A'.repeat(43)

/**
 * Authenticates the client of a request (RFC 6749 §2.3): HTTP Basic or `client_secret` in the
 * form, never both; a public client by its `client_id` alone. Every failure is `invalid_client`
 * with the `Basic` challenge and one description, so unknown clients and wrong secrets look
 * alike (and cost alike: the secret is hashed either way).
 */
export async function authenticateClient(
  request: ClientRequest,
  params: Parameters,
  context: {
    readonly store: Pick<ClientStore, 'findClient'> & {
      readonly remembers?: ((id: string) => boolean) | undefined
    }
    /**
     * The store behind `store`'s cache: a refused client that came from memory is looked up there
     * once, so every refusal costs as many store lookups as an unknown id (never cached) does (one;
     * two for a Basic id that form-decoding changes), and the time tells no id apart.
     */
    readonly uncached?: Pick<ClientStore, 'findClient'> | undefined
    readonly hasher: SecretHasher
    readonly realm: string
  },
): Promise<AuthenticatedClient> {
  const { hasher, realm } = context
  const failed = () => invalidClient('Client authentication failed', realm)
  const basic = request.authorization === undefined ? undefined : parseBasic(request.authorization)
  if (basic === 'malformed') throw failed()
  const postedId = params.get('client_id')
  const postedSecret = params.get('client_secret')
  if (basic && postedSecret !== undefined)
    throw oauthError('invalid_request', 'The client used more than one authentication method')
  if (basic && postedId !== undefined && postedId !== basic.id && postedId !== basic.asSent?.id)
    throw oauthError('invalid_request', 'The client_id parameter does not match the credentials')
  const id = basic?.id ?? postedId
  if (id === undefined) throw invalidClient('Client authentication is required', realm)
  const secret = (basic ? basic.secret : postedSecret) || undefined
  if (id.length > MAX_CREDENTIAL || (secret?.length ?? 0) > MAX_CREDENTIAL) throw failed()

  // Not form-encoded by the client (the MCP SDK, `curl -u`): an id such as `svc+a` is then its
  // own as sent, and so is the secret beside it. RFC 6749's decoded form wins; whenever the two
  // ids differ both are looked up, so the time tells neither apart.
  const asSent =
    basic?.asSent !== undefined &&
    basic.asSent.id !== id &&
    basic.asSent.id.length <= MAX_CREDENTIAL &&
    basic.asSent.secret.length <= MAX_CREDENTIAL
      ? basic.asSent
      : undefined
  const lookUp = async (clientId: string) => ({
    remembered: context.store.remembers?.(clientId) === true,
    client: await context.store.findClient(clientId),
  })
  const decoded = await lookUp(id)
  const sent = asSent === undefined ? undefined : await lookUp(asSent.id)
  const chosen = decoded.client
    ? { ...decoded, secret }
    : sent?.client
      ? { ...sent, secret: asSent?.secret || undefined }
      : undefined
  if (!chosen?.client) {
    if (secret !== undefined) hasher.matches('client-secret', secret, DUMMY_HASH)
    throw failed()
  }
  const { client, remembered, secret: secretSent } = chosen
  const refused = async (error: Error) => {
    if (remembered) await context.uncached?.findClient(client.id)
    return error
  }
  if (client.secretHash === null) {
    // A public client has no secret to check; one that sends a secret is misconfigured.
    if (secretSent !== undefined) throw await refused(failed())
    return named({ client, method: 'none' })
  }
  if (secretSent === undefined || !hasher.matches('client-secret', secretSent, client.secretHash))
    throw await refused(failed())
  const method = basic ? 'client_secret_basic' : 'client_secret_post'
  // The way it registered, only (RFC 7591 §2): a secret sent the other way is not its own use.
  const registered = client.tokenEndpointAuthMethod
  if (registered !== undefined && registered !== method)
    throw await refused(invalidClient(`The client is registered for ${registered}`, realm))
  return named({ client, method })

  /**
   * The client authenticated is the one `client_id` must name, in whichever form it was found;
   * told only once the client is authenticated, so it says nothing of whether other ids exist.
   */
  function named(authenticated: AuthenticatedClient): AuthenticatedClient {
    if (basic && postedId !== undefined && postedId !== authenticated.client.id)
      throw oauthError('invalid_request', 'The client_id parameter does not match the credentials')
    return authenticated
  }
}

/** The client id and secret of a Basic header. */
export interface BasicCredentials {
  readonly id: string
  readonly secret: string
  /**
   * The two as sent, when form-decoding changed them: what a client that did not form-encode
   * meant. A part that does not decode (`%zz`) stays as sent in the decoded form too, except an
   * undecodable `id`, which is empty there, so only this form can match.
   */
  readonly asSent?: { readonly id: string; readonly secret: string } | undefined
}

/**
 * The client id and secret of `Authorization: Basic …`, each form-decoded (RFC 6749 §2.3.1
 * encodes them with application/x-www-form-urlencoded before Basic), and as sent when that
 * changed them; `'malformed'` when the header is another scheme or does not decode.
 */
export function parseBasic(header: string): BasicCredentials | 'malformed' {
  const space = header.indexOf(' ')
  if (space <= 0 || header.slice(0, space).toLowerCase() !== 'basic') return 'malformed'
  const encoded = header.slice(space + 1).trim()
  if (!BASE64.test(encoded) || encoded.length > 4 * MAX_CREDENTIAL) return 'malformed'
  let decoded: string
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(encoded, 'base64'))
  } catch {
    return 'malformed'
  }
  const colon = decoded.indexOf(':')
  if (colon <= 0) return 'malformed'
  const sentId = decoded.slice(0, colon)
  const sentSecret = decoded.slice(colon + 1)
  const id = formDecode(sentId)
  const secret = formDecode(sentSecret)
  if (id === sentId && secret === sentSecret) return { id, secret }
  return { id: id ?? '', secret: secret ?? sentSecret, asSent: { id: sentId, secret: sentSecret } }
}

function formDecode(value: string): string | undefined {
  // Generated ids and secrets (base64url) have nothing to decode.
  if (!value.includes('%') && !value.includes('+')) return value
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}
