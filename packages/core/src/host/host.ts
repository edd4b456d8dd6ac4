import { type BlockList, isIP } from 'node:net';

/** An address family as `net.BlockList` names it. */
export type IpFamily = 'ipv4' | 'ipv6';

/**
 * Parses an IP literal, unwrapping IPv4-mapped IPv6 (`::ffff:10.0.0.1`, as Node reports IPv4 peers
 * on dual-stack sockets) so IPv4 rules apply to it.
 * @param value - an address, optionally in brackets
 * @returns the address and family, or undefined when it is not an IP literal
 */
export function parseIp(value: string): { address: string; family: IpFamily } | undefined {
  let address = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1] !== undefined) address = mapped[1];
  const version = isIP(address);
  if (version === 0) return undefined;
  // The WHATWG URL parser writes mapped addresses in hex (`::ffff:7f00:1`): unwrap those too.
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (version === 6 && hexMapped?.[1] !== undefined && hexMapped[2] !== undefined) {
    const hi = Number.parseInt(hexMapped[1], 16);
    const lo = Number.parseInt(hexMapped[2], 16);
    return { address: [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.'), family: 'ipv4' };
  }
  return { address, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * Adds an address or CIDR range to a block list.
 * @param list - the list to extend
 * @param entry - `10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7` or `::1`
 * @returns false when the entry is not a valid address or range
 */
export function addToBlockList(list: BlockList, entry: string): boolean {
  const [addr = '', prefix, extra] = entry.trim().split('/');
  if (extra !== undefined) return false;
  const ip = parseIp(addr);
  if (ip === undefined) return false;
  if (prefix === undefined) {
    list.addAddress(ip.address, ip.family);
    return true;
  }
  if (!/^\d{1,3}$/.test(prefix)) return false;
  const bits = Number(prefix);
  if (bits > (ip.family === 'ipv4' ? 32 : 128)) return false;
  list.addSubnet(ip.address, bits, ip.family);
  return true;
}
