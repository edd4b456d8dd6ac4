import * as z from 'zod';
import { describe, expect, it, vi } from 'vitest';
import { lazySchema } from './lazy-schema.js';

describe('lazySchema', () => {
  it('calls build only on first use, and only once', () => {
    const build = vi.fn(() => z.object({ token: z.string() }));
    const schema = lazySchema(build);
    expect(build).not.toHaveBeenCalled();
    expect(schema.parse({ token: 't' })).toEqual({ token: 't' });
    expect(schema.safeParse({ token: 1 }).success).toBe(false);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('works as a member of another schema, lazy or not, with the issue path of the member', () => {
    const inner = lazySchema(() => z.string().regex(/^sha256:/, { error: 'not a digest' }));
    const outer = lazySchema(() => z.object({ digest: inner, list: z.array(inner).optional() }));
    expect(outer.parse({ digest: 'sha256:a', list: ['sha256:b'] })).toEqual({
      digest: 'sha256:a',
      list: ['sha256:b'],
    });
    const result = z.object({ nested: outer }).safeParse({ nested: { digest: 'md5:x' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['nested', 'digest']);
    expect(result.error?.issues[0]?.message).toBe('not a digest');
    expect(inner.optional().parse(undefined)).toBeUndefined();
  });

  it('answers instanceof, in, keys and descriptors for the built schema', () => {
    const built = z.object({ a: z.number() });
    const schema = lazySchema(() => built);
    expect(schema).toBeInstanceOf(z.ZodObject);
    expect('parse' in schema).toBe(true);
    expect('nothing-like-this' in schema).toBe(false);
    expect(Reflect.ownKeys(schema)).toEqual(Reflect.ownKeys(built));
    expect(Object.getOwnPropertyDescriptor(schema, '_zod')?.value).toBe(built._zod);
    expect(Object.getOwnPropertyDescriptor(schema, 'nothing-like-this')).toBeUndefined();
  });

  it('sets, defines and deletes on the built schema (a spy replaces its method and is restored)', () => {
    const built = z.object({ a: z.number() });
    const schema = lazySchema(() => built);
    const spy = vi.spyOn(schema, 'safeParse').mockReturnValue({ success: true, data: { a: 7 } });
    expect(built.safeParse({})).toEqual({ success: true, data: { a: 7 } });
    spy.mockRestore();
    expect(built.safeParse({}).success).toBe(false);
    (schema as unknown as Record<string, unknown>)['extra'] = 1;
    expect((built as unknown as Record<string, unknown>)['extra']).toBe(1);
    expect(delete (schema as unknown as Record<string, unknown>)['extra']).toBe(true);
    expect('extra' in built).toBe(false);
  });

  it('throws what build throws on use, and builds again on the next use', () => {
    let calls = 0;
    const schema = lazySchema(() => {
      calls += 1;
      if (calls === 1) throw new Error('first build fails');
      return z.string();
    });
    expect(() => schema.parse('x')).toThrow('first build fails');
    expect(schema.parse('x')).toBe('x');
    expect(calls).toBe(2);
  });
});
