import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { ConsecutiveBreaker } from './consecutive-breaker.js';

type Op = { kind: 'call'; ok: boolean } | { kind: 'tick'; ms: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('call' as const), ok: fc.boolean() }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
);

describe('ConsecutiveBreaker', () => {
  test.prop([fc.array(op, { maxLength: 200 })])('never lets a call through while open, and opens only after the threshold', (ops) => {
    let now = 0;
    let consecutive = 0;
    const b = new ConsecutiveBreaker({ failureThreshold: 5, successThreshold: 2, resetTimeoutMs: 30_000 });
    for (const o of ops) {
      if (o.kind === 'tick') {
        now += o.ms;
        continue;
      }
      const before = b.stateAt(now);
      const admission = b.tryAcquire(now);
      if (before.name === 'open') {
        expect(admission.allowed).toBe(false);
        continue;
      }
      expect(admission.allowed).toBe(true);
      if (o.ok) {
        consecutive = 0;
        b.success();
      } else {
        consecutive++;
        b.failure(now);
        if (before.name === 'closed' && consecutive < 5) expect(b.stateAt(now).name).toBe('closed');
      }
      if (b.stateAt(now).name === 'open') consecutive = 0;
    }
  });
});
