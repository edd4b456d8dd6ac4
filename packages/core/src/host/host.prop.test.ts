import { BlockList } from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { addToBlockList, isNonPublicHost, parseIp } from './host.js';

// The non-public ranges as CIDR text, read by the public parser: the oracle for the table host.ts
// keeps in parts.
const RANGES = [
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
const oracle = new BlockList();
for (const range of RANGES) addToBlockList(oracle, range);

/** An IPv4 address near the edges of the ranges as often as anywhere else. */
const ipv4 = fc.oneof(
  fc.ipV4(),
  fc.constantFrom(...RANGES.filter((r) => !r.includes(':'))).chain((range) => {
    const [network = '', bits = '0'] = range.split('/');
    const base = network.split('.').reduce((n, part) => n * 256 + Number(part), 0);
    const size = 2 ** (32 - Number(bits));
    return fc.constantFrom(base - 1, base, base + size - 1, base + size).map((n) => {
      const v = (n + 2 ** 32) % 2 ** 32;
      return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
    });
  }),
);

describe('isNonPublicHost against the ranges as CIDR text', () => {
  test.prop([ipv4])(
    'agrees for IPv4 addresses, including each range edge and its neighbours',
    (address) => {
      expect(isNonPublicHost(address)).toBe(oracle.check(address, 'ipv4'));
    },
  );

  test.prop([fc.ipV6()])('agrees for IPv6 addresses', (address) => {
    const ip = parseIp(address);
    expect(ip).toBeDefined();
    expect(isNonPublicHost(address)).toBe(oracle.check(ip?.address ?? '', ip?.family ?? 'ipv6'));
  });

  test.prop([fc.domain()])('a host name is never taken for an IP literal', (name) => {
    expect(parseIp(name)).toBeUndefined();
    expect(isNonPublicHost(name)).toBe(
      /(?:^|\.)(?:localhost|local|internal|localdomain)$/i.test(name),
    );
  });
});
