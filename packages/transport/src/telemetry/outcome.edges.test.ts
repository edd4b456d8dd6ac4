import { describe, expect, it } from 'vitest';
import { outcomeOf } from './outcome.js';

describe('request outcome, edges', () => {
  it('counts 400 as an error and 399 as a success', () => {
    expect(outcomeOf(400, undefined)).toBe('error');
    expect(outcomeOf(399, undefined)).toBe('success');
  });
});
