import { isIP } from 'node:net'
import type { RequestView } from 'gatehouse'

/**
 * `clientAddress` for an authorization server behind a load balancer, from `CLIENT_ADDRESS_HEADER`
 * (for example `x-forwarded-for`): the header's last entry, the address the balancer itself saw
 * (entries before it are whatever the client sent), or the socket's peer when it is missing.
 * Unset, the socket's peer is the client, which behind a balancer is the balancer: every login
 * would count under one address. A client reaching the server directly could send any address in
 * the header, so set it only when every request comes through the balancer, or name the
 * balancers in `CLIENT_ADDRESS_PROXIES` (comma-separated addresses): the header is then read only
 * from them, and anyone else is counted under its own socket address.
 */
export function clientAddressFromEnv(
  env: NodeJS.ProcessEnv,
): ((request: RequestView) => string | undefined) | undefined {
  const name = env.CLIENT_ADDRESS_HEADER?.trim().toLowerCase()
  const proxies = trustedProxies(env.CLIENT_ADDRESS_PROXIES)
  if (!name) {
    if (proxies !== undefined)
      throw new Error('CLIENT_ADDRESS_PROXIES needs CLIENT_ADDRESS_HEADER: the header they set')
    return undefined
  }
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name))
    throw new Error('CLIENT_ADDRESS_HEADER must be a header name such as x-forwarded-for')
  return (request) => {
    const peer = request.remoteAddress
    if (proxies !== undefined && (peer === undefined || !proxies.has(plainAddress(peer))))
      return peer
    const last = request.header(name)?.split(',').at(-1)?.trim()
    return last || peer
  }
}

function trustedProxies(value: string | undefined): ReadonlySet<string> | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const addresses = value.split(',').map((entry) => entry.trim())
  for (const address of addresses)
    if (isIP(address) === 0)
      throw new Error(
        'CLIENT_ADDRESS_PROXIES must be comma-separated IP addresses, such as 10.0.0.5,10.0.0.6',
      )
  return new Set(addresses.map(plainAddress))
}

/** An IPv4 address as a dual-stack socket reports it (`::ffff:10.0.0.5`) is the IPv4 address. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  return (mapped?.[1] ?? address).toLowerCase()
}
