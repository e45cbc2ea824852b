import { isIPv6 } from 'node:net'

/**
 * The address a limit counts a client under: an IPv4 address as it is, an IPv6 one by its /64.
 * One IPv6 subscriber holds a /64 at least (often a /56 or a /48), so counted one address at a
 * time, a guesser would get a fresh allowance with every one of its 2⁶⁴ addresses. An IPv4
 * address carried in IPv6 (mapped, `::ffff:0:0/96`, however it is written, and NAT64's
 * `64:ff9b::/96`) stays that one address: behind NAT64 every IPv4 client shares that prefix.
 * Anything else (a header's value that is no address) is counted as it is.
 */
export function addressKey(address: string): string {
  const bare = address.replace(/%.*$/, '')
  if (!isIPv6(bare) || bare.includes('.')) return address
  const [head = '', tail] = bare.split('::')
  const front = head === '' ? [] : head.split(':')
  const back = tail === undefined || tail === '' ? [] : tail.split(':')
  const written =
    tail === undefined ? front : [...front, ...zeros(8 - front.length - back.length), ...back]
  const groups = written.map((group) => Number.parseInt(group, 16))
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff
  const nat64 =
    groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0)
  if (mapped || nat64) return address
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`
}

function zeros(count: number): string[] {
  return Array.from({ length: count }, () => '0')
}
