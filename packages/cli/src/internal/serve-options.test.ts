import { describe, expect, it } from 'vitest';
import {
  OptionValueError,
  parseDuration,
  parseFault,
  parsePort,
  parseRateLimit,
  parseUser,
  parseUsersFile,
} from './serve-options.js';

describe('dhub serve option values', () => {
  it('parses users at the first colon', () => {
    expect(parseUser('alice:pa:ss')).toEqual({ name: 'alice', password: 'pa:ss' });
    expect(() => parseUser('alice')).toThrow(OptionValueError);
    expect(() => parseUser(':pw')).toThrow(OptionValueError);
    expect(() => parseUser('alice:')).toThrow(OptionValueError);
  });

  it('parses durations in s, m, h, d (bare numbers are seconds)', () => {
    expect(parseDuration('--upload-ttl', '90')).toBe(90);
    expect(parseDuration('--upload-ttl', '30m')).toBe(1_800);
    expect(parseDuration('--upload-ttl', '24h')).toBe(86_400);
    expect(parseDuration('--upload-ttl', '7d')).toBe(604_800);
    for (const bad of ['', '0s', '1.5h', '2w', '-1'])
      expect(() => parseDuration('--upload-ttl', bad)).toThrow(OptionValueError);
  });

  it('parses users files, skipping blank and comment lines, naming bad lines by number', () => {
    expect(parseUsersFile('f', '# c\n\na:b\r\nc:d:e\n')).toEqual([
      { name: 'a', password: 'b' },
      { name: 'c', password: 'd:e' },
    ]);
    expect(() => parseUsersFile('f', 'a:b\nnope\n')).toThrow('f: line 2 is not NAME:PASSWORD');
    expect(() => parseUsersFile('f', '# only\n')).toThrow('f holds no NAME:PASSWORD line');
  });

  it('parses N/SECONDS rate limits', () => {
    expect(parseRateLimit('100/21600')).toEqual({
      anonymousLimit: 100,
      authenticatedLimit: 100,
      windowSeconds: 21600,
    });
    for (const bad of ['100', '100/', '/5', 'a/b', '10/0', '-1/5'])
      expect(() => parseRateLimit(bad)).toThrow(OptionValueError);
  });

  it('parses fault specs into simulator rules', () => {
    expect(parseFault('status=503,path=/blobs/,times=2,method=get,retry-after=1')).toEqual({
      status: 503,
      times: 2,
      retryAfter: 1,
      match: { path: '/blobs/', method: 'GET' },
    });
    expect(parseFault('corrupt,path-regex=/blobs/sha256:[0-9a-f]+$')).toEqual({
      corrupt: true,
      match: { path: /\/blobs\/sha256:[0-9a-f]+$/ },
    });
    expect(parseFault('reset-after=10,attempt=1')).toEqual({
      resetAfterBytes: 10,
      match: { attempt: 1 },
    });
    expect(parseFault('delay-ms=5')).toEqual({ delayMs: 5, match: {} });
  });

  it.each([
    '',
    'times=2',
    'status=99',
    'status=abc',
    'nope=1',
    'path-regex=(,status=500',
    'corrupt=maybe',
  ])('rejects fault %j', (spec) => {
    expect(() => parseFault(spec)).toThrow(OptionValueError);
  });

  it('parses ports', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('5000')).toBe(5000);
    expect(() => parsePort('65536')).toThrow(OptionValueError);
    expect(() => parsePort('http')).toThrow(OptionValueError);
  });
});
