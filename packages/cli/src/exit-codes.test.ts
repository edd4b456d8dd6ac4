import {
  ERROR_CODES,
  NotFoundError,
  ConfigError,
  DigestMismatchError,
} from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import {
  EXIT,
  EXIT_CODE_BY_ERROR_CODE,
  UsageError,
  describeFailure,
  exitCodeFor,
} from './exit-codes.js';

describe('exit codes', () => {
  it('maps every error code of core, and nothing else', () => {
    expect(Object.keys(EXIT_CODE_BY_ERROR_CODE).sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const code of Object.values(EXIT_CODE_BY_ERROR_CODE))
      expect([EXIT.FAILED, EXIT.USAGE]).toContain(code);
  });

  it('gives 2 for usage errors, 1 for typed and untyped failures', () => {
    expect(exitCodeFor(new UsageError('bad', 'dhub x'))).toBe(2);
    expect(exitCodeFor(new NotFoundError('nope', { status: 404 }))).toBe(1);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
    expect(exitCodeFor('string')).toBe(1);
  });

  it('describes a failure on one line as CODE: message', () => {
    expect(describeFailure(new NotFoundError('manifest gone', { status: 404 }))).toBe(
      'NOT_FOUND: manifest gone',
    );
    expect(
      describeFailure(
        new ConfigError([
          { path: 'a', message: 'x' },
          { path: 'b', message: 'y' },
        ]),
      ),
    ).toMatch(/^CONFIG_INVALID: /);
    expect(describeFailure(new DigestMismatchError('sha256:aa', 'sha256:bb', 'blob'))).toMatch(
      /^DIGEST_MISMATCH: /,
    );
    const system = Object.assign(new Error('open /x: no such file'), { code: 'ENOENT' });
    expect(describeFailure(system)).toBe('ENOENT: open /x: no such file');
    expect(describeFailure(new Error('two\nlines'))).toBe('ERROR: two lines');
    expect(describeFailure(42)).toBe('ERROR: 42');
  });
});
