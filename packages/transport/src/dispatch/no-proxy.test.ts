import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { bypassesProxy, parseNoProxy } from './no-proxy.js';

const bypass = (list: string, host: string, port = 443): boolean => bypassesProxy(parseNoProxy(list), host, port);

describe('NO_PROXY, curl rules', () => {
  it('matches a name and the names below it, not names that only end the same', () => {
    expect(bypass('example.com', 'example.com')).toBe(true);
    expect(bypass('example.com', 'www.example.com')).toBe(true);
    expect(bypass('example.com', 'myexample.com')).toBe(false);
    expect(bypass('example.com', 'example.com.org')).toBe(false);
    expect(bypass('.example.com', 'example.com')).toBe(true);
    expect(bypass('*.example.com', 'a.b.example.com')).toBe(true);
    expect(bypass('EXAMPLE.com', 'Www.Example.COM')).toBe(true);
  });

  it('* alone exempts every host; an empty list none', () => {
    expect(bypass('*', 'registry.example')).toBe(true);
    expect(bypass('', 'registry.example')).toBe(false);
    expect(bypass(' , ,', 'registry.example')).toBe(false);
  });

  it('host:port matches that port only', () => {
    expect(bypass('registry.internal:5000', 'registry.internal', 5000)).toBe(true);
    expect(bypass('registry.internal:5000', 'registry.internal', 443)).toBe(false);
    expect(bypass('[::1]:5000', '[::1]', 5000)).toBe(true);
  });

  it('matches IP addresses exactly or by CIDR network, IPv6 with or without brackets', () => {
    expect(bypass('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(bypass('127.0.0.1', '127.0.0.2')).toBe(false);
    expect(bypass('10.0.0.0/8', '10.200.3.4')).toBe(true);
    expect(bypass('10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(bypass('::1', '[::1]')).toBe(true);
    expect(bypass('fd00::/8', 'fd12::5')).toBe(true);
  });

  it('exempts nothing implicitly: loopback goes through the proxy unless listed', () => {
    expect(bypass('example.com', 'localhost')).toBe(false);
    expect(bypass('example.com', '127.0.0.1')).toBe(false);
    expect(bypass('localhost', 'localhost')).toBe(true);
  });
});

// A small reference of curl's name rules, written independently of the implementation: lists of
// labels instead of strings, so suffix matching is on label boundaries by construction.
const label = fc.constantFrom('a', 'b', 'reg', 'example', 'com', 'internal', 'io');
const name = fc.array(label, { minLength: 1, maxLength: 4 });
const entry = fc.record({ labels: name, dot: fc.boolean(), upper: fc.boolean() });

function referenceBypass(entries: readonly (readonly string[])[], host: readonly string[]): boolean {
  return entries.some((e) => e.length <= host.length && e.every((l, i) => host[host.length - e.length + i] === l));
}

describe('NO_PROXY names against a reference', () => {
  test.prop([fc.array(entry, { maxLength: 5 }), name])('agree with label-wise suffix matching', (entries, host) => {
    const list = entries.map((e) => `${e.dot ? '.' : ''}${e.labels.join('.')}`).map((s, i) => (entries[i]?.upper === true ? s.toUpperCase() : s)).join(',');
    expect(bypass(list, host.join('.'))).toBe(referenceBypass(entries.map((e) => e.labels), host));
  });

  test.prop([fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })])(
    'IPv4 CIDR agrees with integer masking',
    (net, addr, bits) => {
      const dotted = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      const expected = ((net & mask) >>> 0) === ((addr & mask) >>> 0);
      expect(bypass(`${dotted(net)}/${bits}`, dotted(addr))).toBe(expected);
    },
  );
});
