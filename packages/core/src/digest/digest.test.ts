import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidDigestError, ValidationError } from '../errors/validation-errors.js';
import { Digest, digestEquals } from './digest.js';
import { createHasher } from './hasher.js';

const EMPTY_JSON = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
const bytes = (s: string) => new TextEncoder().encode(s);

describe('Digest', () => {
  it('parses sha256 and sha512', () => {
    const d = Digest.parse(EMPTY_JSON);
    expect(d.algorithm).toBe('sha256');
    expect(d.encoded).toBe(EMPTY_JSON.slice(7));
    expect(d.toString()).toBe(EMPTY_JSON);
    expect(JSON.stringify({ d })).toBe(`{"d":"${EMPTY_JSON}"}`);
    const long = `sha512:${'ab'.repeat(64)}`;
    expect(Digest.parse(long).algorithm).toBe('sha512');
    expect(Digest.tryParse(long)?.toString()).toBe(long);
  });

  it.each([
    ['', 'digest is empty'],
    ['sha256', "has no ':'"],
    [
      `md5:${'a'.repeat(32)}`,
      'unsupported digest algorithm "md5"; supported are sha256 and sha512',
    ],
    [`sha384:${'a'.repeat(96)}`, 'unsupported digest algorithm "sha384"'],
    [`SHA256:${'a'.repeat(64)}`, 'invalid digest algorithm "SHA256"'],
    [`sha256:${'A'.repeat(64)}`, "invalid character 'A' at index 7"],
    [`sha256:${'a'.repeat(63)}g`, "invalid character 'g' at index 70"],
    [`sha256:${'a'.repeat(63)}`, 'sha256 digest must have 64 hex characters, got 63'],
    [`sha256:${'a'.repeat(65)}`, 'got 65'],
    [`sha512:${'a'.repeat(64)}`, 'sha512 digest must have 128 hex characters, got 64'],
    [`sha256: ${'a'.repeat(64)}`, 'invalid character " "'],
  ])('rejects %j', (text, fragment) => {
    expect(() => Digest.parse(text)).toThrow(InvalidDigestError);
    expect(() => Digest.parse(text)).toThrow(fragment);
    expect(Digest.tryParse(text)).toBeUndefined();
    try {
      Digest.parse(text);
    } catch (err) {
      expect((err as InvalidDigestError).code).toBe('INVALID_DIGEST');
      expect((err as InvalidDigestError).input).toBe(text);
    }
  });

  it('computes digests of bytes', () => {
    expect(Digest.fromBytes(bytes('{}')).toString()).toBe(EMPTY_JSON);
    const sha512 = createHash('sha512').update('{}').digest('hex');
    expect(Digest.fromBytes(bytes('{}'), 'sha512').toString()).toBe(`sha512:${sha512}`);
    expect(Digest.of('sha256', EMPTY_JSON.slice(7)).toString()).toBe(EMPTY_JSON);
  });

  it('compares digests and strings', () => {
    const d = Digest.parse(EMPTY_JSON);
    expect(d.equals(EMPTY_JSON)).toBe(true);
    expect(d.equals(Digest.fromBytes(bytes('{}')))).toBe(true);
    expect(d.equals(Digest.fromBytes(bytes('[]')))).toBe(false);
    expect(d.equals(Digest.fromBytes(bytes('{}'), 'sha512'))).toBe(false);
    expect(d.equals('not a digest')).toBe(false);
    expect(digestEquals(EMPTY_JSON, d)).toBe(true);
    expect(digestEquals(d, EMPTY_JSON)).toBe(true);
    expect(digestEquals('garbage', d)).toBe(false);
    expect(digestEquals(d, 'garbage')).toBe(false);
    expect(digestEquals(EMPTY_JSON, Digest.fromBytes(bytes('x')).toString())).toBe(false);
  });
});

describe('createHasher', () => {
  it('hashes incrementally and counts bytes', () => {
    const h = createHasher();
    expect(h.algorithm).toBe('sha256');
    h.update(bytes('{'));
    h.update(bytes('}'));
    expect(h.bytes).toBe(2);
    expect(h.digest().toString()).toBe(EMPTY_JSON);
    expect(h.digest().toString()).toBe(EMPTY_JSON);
    expect(() => {
      h.update(bytes('x'));
    }).toThrow(ValidationError);
  });

  it('supports sha512', () => {
    const h = createHasher('sha512');
    h.update(bytes('{}'));
    expect(h.digest().equals(Digest.fromBytes(bytes('{}'), 'sha512'))).toBe(true);
  });
});
