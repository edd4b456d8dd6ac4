import type { TransformCallback } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DigestMismatchError } from '../errors/integrity-errors.js';
import { Digest } from './digest.js';
import { createVerifyingTransform } from './verify.js';

// Writes through the public stream API always arrive as Buffers (the transform keeps Node's
// default `decodeStrings: true`), so the string branch of the transform is only reachable when
// the transform function is driven directly, as a subclass or a custom pipeline may do.
function push(transform: ReturnType<typeof createVerifyingTransform>, chunk: string): unknown[] {
  const calls: unknown[][] = [];
  const callback: TransformCallback = (...args) => calls.push(args);
  transform._transform(chunk, 'utf8', callback);
  return calls[0] ?? [];
}

function finish(transform: ReturnType<typeof createVerifyingTransform>): unknown {
  let result: unknown = 'not called';
  transform._flush((error) => (result = error));
  return result;
}

describe('createVerifyingTransform with string chunks', () => {
  it('hashes a string chunk as its UTF-8 bytes and passes those bytes on', () => {
    const text = 'größe: 3 µs';
    const bytes = Buffer.from(text, 'utf8');
    const transform = createVerifyingTransform({
      expected: Digest.fromBytes(bytes),
      size: bytes.byteLength,
    });
    const [error, output] = push(transform, text);
    expect(error).toBeNull();
    expect(Buffer.isBuffer(output)).toBe(true);
    expect(output).toEqual(bytes);
    expect(finish(transform)).toBeUndefined();
  });

  it('reports a digest mismatch for string content that differs', () => {
    const transform = createVerifyingTransform({ expected: Digest.fromBytes(Buffer.from('a')) });
    expect(push(transform, 'b')[0]).toBeNull();
    expect(finish(transform)).toBeInstanceOf(DigestMismatchError);
  });
});
