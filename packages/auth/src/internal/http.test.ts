import { Readable } from 'node:stream';
import { InsecureTransportError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import {
  assertRealmAllowed,
  isInternalHost,
  isLoopback,
  isReplayable,
  registryErrorsOf,
  secureEnough,
} from './http.js';

describe('host checks', () => {
  it.each(['localhost', 'a.localhost', '127.0.0.1', '127.9.9.9', '[::1]', '::1'])(
    '%s is loopback',
    (h) => {
      expect(isLoopback(h)).toBe(true);
    },
  );

  it.each(['example.com', '10.0.0.1', '::2', '128.0.0.1'])('%s is not loopback', (h) => {
    expect(isLoopback(h)).toBe(false);
  });

  it.each([
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '[fd00::1]',
    'fe80::1',
    '::',
    '::ffff:10.0.0.1',
    '127.0.0.1',
  ])('%s is internal', (h) => {
    expect(isInternalHost(h)).toBe(true);
  });

  it.each(['8.8.8.8', '172.32.0.1', '192.169.0.1', 'auth.docker.io', '2001:db8::1'])(
    '%s is not internal',
    (h) => {
      expect(isInternalHost(h)).toBe(false);
    },
  );

  it('allows credentials over https, loopback http and insecure hosts only', () => {
    const none = new Set<string>();
    expect(secureEnough(new URL('https://x.test/'), none)).toBe(true);
    expect(secureEnough(new URL('http://127.0.0.1:5000/'), none)).toBe(true);
    expect(secureEnough(new URL('http://x.test/'), none)).toBe(false);
    expect(secureEnough(new URL('http://x.test:81/'), new Set(['x.test:81']))).toBe(true);
    expect(secureEnough(new URL('ftp://127.0.0.1/'), none)).toBe(false);
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

describe('body and error helpers', () => {
  it('knows which bodies replay', () => {
    expect(isReplayable(undefined)).toBe(true);
    expect(isReplayable('x')).toBe(true);
    expect(isReplayable(new Uint8Array(1))).toBe(true);
    expect(isReplayable({ stream: () => Readable.from([]), replayable: true })).toBe(true);
    expect(isReplayable({ stream: () => Readable.from([]), replayable: false })).toBe(false);
  });

  it('reads distribution error entries defensively', () => {
    expect(
      registryErrorsOf({
        errors: [
          { code: 'DENIED', message: 'no', detail: { a: 1 } },
          5,
          { code: 7 },
          { code: 'X' },
        ],
      }),
    ).toEqual([
      { code: 'DENIED', message: 'no', detail: { a: 1 } },
      { code: 'X', message: '', detail: undefined },
    ]);
    expect(registryErrorsOf(null)).toEqual([]);
    expect(registryErrorsOf({ errors: 'x' })).toEqual([]);
  });
});
