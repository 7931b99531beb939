import { isIPv4, isIPv6 } from 'node:net'

/** The eight 16-bit groups of an IPv6 address (`::` filled in, an embedded IPv4 tail converted). */
function groupsOf(address: string): number[] {
  const [head = '', tail] = address.split('::')
  const parse = (part: string) => {
    if (part === '') return []
    const groups = part.split(':')
    const last = groups.at(-1) ?? ''
    if (!isIPv4(last)) return groups.map((group) => Number.parseInt(group, 16))
    const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number)
    return [...groups.slice(0, -1).map((group) => Number.parseInt(group, 16)), (a << 8) | b, (c << 8) | d]
  }
  const front = parse(head)
  const back = tail === undefined ? [] : parse(tail)
  return [...front, ...Array(8 - front.length - back.length).fill(0), ...back]
}

/**
 * The client a per-address limit counts (docs/auth.md, "Rate limits"): an IPv4 address as it is (an
 * IPv4-mapped IPv6 address as its IPv4 form), an IPv6 address by its /64 network. One subscriber,
 * host or VM is handed a whole /64 and can pick any address in it; counting addresses would give
 * an attacker 2^64 fresh counters.
 */
export function clientOf(ip: string): string {
  const address = ip.replace(/%.*$/, '').toLowerCase()
  if (!isIPv6(address)) return address
  const groups = groupsOf(address)
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff)
    return groups
      .slice(6)
      .flatMap((group) => [group >> 8, group & 0xff])
      .join('.')
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`
}
