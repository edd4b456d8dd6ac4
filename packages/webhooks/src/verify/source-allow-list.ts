import { BlockList } from 'node:net';
import { addToBlockList, ConfigError, parseIp } from '@llmdevops/docker-hub-core';

/** Decides whether a peer address may deliver webhooks. @public */
export type SourceCheck = (remoteAddress: string | undefined) => boolean;

/**
 * Builds a check from IP addresses and CIDR ranges (IPv4 and IPv6; IPv4-mapped IPv6 peers match
 * IPv4 rules). An unknown address never matches.
 * @param entries - e.g. `['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']`
 * @returns the check
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming every entry that is not an address or range
 * @example
 * ```ts
 * const allowed = createSourceAllowList(['127.0.0.1', '10.0.0.0/8']);
 * allowed('::ffff:10.1.2.3'); // true
 * ```
 * @public
 */
export function createSourceAllowList(entries: readonly string[]): SourceCheck {
  const list = new BlockList();
  const issues = entries.flatMap((entry, i) =>
    addToBlockList(list, entry)
      ? []
      : [{ path: `allowSources.${i}`, message: 'must be an IP address or CIDR range' }],
  );
  if (issues.length > 0) throw new ConfigError(issues);
  return (remoteAddress) => {
    const ip = remoteAddress === undefined ? undefined : parseIp(remoteAddress);
    return ip !== undefined && list.check(ip.address, ip.family);
  };
}
