import { describe, expect, it } from 'vitest';
import { toDisposer } from './disposer.js';

describe('toDisposer', () => {
  it('calls the function when called and when disposed by using', () => {
    const calls: string[] = [];
    const stop = toDisposer(() => calls.push('x'));
    stop();
    {
      using _scope = stop;
    }
    expect(calls).toEqual(['x', 'x']);
  });
});
