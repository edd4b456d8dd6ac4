import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  addToBlockList,
  isLoopbackHost,
  isNonPublicHost,
  isSecureEnough,
  parseIp,
} from './host.js';

describe('isLoopbackHost', () => {
  it.each([
    'localhost',
    'LOCALHOST',
    'localhost.',
    'foo.localhost',
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '[::ffff:7f00:1]',
    '::ffff:127.0.0.1',
  ])('%s is loopback', (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });

  it.each(['example.com', '10.0.0.1', '128.0.0.1', '::2', 'localhost.example.com', '0.0.0.0', ''])(
    '%s is not',
    (h) => {
      expect(isLoopbackHost(h)).toBe(false);
    },
  );
});

describe('isNonPublicHost', () => {
  it.each([
    '',
    'localhost',
    'a.localhost',
    'printer.local',
    'metadata.google.internal',
    'box.localdomain',
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '192.0.2.7',
    '224.0.0.1',
    '[fd00::1]',
    'fe80::1',
    '::',
    '::1',
    '2001:db8::1',
    '::ffff:10.0.0.1',
    '[::ffff:a00:1]',
  ])('%s is not public', (h) => {
    expect(isNonPublicHost(h)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '192.169.0.1',
    'auth.docker.io',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
  ])('%s is public', (h) => {
    expect(isNonPublicHost(h)).toBe(false);
  });
});

describe('parseIp and addToBlockList', () => {
  it('unwraps brackets and IPv4-mapped IPv6', () => {
    expect(parseIp('[2001:DB8::1]')).toEqual({ address: '2001:db8::1', family: 'ipv6' });
    expect(parseIp('::ffff:10.0.0.1')).toEqual({ address: '10.0.0.1', family: 'ipv4' });
    expect(parseIp('::ffff:7f00:1')).toEqual({ address: '127.0.0.1', family: 'ipv4' });
    expect(parseIp('example.com')).toBeUndefined();
  });

  it.each(['1.2.3', '256.1.1.1', '1.2.3.4.5', '.', ':::', '1::2::3', 'cafe', 'dead:beef'])(
    '%s looks like an address but is none',
    (value) => {
      expect(parseIp(value)).toBeUndefined();
    },
  );

  it('adds addresses and ranges, refusing malformed entries', () => {
    const list = new BlockList();
    expect(addToBlockList(list, '10.0.0.0/8')).toBe(true);
    expect(addToBlockList(list, ' 192.0.2.7 ')).toBe(true);
    expect(addToBlockList(list, '2001:db8::/32')).toBe(true);
    expect(list.check('10.9.9.9', 'ipv4')).toBe(true);
    expect(list.check('192.0.2.7', 'ipv4')).toBe(true);
    expect(list.check('2001:db8::5', 'ipv6')).toBe(true);
    expect(list.check('192.0.2.8', 'ipv4')).toBe(false);
    for (const bad of ['10.0.0.0/8/1', 'nope', '10.0.0.0/x', '10.0.0.0/33', '::/129']) {
      expect(addToBlockList(list, bad)).toBe(false);
    }
  });
});

describe('isSecureEnough', () => {
  it('allows https, loopback http and listed insecure hosts only', () => {
    expect(isSecureEnough(new URL('https://x.test/'))).toBe(true);
    expect(isSecureEnough(new URL('http://127.0.0.1:5000/'))).toBe(true);
    expect(isSecureEnough(new URL('http://[::1]:5000/'))).toBe(true);
    expect(isSecureEnough(new URL('http://x.test/'))).toBe(false);
    expect(isSecureEnough(new URL('http://x.test:81/'), new Set(['X.test:81']))).toBe(true);
    expect(isSecureEnough(new URL('http://x.test:81/'), ['x.test'])).toBe(true);
    expect(isSecureEnough(new URL('http://x.test:81/'), ['y.test', 'x.test:82'])).toBe(false);
    expect(isSecureEnough(new URL('ftp://127.0.0.1/'), ['127.0.0.1'])).toBe(false);
  });
});
