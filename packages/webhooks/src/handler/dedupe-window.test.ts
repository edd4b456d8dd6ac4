import { describe, expect, it } from 'vitest';
import { DedupeWindow } from './dedupe-window.js';

describe('DedupeWindow', () => {
  it('remembers keys for the window, then forgets them', () => {
    let now = 0;
    const window = new DedupeWindow(100, () => now);
    expect(window.claim('a')).toBe(true);
    expect(window.claim('a')).toBe(false);
    now = 99;
    expect(window.claim('a')).toBe(false);
    now = 100;
    expect(window.claim('a')).toBe(true);
  });

  it('stays bounded: past maxEntries the oldest key is forgotten first', () => {
    const window = new DedupeWindow(1_000, () => 0, 2);
    expect(window.claim('a')).toBe(true);
    expect(window.claim('b')).toBe(true);
    expect(window.claim('c')).toBe(true);
    expect(window.claim('b')).toBe(false);
    expect(window.claim('c')).toBe(false);
    expect(window.claim('a')).toBe(true);
  });

  it('release forgets a claimed key; a zero window never deduplicates', () => {
    const window = new DedupeWindow(1_000, () => 0);
    window.claim('a');
    window.release('a');
    expect(window.claim('a')).toBe(true);
    const off = new DedupeWindow(0, () => 0);
    expect(off.claim('x')).toBe(true);
    expect(off.claim('x')).toBe(true);
  });
});
