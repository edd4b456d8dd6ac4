import { describe, expect, it } from 'vitest';
import { Digest } from '../digest/digest.js';
import { isDockerHubError } from '../errors/docker-hub-error.js';
import { Platform } from '../platform/platform.js';
import { ImageReference } from '../reference/image-reference.js';
import {
  isValidNamespace,
  isValidRepositoryName,
  isValidTag,
  validateNamespace,
  validateRepositoryName,
  validateTag,
} from './validate.js';

// JavaScript callers (and JSON input) can pass anything; every parser must answer with a coded
// error instead of crashing with a TypeError.
const values: unknown[] = [undefined, null, 42, {}, ['alpine'], true];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(isDockerHubError(err)).toBe(true);
    return (err as { code: string }).code;
  }
  return undefined;
}

describe('non-string input', () => {
  it.each(values.filter((v) => typeof v !== 'string'))(
    'is refused with a coded error: %j',
    (value) => {
      const v = value as string;
      expect(codeOf(() => ImageReference.parse(v))).toBe('INVALID_REFERENCE');
      expect(ImageReference.tryParse(v)).toBeUndefined();
      expect(codeOf(() => Digest.parse(v))).toBe('INVALID_DIGEST');
      expect(Digest.tryParse(v)).toBeUndefined();
      expect(codeOf(() => Platform.parse(v))).toBe('INVALID_PLATFORM');
      expect(
        codeOf(() => {
          validateTag(v);
        }),
      ).toBe('INVALID_TAG');
      expect(
        codeOf(() => {
          validateRepositoryName(v);
        }),
      ).toBe('INVALID_NAME');
      expect(
        codeOf(() => {
          validateNamespace(v);
        }),
      ).toBe('INVALID_NAMESPACE');
      expect(isValidTag(v) || isValidRepositoryName(v) || isValidNamespace(v)).toBe(false);
    },
  );

  it('names the type it got', () => {
    expect(() => ImageReference.parse(undefined as unknown as string)).toThrow(
      'reference must be a string, not undefined',
    );
    expect(() => Digest.parse(null as unknown as string)).toThrow(
      'digest must be a string, not null',
    );
  });
});
