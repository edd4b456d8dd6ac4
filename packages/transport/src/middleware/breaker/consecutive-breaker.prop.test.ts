import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { ConsecutiveBreaker, type BreakerStateName } from './consecutive-breaker.js';

/**
 * What the breaker must do, written from its documentation and kept deliberately plain: a count
 * of failures in a row while closed, the time it opened, and the half-open trial bookkeeping.
 * The breaker under test is compared with it after every step.
 */
class BreakerModel {
  failuresInARow = 0;
  openedAt: number | undefined = undefined;
  halfOpen = false;
  trialRunning = false;
  trialSuccesses = 0;
  readonly changes: string[] = [];

  constructor(
    readonly failureThreshold: number,
    readonly successThreshold: number,
    readonly resetMs: number,
  ) {}

  /** The state name at `now`; an open breaker whose wait is over becomes half-open. */
  name(now: number): BreakerStateName {
    if (this.openedAt !== undefined && now - this.openedAt >= this.resetMs) {
      this.openedAt = undefined;
      this.halfOpen = true;
      this.trialRunning = false;
      this.trialSuccesses = 0;
      this.changes.push('open>halfOpen');
    }
    if (this.openedAt !== undefined) return 'open';
    return this.halfOpen ? 'halfOpen' : 'closed';
  }

  /** Whether a call may go now, and if not, when the breaker half-opens. */
  admit(now: number): { allowed: boolean; halfOpenAt?: number } {
    const name = this.name(now);
    if (name === 'closed') return { allowed: true };
    if (name === 'open') return { allowed: false, halfOpenAt: (this.openedAt ?? 0) + this.resetMs };
    if (this.trialRunning) return { allowed: false, halfOpenAt: now };
    this.trialRunning = true;
    return { allowed: true };
  }

  succeeded(): void {
    if (this.openedAt !== undefined) return;
    if (!this.halfOpen) {
      this.failuresInARow = 0;
      return;
    }
    this.trialRunning = false;
    this.trialSuccesses += 1;
    if (this.trialSuccesses === this.successThreshold) {
      this.halfOpen = false;
      this.failuresInARow = 0;
      this.changes.push('halfOpen>closed');
    }
  }

  failed(now: number): void {
    if (this.openedAt !== undefined) return;
    if (this.halfOpen) {
      this.open(now, 'halfOpen');
      return;
    }
    this.failuresInARow += 1;
    if (this.failuresInARow === this.failureThreshold) this.open(now, 'closed');
  }

  released(): void {
    if (this.halfOpen) this.trialRunning = false;
  }

  reset(now: number): void {
    const from = this.name(now);
    this.openedAt = undefined;
    this.halfOpen = false;
    this.failuresInARow = 0;
    if (from !== 'closed') this.changes.push(`${from}>closed`);
  }

  private open(now: number, from: BreakerStateName): void {
    this.openedAt = now;
    this.halfOpen = false;
    this.failuresInARow = 0;
    this.changes.push(`${from}>open`);
  }
}

/**
 * One step: time passes (often exactly to the half-open boundary), a call asks to go, a call in
 * flight ends (which one, and how), or the breaker is reset by hand.
 */
type Step =
  | { kind: 'tick'; ms: number }
  | { kind: 'tickToHalfOpen'; offset: -1 | 0 | 1 }
  | { kind: 'call' }
  | { kind: 'end'; which: number; outcome: 'success' | 'failure' | 'abort' }
  | { kind: 'reset' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick'), ms: fc.nat(60_000) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('tickToHalfOpen'),
      offset: fc.constantFrom(-1 as const, 0 as const, 1 as const),
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('call') }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('end'),
      which: fc.nat(),
      // Failures dominate, so runs of them reach every threshold often.
      outcome: fc.constantFrom<'success' | 'failure' | 'abort'>(
        'failure',
        'failure',
        'success',
        'abort',
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset') }) },
);

const settings = fc.record({
  failureThreshold: fc.integer({ min: 1, max: 6 }),
  successThreshold: fc.integer({ min: 1, max: 3 }),
  resetTimeoutMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40_000 })),
});

