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
    const type = familyOf(address)
    const prefixOK =
      bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (type === 'ipv4' ? 32 : 128))
    if (type === undefined || rest.length > 0 || !prefixOK)
      throw new Error(
        'CLIENT_ADDRESS_PROXIES must be comma-separated IP addresses or subnets, such as 10.0.0.5,10.0.1.0/24',
      )
    if (bits === undefined) proxies.addAddress(address, type)
    else proxies.addSubnet(address, Number(bits), type)
  }
  return proxies
}

/** Whether `peer` (a socket's remote address) is one of the balancers. */
function isProxy(proxies: BlockList, peer: string): boolean {
  const type = familyOf(peer)
  return type !== undefined && proxies.check(peer, type)
}

function familyOf(address: string): 'ipv4' | 'ipv6' | undefined {
  const family = isIP(address)
  return family === 4 ? 'ipv4' : family === 6 ? 'ipv6' : undefined
}
