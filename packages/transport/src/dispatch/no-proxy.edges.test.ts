import { describe, expect, it } from 'vitest';
import { bypassesProxy, parseNoProxy } from './no-proxy.js';

const bypass = (list: string, host: string, port = 443): boolean => bypassesProxy(parseNoProxy(list), host, port);

describe('NO_PROXY edge cases', () => {
  it('has no entries for an absent or empty list, and keeps names lower-cased without dots or blanks', () => {
    expect(parseNoProxy(undefined).entries).toEqual([]);
    expect(parseNoProxy('').entries).toEqual([]);
    expect(parseNoProxy('Example.COM, . ,5000').entries).toEqual([
      { kind: 'name', name: 'example.com', port: undefined },
      { kind: 'name', name: '5000', port: undefined },
    ]);
  });

  it('a bracketed IPv6 address without a port matches every port; with one, only that port', () => {
    expect(bypass('[::1]', '[::1]', 8080)).toBe(true);
    expect(bypass('[::1]', '::1', 443)).toBe(true);
    expect(bypass('[::1]:5000', '[::1]', 443)).toBe(false);
  });

  it('reads brackets only around the whole entry, not with text before or after them', () => {
    expect(bypass('x[::1]:5000', '::1', 5000)).toBe(false);
    expect(bypass('[::1]:5000x', '::1', 5000)).toBe(false);
  });

  it('an exact IPv6 address matches that address only, not its /32 network', () => {
    expect(bypass('::1', '::1')).toBe(true);
    expect(bypass('::1', '::2')).toBe(false);
    expect(bypass('fd00::1', 'fd00::2')).toBe(false);
  });

  it('ignores a network with an impossible prefix instead of throwing, and matches nothing with it', () => {
    for (const list of ['10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/1.5', '10.0.0.0/x', '10.0.0.0/128', 'fd00::/129']) {
      expect(() => parseNoProxy(list), list).not.toThrow();
      expect(bypass(list, '10.0.0.1'), list).toBe(false);
      expect(bypass(list, 'fd00::1'), list).toBe(false);
    }
    expect(bypass('fd00::/100', 'fd00::1')).toBe(true);
  });

  it('strips several leading dots and a trailing dot of an entry, and a trailing dot of the host', () => {
    expect(bypass('..example.com', 'example.com')).toBe(true);
    expect(bypass('example.com.', 'www.example.com')).toBe(true);
    expect(bypass('example.com', 'example.com.')).toBe(true);
  });

  it('a name entry never matches an IP address by suffix', () => {
    expect(bypass('0.1', '10.0.0.1')).toBe(false);
  });
});