describe('ConsecutiveBreaker against a model', () => {
  test.prop([settings, fc.array(step, { minLength: 20, maxLength: 300, size: 'max' })])(
    'every admission, half-open time, state and state change is what the model says',
    ({ failureThreshold, successThreshold, resetTimeoutMs }, steps) => {
      let now = 1_000;
      const changes: string[] = [];
      const breaker = new ConsecutiveBreaker(
        { failureThreshold, successThreshold, resetTimeoutMs },
        (from, to) => changes.push(`${from.name}>${to.name}`),
      );
      const model = new BreakerModel(failureThreshold, successThreshold, resetTimeoutMs);
      // Calls admitted and not yet ended, and whether each was a half-open trial.
      const inFlight: { trial: boolean }[] = [];
      for (const s of steps) {
        if (s.kind === 'tick') now += s.ms;
        else if (s.kind === 'tickToHalfOpen') {
          const at = breaker.halfOpenAt();
          if (at !== undefined) now = Math.max(now, at + s.offset);
        } else if (s.kind === 'call') {
          const trial = model.name(now) === 'halfOpen';
          const expected = model.admit(now);
          const admission = breaker.tryAcquire(now);
          expect(admission).toEqual(expected);
          if (admission.allowed) inFlight.push({ trial });
        } else if (s.kind === 'end') {
          if (inFlight.length === 0) continue;
          const [call] = inFlight.splice(s.which % inFlight.length, 1);
          // As the middleware reports: a failure or success always, an abort only frees a trial.
          if (s.outcome === 'success') {
            model.succeeded();
            breaker.success();
          } else if (s.outcome === 'failure') {
            model.failed(now);
            breaker.failure(now);
          } else if (call?.trial === true) {
            model.released();
            breaker.release();
          }
        } else {
          model.reset(now);
          breaker.reset();
        }
        const name = model.name(now);
        expect(breaker.stateAt(now).name).toBe(name);
        expect(breaker.halfOpenAt()).toBe(
          name === 'open' ? (model.openedAt ?? 0) + resetTimeoutMs : undefined,
        );
        expect(changes).toEqual(model.changes);
      }
    },
  );

  test.prop([settings, fc.nat(60_000)])(
    'opens on exactly the failureThreshold-th failure in a row and admits nothing until the reset timeout',
    ({ failureThreshold, successThreshold, resetTimeoutMs }, start) => {
      const breaker = new ConsecutiveBreaker({
        failureThreshold,
        successThreshold,
        resetTimeoutMs,
      });
      for (let i = 1; i <= failureThreshold; i++) {
        expect(breaker.tryAcquire(start)).toEqual({ allowed: true });
        breaker.failure(start);
        expect(breaker.toJSON().name).toBe(i < failureThreshold ? 'closed' : 'open');
      }
      expect(breaker.halfOpenAt()).toBe(start + resetTimeoutMs);
      if (resetTimeoutMs > 0) {
        expect(breaker.tryAcquire(start + resetTimeoutMs - 1)).toEqual({
          allowed: false,
          halfOpenAt: start + resetTimeoutMs,
        });
      }
      expect(breaker.tryAcquire(start + resetTimeoutMs)).toEqual({ allowed: true });
      expect(breaker.tryAcquire(start + resetTimeoutMs)).toEqual({
        allowed: false,
        halfOpenAt: start + resetTimeoutMs,
      });
    },
  );

  test.prop([settings, fc.array(fc.boolean(), { minLength: 1, maxLength: 20 })])(
    'a success anywhere in a run of failures starts the count again',
    ({ failureThreshold, successThreshold, resetTimeoutMs }, outcomes) => {
      const breaker = new ConsecutiveBreaker({
        failureThreshold,
        successThreshold,
        resetTimeoutMs,
      });
      let run = 0;
      for (const ok of outcomes) {
        if (breaker.toJSON().name === 'open') break;
        if (ok) breaker.success();
        else breaker.failure(0);
        run = ok ? 0 : run + 1;
        expect(breaker.toJSON().name).toBe(run >= failureThreshold ? 'open' : 'closed');
      }
    },
  );
});
