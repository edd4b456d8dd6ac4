import { BlockList, isIP } from 'node:net';

/** An address family as `net.BlockList` names it. @public */
export type IpFamily = 'ipv4' | 'ipv6';

/** An IP literal and its family, as {@link parseIp} returns it. @public */
export interface ParsedIp {
  /** The address without brackets; IPv4-mapped IPv6 addresses are given as IPv4. */
  readonly address: string;
  /** `ipv4` or `ipv6`. */
  readonly family: IpFamily;
}

/**
 * Parses an IP literal, unwrapping IPv4-mapped IPv6 (`::ffff:10.0.0.1`, as Node reports IPv4 peers
 * on dual-stack sockets, or `::ffff:a00:1`, as the WHATWG URL parser writes them) so IPv4 rules
 * apply to it.
 * @param value - an address, optionally in brackets
 * @returns the address and family, or undefined when it is not an IP literal
 * @public
 */
export function parseIp(value: string): ParsedIp | undefined {
  let address = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1] !== undefined) address = mapped[1];
  // Only a string with a colon (IPv6) or of digits and dots (IPv4) can be one: host names are
  // answered without Node's IPv6 pattern, which costs a few ms to compile on its first use.
  if (!address.includes(':') && !/^[\d.]+$/.test(address)) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (version === 6 && hexMapped?.[1] !== undefined && hexMapped[2] !== undefined) {
    const hi = Number.parseInt(hexMapped[1], 16);
    const lo = Number.parseInt(hexMapped[2], 16);
    return { address: [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.'), family: 'ipv4' };
  }
  return { address: address.toLowerCase(), family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * Adds an address or CIDR range to a block list.
 * @param list - the list to extend
 * @param entry - `10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7` or `::1`
 * @returns false when the entry is not a valid address or range
 * @public
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

/** Names that always mean this machine. */
const LOOPBACK_NAMES = /^(?:.+\.)?localhost\.?$/i;

/** Names no public DNS answers for: this machine or a private network. */
const LOCAL_NAMES = /(?:^|\.)(?:localhost|local|internal|localdomain)\.?$/i;

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

// Loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
// documentation, benchmarking, multicast and reserved ranges: network, prefix length, family.
const NON_PUBLIC_RANGES: readonly (readonly [string, number, IpFamily])[] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 96, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

let nonPublic: BlockList | undefined;

/**
 * The non-public ranges, built on first use (a program that never asks pays nothing), from
 * parts written out, so building them never compiles Node's IPv6 pattern.
 */
function nonPublicRanges(): BlockList {
  if (nonPublic === undefined) {
    nonPublic = new BlockList();
    for (const [network, bits, family] of NON_PUBLIC_RANGES)
      nonPublic.addSubnet(network, bits, family);
  }
  return nonPublic;
}

/**
 * Whether a host name is loopback: `localhost` (and `*.localhost`), `127.0.0.0/8` or `::1`,
 * including IPv4-mapped IPv6 forms of `127.0.0.0/8`. No DNS lookup.
 * @param hostname - a host name as in `URL.hostname` (IPv6 may be bracketed)
 * @returns true for loopback hosts
 * @public
 */
export function isLoopbackHost(hostname: string): boolean {
  if (LOOPBACK_NAMES.test(hostname)) return true;
  const ip = parseIp(hostname);
  return ip !== undefined && loopback.check(ip.address, ip.family);
}

/**
 * Whether a host name or IP literal obviously names a loopback, private, link-local or reserved
 * destination (`localhost`, `*.local`, `*.internal`, `10.0.0.0/8`, `169.254.0.0/16`, `fc00::/7`
 * and the like). Names that merely resolve to such addresses cannot be told apart without DNS,
 * which this check never does.
 * @param hostname - a host name as in `URL.hostname` (IPv6 may be bracketed)
 * @returns true for non-public destinations
 * @public
 */
export function isNonPublicHost(hostname: string): boolean {
  if (hostname === '' || LOCAL_NAMES.test(hostname)) return true;
  const ip = parseIp(hostname);
  return ip !== undefined && nonPublicRanges().check(ip.address, ip.family);
}

/**
 * Whether a request, and credentials with it, may go to `url`: always over HTTPS; over plain HTTP
 * only to a loopback host or to a host listed in `insecureHosts`.
 * @param url - the target
 * @param insecureHosts - `name` or `name:port` values allowed over plain HTTP (any case)
 * @returns true when allowed
 * @public
 */
export function isSecureEnough(url: URL, insecureHosts: Iterable<string> = []): boolean {
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  if (isLoopbackHost(url.hostname)) return true;
  const host = url.host.toLowerCase();
  const name = url.hostname.toLowerCase();
  for (const entry of insecureHosts) {
    const allowed = entry.toLowerCase();
    if (allowed === host || allowed === name) return true;
  }
  return false;
}
