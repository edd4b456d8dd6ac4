import { describe, expect, it } from 'vitest';
import { hostKey, safeUrl } from './host.js';
import { assertSecure } from '../dispatch/terminal.js';

describe('URL helpers and HTTPS policy', () => {
  it('strips credentials and queries', () => {
    expect(safeUrl(new URL('https://u:p@Registry.example.com:5000/v2/x?_state=secret#f'))).toBe('https://registry.example.com:5000/v2/x');
    expect(hostKey(new URL('https://Registry.example.com:5000/'))).toBe('registry.example.com:5000');
  });

  it('allows https, loopback http and insecure hosts only', () => {
    expect(() => { assertSecure(new URL('https://a.example/'), []); }).not.toThrow();
    expect(() => { assertSecure(new URL('http://127.0.0.1:5000/'), []); }).not.toThrow();
    expect(() => { assertSecure(new URL('http://[::1]:5000/'), []); }).not.toThrow();
    expect(() => { assertSecure(new URL('http://a.example/'), ['a.example']); }).not.toThrow();
    expect(() => { assertSecure(new URL('http://a.example:5000/'), ['a.example:5000']); }).not.toThrow();
    expect(() => { assertSecure(new URL('http://a.example:5000/'), ['b.example']); }).toThrow(/insecureHosts/);
    expect(() => { assertSecure(new URL('ftp://a.example/'), []); }).toThrow(/only https/);
  });
});
