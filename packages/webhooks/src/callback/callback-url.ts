import { BlockList } from 'node:net';
import { WebhookError } from '@llmdevops/docker-hub-core';
import { addToBlockList, parseIp } from '../internal/ip.js';

// Loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
// documentation, benchmarking, multicast and reserved ranges: no genuine Docker Hub callback
// points there, and a receiver that followed one would be attacking its own network.
const NON_PUBLIC_RANGES = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/96',
  '64:ff9b::/96',
  '100::/64',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
];

const nonPublic = new BlockList();
for (const range of NON_PUBLIC_RANGES) addToBlockList(nonPublic, range);

const LOCAL_NAMES = /(?:^|\.)(?:localhost|local|internal|localdomain)\.?$/i;

const refuse = (message: string): WebhookError =>
  new WebhookError('WEBHOOK_INVALID', `callback_url ${message}`, { status: 400 });

/**
 * Whether a host name or IP literal obviously names a loopback, private, link-local or reserved
 * destination. Names that merely resolve to such addresses cannot be told apart without DNS,
 * which this package never does; that is one reason it never requests `callback_url` at all.
 * @param hostname - a URL hostname (IPv6 in brackets or bare)
 * @returns true for non-public destinations
 * @public
 */
export function isNonPublicHost(hostname: string): boolean {
  if (hostname === '' || LOCAL_NAMES.test(hostname)) return true;
  const ip = parseIp(hostname);
  return ip !== undefined && nonPublic.check(ip.address, ip.family);
}

/**
 * Parses the legacy `callback_url` of a Docker Hub payload. Docker no longer honours it
 * (registry-api.md 7.3), so it is only ever exposed, never requested. A value that is not an
 * http(s) URL, carries credentials, or (unless allowed) names a non-public host marks the payload
 * as forged.
 * @param value - the field as received
 * @param allowNonPublic - accept loopback and private hosts (for simulators on 127.0.0.1)
 * @returns the parsed URL
 * @throws {@link @llmdevops/docker-hub-core!WebhookError | WebhookError} `WEBHOOK_INVALID` (400) saying which rule failed, never the value
 * @public
 */
export function parseCallbackUrl(value: string, allowNonPublic = false): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse('is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('is not http(s)');
  if (url.username !== '' || url.password !== '') throw refuse('carries credentials');
  if (!allowNonPublic && isNonPublicHost(url.hostname))
    throw refuse('points at a loopback, private, link-local or reserved address');
  return url;
}
