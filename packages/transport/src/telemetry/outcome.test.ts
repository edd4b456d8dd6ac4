import { describe, expect, it } from 'vitest';
import { errorTypeOf, outcomeOf } from './outcome.js';

describe('outcome and error type', () => {
  it('classifies statuses and failures', () => {
    expect(outcomeOf(200, undefined)).toBe('success');
    expect(outcomeOf(304, undefined)).toBe('success');
    expect(outcomeOf(404, undefined)).toBe('not_found');
    expect(outcomeOf(401, undefined)).toBe('error');
    expect(outcomeOf(200, 'NETWORK')).toBe('error');
    expect(outcomeOf(undefined, undefined)).toBe('error');
    expect(
      [401, 403, 404, 405, 429, 502, 418, undefined].map((s) => errorTypeOf(s, undefined)),
    ).toEqual([
      'UNAUTHORIZED',
      'DENIED',
      'NOT_FOUND',
      'UNSUPPORTED',
      'TOOMANYREQUESTS',
      'SERVER_ERROR',
      'REGISTRY_ERROR',
      'UNKNOWN',
    ]);
    expect(errorTypeOf(503, 'TIMEOUT')).toBe('TIMEOUT');
  });
});
