import { describe, expect, it } from 'vitest';
import { ConfigError, Secret } from '@llmdevops/docker-hub-core';
import { lastPathSegment, matchesSharedSecret } from './shared-secret.js';
import { createSourceAllowList } from './source-allow-list.js';

describe('matchesSharedSecret', () => {
  it('matches any accepted secret and nothing else', () => {
    const secrets = [new Secret('first-token'), new Secret('second-token')];
    expect(matchesSharedSecret(secrets, 'second-token')).toBe(true);
    expect(matchesSharedSecret(secrets, 'first-token')).toBe(true);
    expect(matchesSharedSecret(secrets, 'first-toke')).toBe(false);
    expect(matchesSharedSecret(secrets, '')).toBe(false);
    expect(matchesSharedSecret(secrets, undefined)).toBe(false);
    secrets[0]?.dispose();
    expect(matchesSharedSecret(secrets, 'first-token')).toBe(false);
  });

  it('reads the decoded last path segment', () => {
    expect(lastPathSegment(new URL('http://h/hooks/docker/a%2Fb'))).toBe('a/b');
    expect(lastPathSegment(new URL('http://h/hooks/x/'))).toBe('x');
    expect(lastPathSegment(new URL('http://h/'))).toBeUndefined();
    expect(lastPathSegment(new URL('http://h/hooks/%E0%A4%A'))).toBeUndefined();
  });
});

describe('createSourceAllowList', () => {
  it('matches addresses and CIDR ranges of both families, including IPv4-mapped peers', () => {
    const allowed = createSourceAllowList(['127.0.0.1', '10.0.0.0/8', '2001:db8::/32', '::1']);
    expect(allowed('127.0.0.1')).toBe(true);
    expect(allowed('::ffff:127.0.0.1')).toBe(true);
    expect(allowed('10.200.3.4')).toBe(true);
    expect(allowed('2001:db8:1::5')).toBe(true);
    expect(allowed('::1')).toBe(true);
    expect(allowed('127.0.0.2')).toBe(false);
    expect(allowed('11.0.0.1')).toBe(false);
    expect(allowed('2001:db9::1')).toBe(false);
    expect(allowed(undefined)).toBe(false);
    expect(allowed('not-an-ip')).toBe(false);
  });

  it('names every invalid entry in a ConfigError', () => {
    let error: unknown;
    try {
      createSourceAllowList(['10.0.0.0/8', 'example.com', '10.0.0.0/33', '1.2.3.4/8/9', '::1/x']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toEqual([
      'allowSources.1',
      'allowSources.2',
      'allowSources.3',
      'allowSources.4',
    ]);
  });
});
