import {
  AbortedError,
  CircuitOpenError,
  ERROR_CODES,
  NetworkError,
  NotFoundError,
  TimeoutError,
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

  it('names the cause: the system error behind a network failure, the failure behind an open breaker', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), { code: 'ECONNREFUSED' });
    const network = new NetworkError('GET http://127.0.0.1:5000/v2/: ECONNREFUSED', { cause: refused, causeCode: 'ECONNREFUSED' });
    expect(describeFailure(network)).toBe(
      'NETWORK: GET http://127.0.0.1:5000/v2/: ECONNREFUSED (cause: connect ECONNREFUSED 127.0.0.1:5000)',
    );
    const open = new CircuitOpenError('127.0.0.1:5000', new Date(0), { cause: network });
    expect(describeFailure(open)).toBe(
      'CIRCUIT_OPEN: circuit open for 127.0.0.1:5000 until 1970-01-01T00:00:00.000Z; last failure: GET http://127.0.0.1:5000/v2/: ECONNREFUSED (cause: connect ECONNREFUSED 127.0.0.1:5000)',
    );
    const timedOut = new AbortedError('GET x', new TimeoutError('total', 5000, { what: 'GET x' }));
    expect(describeFailure(timedOut)).toBe(
      'ABORTED: GET x: aborted (cause: TIMEOUT: GET x: total timeout after 5000 ms (the whole operation, retries included))',
    );
    const wrapped = new Error('undici socket', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND nope.invalid'), { code: 'ENOTFOUND' }) });
    expect(describeFailure(new NetworkError('GET https://nope.invalid/v2/: ENOTFOUND', { cause: wrapped }))).toBe(
      'NETWORK: GET https://nope.invalid/v2/: ENOTFOUND (cause: getaddrinfo ENOTFOUND nope.invalid)',
    );
    expect(describeFailure(new Error('plain', { cause: new Error('not printed') }))).toBe('ERROR: plain');
  });
});
