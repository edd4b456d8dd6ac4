import { describe, expect, it } from 'vitest';
import { toDisposer } from './disposer.js';

describe('toDisposer', () => {
  it('calls the function when called and when disposed', () => {
    const calls: string[] = [];
    const stop = toDisposer(() => {
      calls.push('x');
    });
    stop();
    stop[Symbol.dispose]();
    expect(calls).toEqual(['x', 'x']);
  });
});
