import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate, selectChallenge } from './parse-www-authenticate.js';

describe('parseWwwAuthenticate', () => {
  it('parses a Docker Hub bearer challenge', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io' },
      },
    ]);
  });

  it('keeps commas and spaces inside quoted values and reads error=insufficient_scope', () => {
    const [c] = parseWwwAuthenticate(
      'Bearer realm="http://127.0.0.1:5001/token",service="test-registry",scope="repository:test/m:pull,push repository:other/repo:pull",error="insufficient_scope"',
    );
    expect(c?.params['scope']).toBe('repository:test/m:pull,push repository:other/repo:pull');
    expect(c?.params['error']).toBe('insufficient_scope');
  });

  it('unescapes backslash escapes in quoted strings', () => {
    const [c] = parseWwwAuthenticate('Basic realm="say \\"hi\\", \\\\ok"');
    expect(c).toEqual({ scheme: 'basic', params: { realm: 'say "hi", \\ok' } });
  });

  it('reads several challenges in one header, case-insensitively', () => {
    const out = parseWwwAuthenticate(
      'basic realm="GitHub Package Registry", BEARER Realm="https://x/token" , Service=svc',
    );
    expect(out.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(out[1]?.params).toEqual({ realm: 'https://x/token', service: 'svc' });
  });

  it('reads repeated headers (array form) and token values without quotes', () => {
    const out = parseWwwAuthenticate([
      'Basic realm=simple',
      'Bearer realm="r",scope=registry:catalog:*',
    ]);
    expect(out).toEqual([
      { scheme: 'basic', params: { realm: 'simple' } },
      { scheme: 'bearer', params: { realm: 'r', scope: 'registry:catalog:*' } },
    ]);
  });

  it('accepts a scheme without parameters and a token68 value', () => {
    expect(parseWwwAuthenticate('Negotiate abc123==, Basic')).toEqual([
      { scheme: 'negotiate', params: {} },
      { scheme: 'basic', params: {} },
    ]);
  });

  it('keeps the first value of a duplicated parameter', () => {
    expect(parseWwwAuthenticate('Bearer realm="a",realm="b"')[0]?.params['realm']).toBe('a');
  });

  it.each([undefined, null, '', '   ', ',,,', '"', '=', '=x', '@@@', 'Bearer realm="unterminated'])(
    'returns [] or a prefix for garbage %j',
    (input) => {
      const out = parseWwwAuthenticate(input);
      expect(Array.isArray(out)).toBe(true);
      for (const c of out) expect(c.params['realm']).toBeUndefined();
    },
  );

  it('drops a damaged challenge but keeps complete ones before it', () => {
    expect(parseWwwAuthenticate('Basic realm="a", Bearer realm="b" junk"')).toEqual([
      { scheme: 'basic', params: { realm: 'a' } },
    ]);
  });

  it('does not let a __proto__ parameter pollute anything', () => {
    const [c] = parseWwwAuthenticate('Bearer __proto__="x",realm="r"');
    expect(c?.params['realm']).toBe('r');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});

describe('selectChallenge', () => {
  it('prefers a bearer challenge with a realm, then basic', () => {
    const both = parseWwwAuthenticate('Basic realm="b", Bearer realm="https://t"');
    expect(selectChallenge(both)?.scheme).toBe('bearer');
    expect(
      selectChallenge(parseWwwAuthenticate('Bearer service="x", Basic realm="b"'))?.scheme,
    ).toBe('basic');
    expect(selectChallenge(parseWwwAuthenticate('Negotiate'))).toBeUndefined();
  });
});
