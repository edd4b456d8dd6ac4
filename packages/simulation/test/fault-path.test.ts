// A fault's `path` has one meaning: text the URL path contains, or a RegExp tested against it
// (`dhub serve --fault path=` is the text form, `path-regex=` the RegExp).
import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../src/faults/faults.js';
import { createSimulator } from '../src/index.js';

describe('fault path', () => {
  it('a string matches every path that contains it, a RegExp every path it matches', () => {
    const plan = new FaultPlan([
      { match: { path: '/blobs/' }, status: 503 },
      { match: { path: /\/manifests\/v\d+$/ }, status: 429 },
    ]);
    expect(plan.next('GET', '/v2/team/app/blobs/sha256:abc')).toEqual({ status: 503 });
    expect(plan.next('HEAD', '/v2/other/blobs/uploads/')).toEqual({ status: 503 });
    expect(plan.next('GET', '/v2/team/app/manifests/v2')).toEqual({ status: 429 });
    expect(plan.next('GET', '/v2/team/app/manifests/latest')).toBeUndefined();
    expect(plan.next('GET', '/v2/team/app/tags/list')).toBeUndefined();
  });

  it('applies to the path only, not the query', async () => {
    const sim = createSimulator({ faults: [{ match: { path: 'n=5' }, status: 503 }] });
    try {
      expect((await sim.fetch(new Request('http://sim.test/v2/a/b/tags/list?n=5'))).status).toBe(
        404,
      );
      const hit = createSimulator({ faults: [{ match: { path: '/tags/' }, status: 503 }] });
      expect((await hit.fetch(new Request('http://sim.test/v2/a/b/tags/list?n=5'))).status).toBe(
        503,
      );
      await hit.close();
    } finally {
      await sim.close();
    }
  });
});
