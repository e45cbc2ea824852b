import type { RequestView } from 'gatehouse'

/**
 * `clientAddress` for an authorization server behind a load balancer, from `CLIENT_ADDRESS_HEADER`
 * (for example `x-forwarded-for`): the header's last entry, the address the balancer itself saw
 * (entries before it are whatever the client sent), or the socket's peer when it is missing.
 * Unset, the socket's peer is the client, which behind a balancer is the balancer: every login
 * would count under one address. Set it only when every request comes through that balancer,
 * which sets the header: a client reaching the server directly could send any address in it.
 */
export function clientAddressFromEnv(
  env: NodeJS.ProcessEnv,
): ((request: RequestView) => string | undefined) | undefined {
  const name = env.CLIENT_ADDRESS_HEADER?.trim().toLowerCase()
  if (!name) return undefined
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name))
    throw new Error('CLIENT_ADDRESS_HEADER must be a header name such as x-forwarded-for')
  return (request) => {
    const last = request.header(name)?.split(',').at(-1)?.trim()
    return last || request.remoteAddress
  }
}
