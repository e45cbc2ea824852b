import { isIPv4, isIPv6 } from 'node:net'

/**
 * The address a limit counts a client under: an IPv4 address as it is, an IPv6 one by its /64.
 * One IPv6 subscriber holds a /64 at least (often a /56 or a /48), so counted one address at a
 * time, a guesser would get a fresh allowance with every one of its 2⁶⁴ addresses. An IPv4
 * address carried in IPv6 (mapped, `::ffff:0:0/96`, and NAT64's `64:ff9b::/96`), however it is
 * written, is that IPv4 address: behind NAT64 every IPv4 client shares the prefix. Anything else
 * (a header's value that is no address) is counted as it is.
 */
export function addressKey(address: string): string {
  const bare = address.replace(/%.*$/, '')
  if (isIPv4(bare) || !isIPv6(bare)) return address
  const groups = ipv6Groups(bare)
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff
  const nat64 =
    groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0)
  if (mapped || nat64) {
    const [high = 0, low = 0] = groups.slice(6)
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail read). */
function ipv6Groups(address: string): number[] {
  let text = address
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number]
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const front = head === '' ? [] : head.split(':')
  const back = tail === undefined || tail === '' ? [] : tail.split(':')
  const missing = Array.from({ length: 8 - front.length - back.length }, () => '0')
  const written = tail === undefined ? front : [...front, ...missing, ...back]
  return written.map((group) => Number.parseInt(group, 16))
}
