import { BlockList, isIP } from 'node:net'
import type { RequestView } from 'gatehouse'

/**
 * `clientAddress` for an authorization server behind a load balancer, from `CLIENT_ADDRESS_HEADER`
 * (for example `x-forwarded-for`): the header's last entry, the address the balancer itself saw
 * (entries before it are whatever the client sent), or the socket's peer when it is missing.
 * Unset, the socket's peer is the client, which behind a balancer is the balancer: every login
 * would count under one address. A client reaching the server directly could send any address in
 * the header, so set it only when every request comes through the balancer, or name the
 * balancers in `CLIENT_ADDRESS_PROXIES` (comma-separated addresses or subnets): the header is then
 * read only from them, and anyone else is counted under its own socket address.
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
    if (proxies !== undefined && (peer === undefined || !isProxy(proxies, peer))) return peer
    const last = request.header(name)?.split(',').at(-1)?.trim()
    return last || peer
  }
}

function trustedProxies(value: string | undefined): BlockList | undefined {
  if (value === undefined || value.trim() === '') return undefined
  // A BlockList compares addresses as numbers: `::ffff:10.0.0.5` is 10.0.0.5, and an IPv6
  // address matches however it is written; a subnet (`10.0.0.0/24`) names a pool of balancers.
  const proxies = new BlockList()
  for (const entry of value.split(',').map((text) => text.trim())) {
    const [address = '', bits, ...rest] = entry.split('/')
    const family = isIP(address)
    const prefix = bits === undefined ? undefined : Number(bits)
    const limit = family === 4 ? 32 : 128
    if (
      family === 0 ||
      rest.length > 0 ||
      (prefix !== undefined && (!/^\d{1,3}$/.test(bits ?? '') || (prefix as number) > limit))
    )
      throw new Error(
        'CLIENT_ADDRESS_PROXIES must be comma-separated IP addresses or subnets, such as 10.0.0.5,10.0.1.0/24',
      )
    const type = family === 4 ? 'ipv4' : 'ipv6'
    if (prefix === undefined) proxies.addAddress(address, type)
    else proxies.addSubnet(address, prefix, type)
  }
  return proxies
}

/** Whether `peer` (a socket's remote address) is one of the balancers. */
function isProxy(proxies: BlockList, peer: string): boolean {
  const family = isIP(peer)
  return family !== 0 && proxies.check(peer, family === 4 ? 'ipv4' : 'ipv6')
}
