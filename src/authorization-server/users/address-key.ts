import { isIPv6 } from 'node:net'

/**
 * The address a limit counts a client under: an IPv4 address as it is, an IPv6 one by its /64.
 * One IPv6 subscriber holds a /64 at least (often a /56 or a /48), so counted one address at a
 * time, a guesser would get a fresh allowance with every one of its 2⁶⁴ addresses. An IPv4
 * address written as IPv6 (`::ffff:192.0.2.1`) stays that one address. Anything else (a header's
 * value that is no address) is counted as it is.
 */
export function addressKey(address: string): string {
  const bare = address.replace(/%.*$/, '')
  if (!isIPv6(bare) || /^::ffff:/i.test(bare) || /\./.test(bare)) return address
  const [head = '', tail] = bare.toLowerCase().split('::')
  const front = head === '' ? [] : head.split(':')
  const back = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups =
    tail === undefined
      ? front
      : [...front, ...Array(8 - front.length - back.length).fill('0'), ...back]
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}
