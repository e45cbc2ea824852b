import type { ServerContext } from '../context.js'
import type { IntrospectedToken } from '../options.js'

/**
 * Whether the client and the user a live token was issued to still may use it: the client still
 * exists (through the endpoints' client cache, so a deletion counts within ten seconds) and,
 * for a user's token, the user exists and is not disabled. Introspection asks this because
 * RFC 7662 §2.2's `active` means usable now, and it reads the store anyway; JWTs verified
 * elsewhere (and `currentPrincipal`) still work until `exp`. A token whose subject is its client
 * is the client's own (`client_credentials`, RFC 9068 §2.2): there is no user to ask about.
 */
export async function holdersMayUse(
  context: ServerContext,
  token: IntrospectedToken,
): Promise<boolean> {
  if ((await context.clients.findClient(token.clientId)) === undefined) return false
  if (token.subject === token.clientId) return true
  const user = await context.store.findUserById(token.subject)
  return user !== undefined && !user.disabled
}
