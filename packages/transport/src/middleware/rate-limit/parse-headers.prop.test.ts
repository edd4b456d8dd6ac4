import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { parseRateLimitHeaders, parseRetryAfter, parseUnixTime, retryDelayFromHeaders } from './parse-headers.js';

const NOW = Date.UTC(2026, 0, 1, 0, 0, 0);
const count = fc.integer({ min: 0, max: 1_000_000 });
const window = fc.integer({ min: 1, max: 1_000_000 });
const anyHeaderValue = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant(''), fc.array(fc.string()));

describe('parseRetryAfter', () => {
  test.prop([fc.integer({ min: 0, max: 10_000_000 })])('delta-seconds parse to milliseconds', (s) => {
    expect(parseRetryAfter(String(s), NOW)).toBe(s * 1000);
    expect(parseRetryAfter(` ${s} `, NOW)).toBe(s * 1000);
  });

  test.prop([fc.integer({ min: 0, max: 10_000_000 })])('HTTP dates parse to the wait until then', (s) => {
    const date = new Date(NOW + s * 1000).toUTCString();
    expect(parseRetryAfter(date, NOW)).toBe(s * 1000);
  });

  test.prop([fc.integer({ min: 1, max: 10_000_000 })])('dates in the past mean no wait', (s) => {
    expect(parseRetryAfter(new Date(NOW - s * 1000).toUTCString(), NOW)).toBe(0);
  });

  test.prop([fc.string({ unit: 'binary' })])('garbage never throws and never gives a negative wait', (v) => {
    const r = parseRetryAfter(v, NOW);
    expect(r === undefined || (Number.isFinite(r) && r >= 0)).toBe(true);
  });

  test.prop([fc.string()])('unix times: garbage never throws', (v) => {
    const r = parseUnixTime(v);
    expect(r === undefined || Number.isFinite(r)).toBe(true);
  });
});

describe('parseRateLimitHeaders', () => {
  test.prop([count, count, window, fc.option(fc.uuid(), { nil: undefined })])('well-formed registry headers parse', (limit, remaining, w, source) => {
    const headers = {
      'ratelimit-limit': `${limit};w=${w}`,
      'ratelimit-remaining': `${remaining};w=${w}`,
      ...(source === undefined ? {} : { 'docker-ratelimit-source': source }),
    };
    const { status, problems } = parseRateLimitHeaders(headers, NOW);
    expect(problems).toEqual([]);
    expect(status).toEqual({ limit, remaining, windowSeconds: w, source, resetAt: undefined, observedAt: new Date(NOW) });
  });

  test.prop([count, window])('policy lists take the first count and the first window', (limit, w) => {
    const { status } = parseRateLimitHeaders({ 'ratelimit-limit': `${limit}, ${limit};w=${w}` }, NOW);
    expect(status?.limit).toBe(limit);
    expect(status?.windowSeconds).toBe(w);
  });

  test.prop([count, count, fc.integer({ min: 0, max: 4_000_000_000 })])('Hub API X-RateLimit-* parse', (limit, remaining, reset) => {
    const headers = { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(reset) };
    const { status, problems } = parseRateLimitHeaders(headers, NOW);
    expect(problems).toEqual([]);
    expect(status?.limit).toBe(limit);
    expect(status?.remaining).toBe(remaining);
    expect(status?.resetAt?.getTime()).toBe(reset * 1000);
  });

  test.prop([fc.dictionary(fc.constantFrom('ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'docker-ratelimit-source', 'retry-after', 'x-retry-after'), anyHeaderValue)])(
    'garbage never throws; bad values are reported by name, never by value',
    (headers) => {
      const { status, problems } = parseRateLimitHeaders(headers, NOW);
      for (const p of problems) expect(Object.keys(headers)).toContain(p.header);
      if (status !== undefined) {
        expect(status.limit === undefined || Number.isInteger(status.limit)).toBe(true);
        expect(status.remaining === undefined || status.remaining >= 0).toBe(true);
      }
      const wait = retryDelayFromHeaders(headers, NOW);
      expect(wait === undefined || wait.delayMs >= 0).toBe(true);
    },
  );

  // Any headers except the rate-limit ones: whatever else a registry sends, no status comes of it.
  const RATE_NAMES = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'docker-ratelimit-source'];
  const otherHeaders = fc.dictionary(
    fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/).filter((n) => !RATE_NAMES.includes(n)),
    anyHeaderValue,
  );
  test.prop([otherHeaders])('headers without rate-limit names mean not limited', (headers) => {
    expect(parseRateLimitHeaders(headers, NOW)).toEqual({ status: undefined, problems: [] });
  });

  // A model of what a registry may send, rendered to text in the ways registries write it
  // (spaces, policy lists, with or without the window), checked against the model itself rather
  // than against a second parser.
  const model = fc.record({
    limit: fc.option(count, { nil: undefined }),
    remaining: fc.option(count, { nil: undefined }),
    window: fc.option(window, { nil: undefined }),
    spaces: fc.constantFrom('', ' ', '  '),
    policyList: fc.boolean(),
  });
  test.prop([model])('rendered registry quotas read back as the model says', (m) => {
    const render = (n: number): string => {
      const w = m.window === undefined ? '' : `;${m.spaces}w=${m.window}`;
      const one = `${n}${w}`;
      return `${m.spaces}${m.policyList ? `${one}, ${n};w=${m.window ?? 60}` : one}${m.spaces}`;
    };
    const headers: Record<string, string> = {};
    if (m.limit !== undefined) headers['ratelimit-limit'] = render(m.limit);
    if (m.remaining !== undefined) headers['ratelimit-remaining'] = render(m.remaining);
    const { status, problems } = parseRateLimitHeaders(headers, NOW);
    expect(problems).toEqual([]);
    if (m.limit === undefined && m.remaining === undefined) {
      expect(status).toBeUndefined();
      return;
    }
    expect(status?.limit).toBe(m.limit);
    expect(status?.remaining).toBe(m.remaining);
    if (m.window !== undefined) expect(status?.windowSeconds).toBe(m.window);
  });
});
