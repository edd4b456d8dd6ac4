import { describe, expect, it } from 'vitest';
import type { TransportRequest } from '../pipeline/types.js';
import { routeOf, statsOf, withStats } from './request-stats.js';

const req: TransportRequest = {
  method: 'GET',
  url: new URL('https://r.test/v2/a/manifests/1'),
  headers: {},
  context: { operation: 'pull' },
};

const bare: TransportRequest = { method: 'GET', url: req.url, headers: {} };

describe('request stats', () => {
  it('attaches stats to a copy of the request, keeping its context, and reads them back', () => {
    const stats = { requestId: 7, attempts: 0 };
    const tagged = withStats(req, stats);
    expect(tagged).not.toBe(req);
    expect(req.context).toEqual({ operation: 'pull' });
    expect(tagged.context?.operation).toBe('pull');
    expect(statsOf(tagged)).toBe(stats);
    expect(statsOf(withStats(bare, stats))).toBe(stats);
  });

  it('finds no stats in a request without them or with a value that is not stats', () => {
    expect(statsOf(req)).toBeUndefined();
    expect(statsOf(bare)).toBeUndefined();
    expect(statsOf({ ...req, context: { 'transport.stats': null } })).toBeUndefined();
    expect(statsOf({ ...req, context: { 'transport.stats': 3 } })).toBeUndefined();
    expect(statsOf({ ...req, context: { 'transport.stats': { requestId: 1 } } })).toBeUndefined();
  });

  it('names the route from the context, else the URL path', () => {
    expect(routeOf(req)).toBe('/v2/a/manifests/1');
    expect(routeOf({ ...req, context: { route: '/v2/<name>/manifests/<ref>' } })).toBe(
      '/v2/<name>/manifests/<ref>',
    );
    expect(
      routeOf({
        ...req,
        context: { route: 5 } as unknown as NonNullable<TransportRequest['context']>,
      }),
    ).toBe('/v2/a/manifests/1');
  });
});
