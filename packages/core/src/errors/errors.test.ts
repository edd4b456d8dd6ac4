import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  AuthenticationError,
  AuthorizationError,
  CassetteInvalidError,
  CassetteMissError,
  CircuitOpenError,
  ConfigError,
  DigestMismatchError,
  DockerHubError,
  ERROR_CODES,
  InsecureTransportError,
  InvalidDigestError,
  InvalidReferenceError,
  ManifestInvalidError,
  NetworkError,
  NotFoundError,
  PayloadTooLargeError,
  PlatformNotFoundError,
  RateLimitError,
  RedirectError,
  RegistryError,
  REGISTRY_CODES,
  ServerError,
  SizeMismatchError,
  TimeoutError,
  UnsupportedError,
  ValidationError,
  WebhookError,
  isDockerHubError,
  isDockerHubErrorCode,
} from './index.js';

const JSON_KEYS = ['code', 'message', 'name', 'retryable', 'status'];

describe('error classes', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const cases: [DockerHubError, string, string, number | undefined, boolean][] = [
    [
      new ValidationError('INVALID_TAG', 'bad tag', '-x'),
      'ValidationError',
      'INVALID_TAG',
      undefined,
      false,
    ],
    [
      new InvalidReferenceError('bad ref', 'A'),
      'InvalidReferenceError',
      'INVALID_REFERENCE',
      undefined,
      false,
    ],
    [
      new InvalidDigestError('bad digest', 'x'),
      'InvalidDigestError',
      'INVALID_DIGEST',
      undefined,
      false,
    ],
    [
      new ManifestInvalidError('bad', { path: 'layers.0' }),
      'ManifestInvalidError',
      'MANIFEST_INVALID',
      undefined,
      false,
    ],
    [
      new PayloadTooLargeError('manifest', 4),
      'PayloadTooLargeError',
      'PAYLOAD_TOO_LARGE',
      413,
      false,
    ],
    [
      new ConfigError([{ path: '', message: 'x' }]),
      'ConfigError',
      'CONFIG_INVALID',
      undefined,
      false,
    ],
    [
      new PlatformNotFoundError('linux/s390x', []),
      'PlatformNotFoundError',
      'PLATFORM_NOT_FOUND',
      undefined,
      false,
    ],
    [new DigestMismatchError('a', 'b'), 'DigestMismatchError', 'DIGEST_MISMATCH', undefined, true],
    [new SizeMismatchError(1, 2), 'SizeMismatchError', 'SIZE_MISMATCH', undefined, true],
    [new RegistryError('boom'), 'RegistryError', 'REGISTRY_ERROR', undefined, false],
    [new AuthenticationError('who'), 'AuthenticationError', 'UNAUTHORIZED', 401, false],
    [
      new AuthenticationError('2fa', {}, 'TWO_FACTOR_REQUIRED'),
      'AuthenticationError',
      'TWO_FACTOR_REQUIRED',
      401,
      false,
    ],
    [new AuthorizationError('no'), 'AuthorizationError', 'DENIED', 403, false],
    [new NotFoundError('gone'), 'NotFoundError', 'NOT_FOUND', 404, false],
    [new ServerError('5xx', { status: 503 }), 'ServerError', 'SERVER_ERROR', 503, true],
    [new UnsupportedError('nope'), 'UnsupportedError', 'UNSUPPORTED', 405, false],
    [
      new RateLimitError('slow down', { resetAt: at, limit: 100, remaining: 0 }),
      'RateLimitError',
      'TOOMANYREQUESTS',
      429,
      true,
    ],
    [
      new NetworkError('reset', { causeCode: 'ECONNRESET' }),
      'NetworkError',
      'NETWORK',
      undefined,
      true,
    ],
    [
      new TimeoutError('headers', 5, { what: 'GET /v2/' }),
      'TimeoutError',
      'TIMEOUT',
      undefined,
      true,
    ],
    [new AbortedError('pull'), 'AbortedError', 'ABORTED', undefined, false],
    [
      new CircuitOpenError('registry.example', at),
      'CircuitOpenError',
      'CIRCUIT_OPEN',
      undefined,
      true,
    ],
    [
      new InsecureTransportError('http://x', 'use https'),
      'InsecureTransportError',
      'INSECURE_TRANSPORT',
      undefined,
      false,
    ],
    [new RedirectError('too many'), 'RedirectError', 'REDIRECT_INVALID', undefined, false],
    [
      new WebhookError('WEBHOOK_INVALID', 'bad', { status: 400 }),
      'WebhookError',
      'WEBHOOK_INVALID',
      400,
      false,
    ],
    [new CassetteMissError('GET /v2/'), 'CassetteMissError', 'CASSETTE_MISS', undefined, false],
    [
      new CassetteInvalidError('bad cassette', { cause: new Error('x') }),
      'CassetteInvalidError',
      'CASSETTE_INVALID',
      undefined,
      false,
    ],
  ];

  it.each(cases)(
    '%s has its name, stable code, status and retryability',
    (err, name, code, status, retryable) => {
      expect(err).toBeInstanceOf(Error);
      expect(err).toBeInstanceOf(DockerHubError);
      expect(isDockerHubError(err)).toBe(true);
      expect(err.name).toBe(name);
      expect(err.code).toBe(code);
      expect(isDockerHubErrorCode(err.code)).toBe(true);
      expect(ERROR_CODES[err.code]).toEqual(expect.any(String));
      expect(err.status).toBe(status);
      expect(err.retryable).toBe(retryable);
      const json = err.toJSON();
      expect(Object.keys(json).sort()).toEqual(JSON_KEYS);
      expect(Object.keys(JSON.parse(JSON.stringify(err)) as object).sort()).toEqual(
        JSON_KEYS.filter((k) => k !== 'status' || status !== undefined),
      );
      expect(json).toEqual({ name, code, message: err.message, status, retryable });
    },
  );

  it('keeps the cause without serializing it', () => {
    const cause = new Error('socket hang up; password=hunter2');
    const err = new NetworkError('connection reset', { cause });
    expect(err.cause).toBe(cause);
    expect(JSON.stringify(err)).not.toContain('hunter2');
    expect(new DockerHubError('NETWORK', 'x').cause).toBeUndefined();
  });

  it('subclass fields carry their data', () => {
    const rate = new RateLimitError('slow down', {
      resetAt: new Date(10_000),
      limit: 100,
      remaining: 0,
    });
    expect(rate.message).toContain('resets at 1970-01-01T00:00:10.000Z');
    expect(rate.retryAfterMs(4_000)).toBe(6_000);
    expect(rate.retryAfterMs(20_000)).toBe(0);
    expect(new RateLimitError('x').retryAfterMs()).toBe(0);
    expect(rate.limit).toBe(100);
    expect(rate.remaining).toBe(0);
    const reg = new RegistryError('denied', {
      registryErrors: [{ code: 'DENIED', message: 'no' }],
      status: 403,
    });
    expect(reg.code).toBe('DENIED');
    expect(reg.registryCode).toBe('DENIED');
    expect(
      new RegistryError('odd', { registryErrors: [{ code: 'WEIRD', message: '?' }] }).code,
    ).toBe('REGISTRY_ERROR');
    expect(new RegistryError('none').registryCode).toBeUndefined();
    expect(
      new ConfigError([
        { path: '', message: 'required' },
        { path: 'a.b', message: 'bad' },
      ]).message,
    ).toBe('invalid configuration:\n  - (root): required\n  - a.b: bad');
    expect(new PlatformNotFoundError('linux/s390x', ['linux/amd64']).message).toContain(
      'available: linux/amd64',
    );
    expect(new PlatformNotFoundError('linux/s390x', []).message).toContain('available: none');
    expect(new ManifestInvalidError('x').path).toBeUndefined();
    expect(new PayloadTooLargeError('manifest', 4).limit).toBe(4);
    expect(new TimeoutError('body', 10).message).toBe('body idle timeout after 10 ms (no data)');
    expect(new TimeoutError('total', 10, { what: 'GET x' }).message).toBe('GET x: total timeout after 10 ms (the whole operation, retries included)');
    const refused = new NetworkError('GET x: ECONNREFUSED', { causeCode: 'ECONNREFUSED' });
    const open = new CircuitOpenError('x', new Date(0), { cause: refused });
    expect(open.cause).toBe(refused);
    expect(open.message).toBe('circuit open for x until 1970-01-01T00:00:00.000Z; last failure: GET x: ECONNREFUSED');
    expect(new CassetteMissError('GET /x', 'GET /y').closest).toBe('GET /y');
    expect(new NetworkError('x').causeCode).toBeUndefined();
    expect(REGISTRY_CODES.has('MANIFEST_UNKNOWN')).toBe(true);
    expect(isDockerHubErrorCode('NOPE')).toBe(false);
  });

  it('instanceof distinguishes subclasses', () => {
    const err = new NotFoundError('gone');
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).not.toBeInstanceOf(AuthorizationError);
    expect(new InvalidReferenceError('x', 'y')).toBeInstanceOf(ValidationError);
    expect(new Error('plain')).not.toBeInstanceOf(DockerHubError);
    expect('string' as unknown).not.toBeInstanceOf(DockerHubError);
    expect(null as unknown).not.toBeInstanceOf(DockerHubError);
    expect(isDockerHubError(new Error('plain'))).toBe(false);
    expect(isDockerHubError(null)).toBe(false);
    expect(isDockerHubError('x')).toBe(false);
  });
});

