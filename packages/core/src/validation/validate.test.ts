import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-errors.js';
import {
  isValidNamespace,
  isValidRepositoryName,
  isValidTag,
  validateNamespace,
  validateRepositoryName,
  validateTag,
} from './validate.js';

function errorOf(fn: () => void): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('validateTag', () => {
  it.each(['latest', '3.19', 'v1.0.0-rc.1', '_x', 'A', 'Z_9.-', 't'.repeat(128)])(
    'accepts %s',
    (tag) => {
      expect(() => {
        validateTag(tag);
      }).not.toThrow();
      expect(isValidTag(tag)).toBe(true);
    },
  );

  it.each([
    ['', 'tag is empty'],
    ['-x', "must start with a letter, digit or '_', not '-'"],
    ['.x', "not '.'"],
    ['a:b', "invalid character ':' at index 1"],
    ['a/b', "invalid character '/' at index 1"],
    ['a b', 'invalid character " " at index 1'],
    ['t'.repeat(129), '129 characters long; the maximum is 128'],
  ])('rejects %j', (tag, fragment) => {
    const err = errorOf(() => {
      validateTag(tag);
    });
    expect(err.code).toBe('INVALID_TAG');
    expect(err.input).toBe(tag);
    expect(err.message).toContain(fragment);
    expect(isValidTag(tag)).toBe(false);
  });
});

describe('validateRepositoryName', () => {
  it.each([
    'library/alpine',
    'a',
    'my-app',
    'my--app',
    'a__b',
    'a.b_c/d-e',
    'x/'.repeat(127) + 'x',
  ])('accepts %s', (name) => {
    expect(() => {
      validateRepositoryName(name);
    }).not.toThrow();
    expect(isValidRepositoryName(name)).toBe(true);
  });

  it.each([
    ['', 'repository name is empty'],
    ['Library/alpine', "must be lowercase (upper-case 'L' at index 0)"],
    ['a//b', 'empty path component at index 2'],
    ['a/', 'empty path component at index 2'],
    ['-a', 'must start with a lowercase letter or digit'],
    ['a-', 'must end with a lowercase letter or digit'],
    ['a..b', 'invalid separator ".." at index 1'],
    ['a___b', 'invalid separator "___"'],
    ['a:b', "invalid character ':' at index 1"],
    ['a'.repeat(256), 'maximum is 255'],
  ])('rejects %j', (name, fragment) => {
    const err = errorOf(() => {
      validateRepositoryName(name);
    });
    expect(err.code).toBe('INVALID_NAME');
    expect(err.message).toContain(fragment);
    expect(isValidRepositoryName(name)).toBe(false);
  });
});

describe('validateNamespace', () => {
  it.each(['library', 'myuser', 'abcd', 'a1b2c3', 'x'.repeat(30)])('accepts %s', (ns) => {
    expect(() => {
      validateNamespace(ns);
    }).not.toThrow();
    expect(isValidNamespace(ns)).toBe(true);
  });

  it.each([
    ['', 'namespace is empty'],
    ['abc', '3 characters long; Docker Hub namespaces have 4 to 30 characters'],
    ['x'.repeat(31), '31 characters long'],
    ['MyUser', "must be lowercase; found 'M' at index 0"],
    ['my-user', "invalid character '-' at index 2"],
    ['my_user', "invalid character '_'"],
    ['my.user', "invalid character '.'"],
  ])('rejects %j', (ns, fragment) => {
    const err = errorOf(() => {
      validateNamespace(ns);
    });
    expect(err.code).toBe('INVALID_NAMESPACE');
    expect(err.message).toContain(fragment);
    expect(isValidNamespace(ns)).toBe(false);
  });
});
