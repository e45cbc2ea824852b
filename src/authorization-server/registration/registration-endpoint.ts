import type { Router } from '../../core/declare/router.js'
import { mediaTypeOf } from '../../core/run/body.js'
import { WebRequestView } from '../../core/run/request-view.js'
import type { Administration } from '../admin.js'
import type { ClientAuthenticationScheme } from '../clients/client-authentication.js'
import type { ServerContext } from '../context.js'
import { asOAuthError, oauthError, RegistrationThrottledError } from '../errors.js'
import { addressKey } from '../users/address-key.js'
import { checkClientMetadata } from './client-metadata.js'
import { registrationDocs } from './registration-docs.js'
import type { RegistrationPolicy } from './registration-options.js'

/**
 * `POST {issuer}/register`: open dynamic client registration (RFC 7591). Anyone may register,
 * so each client address may register `limit` clients before it waits `window` seconds (counted
 * in the store, like failed logins; refused requests are not counted), and registered clients get only the grants and scopes the
 * policy allows. The answer carries the client secret, the only time it is ever shown.
 */
export function addRegistrationEndpoint(
  router: Router,
  context: ServerContext,
  clientAuth: ClientAuthenticationScheme,
  admin: Administration,
  policy: RegistrationPolicy,
): void {
  const { settings, store } = context
  router.post(
    `${settings.basePath}/register`,
    {
      inputs: { request: clientAuth, raw: Request },
      // Open registration: no credentials (the scheme only hands over the client address).
      security: [],
      bodyLimit: settings.bodyLimit,
      mapError: asOAuthError,
      summary: 'Client registration endpoint',
      description: 'Registers a client (RFC 7591 dynamic client registration), rate limited.',
      operationId: `oauth2Register${settings.operationSuffix}`,
      openapiExtra: registrationDocs,
    },
    async function register({ request, raw }) {
      const key = await throttleKey(request.address)
      // An address over its limit is refused before its body is read.
      await refuseIfOverLimit(key)
      // Read here rather than as a Body input, so every problem is an RFC 7591 error.
      const view = new WebRequestView(raw)
      const mediaType = mediaTypeOf(view)
      if (mediaType !== 'application/json')
        throw oauthError('invalid_client_metadata', 'The request body must be application/json')
      const bytes = await view.readBody(settings.bodyLimit)
      let body: unknown
      try {
        body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
      } catch {
        throw oauthError('invalid_client_metadata', 'The request body is not valid JSON')
      }
      const metadata = checkClientMetadata(body, policy)
      // Counted only now, once the metadata is good: a refused registration (400) creates no
      // client, so it must not use up the address's quota (a few typos would lock out everyone
      // behind the same NAT for `window`). Refusals get no budget of their own: one costs a
      // bounded JSON parse (`bodyLimit`) and at most 20 URL parses, no hashing and no write,
      // less than the counting itself.
      await countRegistration(key)
      const isPublic = metadata.token_endpoint_auth_method === 'none'
      const { client, clientSecret } = await admin
        .createClient({
          public: isPublic,
          name: metadata.client_name,
          grantTypes: metadata.grant_types,
          redirectUris: metadata.redirect_uris,
          scopes: metadata.scope === '' ? [] : metadata.scope.split(' '),
          selfRegistered: true,
          // Held to, as registered (RFC 7591 §2); the default is client_secret_basic.
          ...(isPublic ? {} : { tokenEndpointAuthMethod: metadata.token_endpoint_auth_method }),
        })
        .catch((error: unknown) => {
          // The metadata checks above are meant to refuse all createClient refuses; should one
          // slip through, it is still the client's metadata at fault (400), not the server (500).
          if (error instanceof TypeError)
            throw oauthError('invalid_client_metadata', 'The client metadata is not allowed')
          throw error
        })
      const answer = {
        client_id: client.id,
        ...(clientSecret === undefined
          ? {}
          : { client_secret: clientSecret, client_secret_expires_at: 0 }),
        client_id_issued_at: client.createdAt,
        ...metadata,
      }
      return new Response(JSON.stringify(answer), {
        status: 201,
        headers: {
          'content-type': 'application/json',
          'cache-control': 'no-store',
          pragma: 'no-cache',
        },
      })
    },
  )

  /** The address's counter; without a known address every registration shares one. */
  async function throttleKey(address: string | undefined): Promise<string> {
    const hasher = await context.hasher()
    // An IPv6 client by its /64 (see addressKey).
    return `register:${hasher.hash('throttle', address === undefined ? '' : addressKey(address))}`
  }

  /** Refuses while the address is over its limit, without counting (the wait is not stretched). */
  async function refuseIfOverLimit(key: string): Promise<void> {
    const now = settings.now()
    const current = await store.readThrottle(key, now)
    if (current && current.failures >= policy.limit)
      throw new RegistrationThrottledError(Math.max(1, current.expiresAt - now))
  }

  /**
   * Counts one registration about to be made. The count the store returns is atomic, so of
   * concurrent registrations past the read in {@link refuseIfOverLimit} only `limit` go ahead.
   */
  async function countRegistration(key: string): Promise<void> {
    const now = settings.now()
    const counted = await store.recordFailure(key, now, policy.window)
    if (counted.failures > policy.limit)
      throw new RegistrationThrottledError(Math.max(1, counted.expiresAt - now))
  }
}