describe('instanceof across copies of the package (brand)', () => {
  const brand = Symbol.for('@llmdevops/docker-hub.error');

  // A second copy of the package: classes with the same names and the same Symbol.for brand.
  function secondCopy() {
    const copy = {
      DockerHubError: class DockerHubError extends Error {
        get [brand](): true {
          return true;
        }
      },
    };
    const RateLimitError = class RateLimitError extends copy.DockerHubError {};
    return { ...copy, RateLimitError };
  }

  it('recognises errors from another copy by brand and class name', () => {
    const other = secondCopy();
    const foreign = new other.RateLimitError('from the other copy');
    expect(foreign).toBeInstanceOf(DockerHubError);
    expect(foreign).toBeInstanceOf(RateLimitError);
    expect(foreign).not.toBeInstanceOf(NotFoundError);
    expect(isDockerHubError(foreign)).toBe(true);
  });

  it('does not recognise look-alikes without the brand', () => {
    class DockerHubErrorLookalike extends Error {}
    Object.defineProperty(DockerHubErrorLookalike, 'name', { value: 'DockerHubError' });
    const fake = new DockerHubErrorLookalike('no brand');
    expect(fake).not.toBeInstanceOf(DockerHubError);
    expect(isDockerHubError(fake)).toBe(false);
  });
});
