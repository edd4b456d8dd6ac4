import { InsecureTransportError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { assertRealmAllowed, assertSecure } from './http.js';

describe('assertSecure', () => {
  it('refuses credentials over plain HTTP to a host that is neither loopback nor listed', () => {
    const none = new Set<string>();
    expect(() => { assertSecure(new URL('http://127.0.0.1:5000/'), none); }).not.toThrow();
    expect(() => { assertSecure(new URL('http://x.test:81/'), new Set(['x.test:81'])); }).not.toThrow();
    expect(() => { assertSecure(new URL('http://x.test/'), none); }).toThrow(InsecureTransportError);
  });
});

describe('assertRealmAllowed', () => {
  it('refuses an internal realm named by a public registry', () => {
    expect(() => {
      assertRealmAllowed(
        'http://169.254.169.254/latest/meta-data',
        new URL('https://registry.example.com/v2/'),
      );
    }).toThrow(InsecureTransportError);
    expect(() => {
      assertRealmAllowed(
        'http://127.0.0.1:8080/token',
        new URL('https://registry.example.com/v2/'),
      );
    }).toThrow(/internal address/);
  });

  it('allows public realms, internal realms of internal registries, and garbage (reported later)', () => {
    expect(() => {
      assertRealmAllowed(
        'https://auth.docker.io/token',
        new URL('https://registry-1.docker.io/v2/'),
      );
      assertRealmAllowed('http://127.0.0.1:5001/token', new URL('http://127.0.0.1:5000/v2/'));
      assertRealmAllowed('http://10.0.0.5/token', new URL('http://10.0.0.4:5000/v2/'));
      assertRealmAllowed('not a url', new URL('https://registry.example.com/'));
    }).not.toThrow();
  });
});
