import { BlockList, isIP } from 'node:net';

/** One entry of a `NO_PROXY` list. */
type NoProxyEntry =
  | { readonly kind: 'all' }
  | { readonly kind: 'name'; readonly name: string; readonly port: number | undefined }
  | { readonly kind: 'ip'; readonly list: BlockList; readonly port: number | undefined };

/** A parsed `NO_PROXY` list; see {@link parseNoProxy}. @public */
export interface NoProxyRules {
  /** The entries, in the order given. */
  readonly entries: readonly NoProxyEntry[];
}

function splitPort(entry: string): { host: string; port: number | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed !== null) return { host: bracketed[1] ?? '', port: bracketed[2] === undefined ? undefined : Number(bracketed[2]) };
  // An IPv6 address without brackets has several colons and no port.
  const colon = entry.lastIndexOf(':');
  if (colon > 0 && entry.indexOf(':') === colon && /^\d+$/.test(entry.slice(colon + 1))) {
    return { host: entry.slice(0, colon), port: Number(entry.slice(colon + 1)) };
  }
  return { host: entry, port: undefined };
}

function ipEntry(host: string, port: number | undefined): NoProxyEntry | undefined {
  const [address = '', bits] = host.split('/');
  const family = isIP(address);
  if (family === 0) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return undefined;
  list.addSubnet(address, prefix, type);
  return { kind: 'ip', list, port };
}

/**
 * Parses a `NO_PROXY` value the way curl does: a comma (or space) separated list; `*` alone
 * means every host; a name matches itself and every name below it (`example.com` matches
 * `example.com` and `www.example.com`, not `myexample.com`), a leading dot is ignored;
 * `host:port` matches only that port; IP addresses (IPv6 without brackets, or in brackets with a
 * port) match exactly, or a whole network in CIDR notation (`10.0.0.0/8`). Names are compared
 * without case. Nothing is exempted implicitly: loopback goes through the proxy unless listed.
 * @param value - the list, e.g. `localhost,127.0.0.1,.internal.example`
 * @returns the rules (empty for an empty or absent value)
 * @public
 */
export function parseNoProxy(value: string | undefined): NoProxyRules {
  const entries: NoProxyEntry[] = [];
  for (const raw of (value ?? '').split(/[\s,]+/)) {
    const item = raw.trim().toLowerCase();
    if (item === '') continue;
    if (item === '*') {
      entries.push({ kind: 'all' });
      continue;
    }
    const { host, port } = splitPort(item);
    const ip = ipEntry(host, port);
    if (ip !== undefined) {
      entries.push(ip);
      continue;
    }
    const name = host.replace(/^\*?\.+/, '').replace(/\.$/, '');
    if (name !== '') entries.push({ kind: 'name', name, port });
  }
  return { entries };
}

/**
 * Whether a host is exempt from the proxy under a `NO_PROXY` list.
 * @param rules - from {@link parseNoProxy}
 * @param hostname - the URL's host name (IPv6 with or without brackets)
 * @param port - the URL's port (the scheme's default when the URL has none)
 * @returns true when the request goes directly
 * @public
 */
export function bypassesProxy(rules: NoProxyRules, hostname: string, port: number): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const family = isIP(host);
  for (const entry of rules.entries) {
    if (entry.kind === 'all') return true;
    if (entry.port !== undefined && entry.port !== port) continue;
    if (entry.kind === 'ip') {
      if (family !== 0 && entry.list.check(host, family === 4 ? 'ipv4' : 'ipv6')) return true;
      continue;
    }
    if (family === 0 && (host === entry.name || host.endsWith(`.${entry.name}`))) return true;
  }
  return false;
}
