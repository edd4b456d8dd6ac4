import { describe, expect, it } from 'vitest';
import { DigestMismatchError, SizeMismatchError } from '../errors/integrity-errors.js';
import { InvalidDigestError, ValidationError } from '../errors/validation-errors.js';
import { Digest } from './digest.js';
import { throughStream, throughTransform } from '../../test/helpers/streams.js';
import { createVerifyingStream, createVerifyingTransform, verifyBytes } from './verify.js';

const content = new TextEncoder().encode('hello, registry');
const good = Digest.fromBytes(content);
const chunks = [content.subarray(0, 4), content.subarray(4, 9), content.subarray(9)];

describe('verifyBytes', () => {
  it('accepts matching content', () => {
    expect(() => {
      verifyBytes(content, good, content.length);
    }).not.toThrow();
    expect(() => {
      verifyBytes(content, good.toString());
    }).not.toThrow();
  });

  it('rejects wrong sizes before hashing and wrong digests', () => {
    expect(() => {
      verifyBytes(content, good, content.length + 1);
    }).toThrow(SizeMismatchError);
    expect(() => {
      verifyBytes(content.subarray(1), good);
    }).toThrow(DigestMismatchError);
    expect(() => {
      verifyBytes(content, 'sha256:nope');
    }).toThrow(InvalidDigestError);
    expect(() => {
      verifyBytes(content, good, -1);
    }).toThrow(ValidationError);
    expect(() => {
      verifyBytes(content, good, 1.5);
    }).toThrow(/non-negative integer/);
  });
});

describe.each([
  ['Node Transform', throughTransform],
  ['web TransformStream', throughStream],
])('%s', (_name, run) => {
  it('passes bytes through unchanged', async () => {
    const { out, error } = await run(chunks, { expected: good, size: content.length });
    expect(error).toBeUndefined();
    expect(Buffer.compare(out, Buffer.from(content))).toBe(0);
  });

  it('accepts a string digest and no size', async () => {
    const { error } = await run(chunks, { expected: good.toString() });
    expect(error).toBeUndefined();
  });

  it('fails at the end on a digest mismatch', async () => {
    const { error } = await run([content.subarray(1)], { expected: good, what: 'blob' });
    expect(error).toBeInstanceOf(DigestMismatchError);
    expect((error as DigestMismatchError).expected).toBe(good.toString());
    expect((error as Error).message).toContain('blob digest mismatch');
  });

  it('fails when the content is short', async () => {
    const { error } = await run([content.subarray(0, 3)], { expected: good, size: content.length });
    expect(error).toBeInstanceOf(SizeMismatchError);
    expect((error as SizeMismatchError).actual).toBe(3);
  });

  it('fails as soon as the size is exceeded, without passing the extra bytes', async () => {
    const { out, error } = await run(chunks, { expected: good, size: 5 });
    expect(error).toBeInstanceOf(SizeMismatchError);
    expect((error as SizeMismatchError).expected).toBe(5);
    expect((error as SizeMismatchError).actual).toBe(9);
    expect(out.length).toBeLessThanOrEqual(4);
  });

  it('accepts empty content with the empty digest', async () => {
    const empty = new Uint8Array(0);
    const { error } = await run([], { expected: Digest.fromBytes(empty), size: 0 });
    expect(error).toBeUndefined();
  });
});

describe('verifying streams: bad options', () => {
  it('throw at creation', () => {
    expect(() => createVerifyingTransform({ expected: 'bad' })).toThrow(InvalidDigestError);
    expect(() => createVerifyingStream({ expected: good, size: Number.NaN })).toThrow(
      ValidationError,
    );
  });

  it('the Node transform accepts string chunks', async () => {
    const t = createVerifyingTransform({
      expected: Digest.fromBytes(new TextEncoder().encode('ab')),
    });
    const out: Buffer[] = [];
    t.on('data', (c: Buffer) => out.push(c));
    const done = new Promise<void>((resolve, reject) => {
      t.on('end', resolve);
      t.on('error', reject);
    });
    t.write('a');
    t.end('b');
    await done;
    expect(Buffer.concat(out).toString()).toBe('ab');
  });
});

describe('web streams interop', () => {
  it('verifies a fetch Response body piped through the TransformStream', async () => {
    const response = new Response(content);
    const body = response.body;
    if (body === null) throw new Error('no body');
    const verified = await new Response(
      body.pipeThrough(createVerifyingStream({ expected: good })),
    ).arrayBuffer();
    expect(Buffer.from(verified).toString()).toBe('hello, registry');
    const tampered = new Response(content.subarray(1)).body;
    if (tampered === null) throw new Error('no body');
    await expect(
      new Response(tampered.pipeThrough(createVerifyingStream({ expected: good }))).arrayBuffer(),
    ).rejects.toThrow(DigestMismatchError);
  });
});
