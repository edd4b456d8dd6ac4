import { inspect, format } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { Secret } from './secret.js';

describe('Secret', () => {
  it('never shows its value', () => {
    const s = new Secret('hunter2-password');
    const renderings = [
      JSON.stringify(s),
      JSON.stringify({ auth: { password: s } }),
      inspect(s),
      inspect({ nested: { s } }, { depth: 10, showHidden: true }),
      String(s),
      // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- coercion is what is tested
      `${s}`,
      `prefix ${String(s)}`,
      s.toString(),
      format('%s %o %O %j', s, s, s, s),
      Object.keys(s).join(','),
    ];
    for (const text of renderings) expect(text).not.toContain('hunter2');
    expect(JSON.stringify(s)).toBe('"[REDACTED]"');
    expect(inspect(s)).toBe('Secret([REDACTED])');
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- coercion is what is tested
    expect(`${s}`).toBe('[REDACTED]');
    expect(s.reveal()).toBe('hunter2-password');
  });

  it('holds bytes and compares by value', () => {
    const s = Secret.from(new Uint8Array([0x61, 0x62]));
    expect(s.reveal()).toBe('ab');
    expect(s.byteLength).toBe(2);
    expect(Secret.from(s)).toBe(s);
    expect(s.equals('ab')).toBe(true);
    expect(s.equals(new Secret('ab'))).toBe(true);
    expect(s.equals('abc')).toBe(false);
    expect(s.equals('ac')).toBe(false);
    const gone = new Secret('ab');
    gone.dispose();
    expect(s.equals(gone)).toBe(false);
    expect(gone.equals('ab')).toBe(false);
  });

  it('dispose overwrites the buffer with zeros', () => {
    const filled: Buffer[] = [];
    const fill = Buffer.prototype.fill;
    const spy = vi.spyOn(Buffer.prototype, 'fill').mockImplementation(function (
      this: Buffer,
      ...args: unknown[]
    ) {
      filled.push(this);
      return Reflect.apply<Buffer, unknown[], Buffer>(fill, this, args);
    });
    const s = new Secret('top-secret');
    s.dispose();
    spy.mockRestore();
    expect(filled).toHaveLength(1);
    const buffer = filled[0];
    expect(buffer?.length).toBe('top-secret'.length);
    expect(buffer?.every((b) => b === 0)).toBe(true);
    expect(s.disposed).toBe(true);
    expect(s.byteLength).toBe(0);
    expect(() => s.reveal()).toThrow('disposed');
    s.dispose();
    expect(s.disposed).toBe(true);
  });

  it('supports using declarations', () => {
    let outer: Secret | undefined;
    {
      using s = new Secret('scoped');
      outer = s;
      expect(s.disposed).toBe(false);
    }
    expect(outer.disposed).toBe(true);
  });
});
