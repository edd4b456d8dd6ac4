import { describe, expect, it } from 'vitest';
import { credentialKey, isDockerHub, normalizeRegistryHost } from './registry-host.js';

describe('normalizeRegistryHost edges', () => {
  it('trims the input before reading it', () => {
    expect(normalizeRegistryHost('  Registry.Example.com:5000  ')).toBe(
      'registry.example.com:5000',
    );
    expect(isDockerHub(' docker.io ')).toBe(true);
    expect(credentialKey(' index.docker.io ')).toBe('https://index.docker.io/v1/');
  });

  it('keeps a scheme that is already there and adds https:// only when there is none', () => {
    expect(normalizeRegistryHost('http://r.test:80/v2/')).toBe('r.test');
    expect(normalizeRegistryHost('https://r.test:443/')).toBe('r.test');
    expect(normalizeRegistryHost('r.test:443')).toBe('r.test');
    expect(normalizeRegistryHost('r.test:80')).toBe('r.test:80');
    expect(normalizeRegistryHost('oci+http://r.test:8080/x')).toBe('r.test:8080');
  });

  it('falls back to text rules for what URL cannot parse: lower case, no leading scheme, no path', () => {
    expect(normalizeRegistryHost('HTTP://Bad Host/v2/x')).toBe('bad host');
    expect(normalizeRegistryHost('Bad Host:x/v2/x')).toBe('bad host:x');
    expect(normalizeRegistryHost('Bad Host:x')).toBe('bad host:x');
    expect(normalizeRegistryHost('a http://b c')).toBe('a http:');
  });
});
