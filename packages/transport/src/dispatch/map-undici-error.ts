import {
  AbortedError,
  NetworkError,
  TimeoutError,
  isDockerHubError,
  type DockerHubError,
} from '@llmdevops/docker-hub-core';
import { describeTlsFailure, type TlsAdvice } from './tls-diagnosis.js';

/** Timeouts the terminal configured, so a timeout error can say how long it was. @internal */
export interface TimeoutSettings {
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (err as { cause?: unknown }).cause;
  return cause === err ? undefined : errorCode(cause);
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/**
 * Turns whatever undici (or a body stream) threw into a toolkit error: connect, headers and body
 * timeouts into `TimeoutError`, aborts into `AbortedError` (cause: `signal.reason`), everything
 * else into `NetworkError` with the library's code in `causeCode` (`UND_ERR_SOCKET`, `ECONNRESET`, ...).
 * Toolkit errors pass through unchanged.
 * @param err - the thrown value
 * @param what - what was being done, e.g. `GET registry.example.com/v2/`
 * @param context - timeouts, the caller's signal, and where the host's certificates go
 * @returns the mapped error
 * @internal
 */
export function mapUndiciError(
  err: unknown,
  what: string,
  context: { readonly timeouts: TimeoutSettings; readonly signal?: AbortSignal | undefined; readonly tls?: TlsAdvice | undefined },
): DockerHubError {
  if (isDockerHubError(err)) return err;
  if (context.signal?.aborted === true) return new AbortedError(what, context.signal.reason);
  const code = errorCode(err);
  const { timeouts } = context;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new TimeoutError('connect', timeouts.connectTimeoutMs, { what, cause: err });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new TimeoutError('headers', timeouts.headersTimeoutMs, { what, cause: err });
    case 'UND_ERR_BODY_TIMEOUT':
      return new TimeoutError('body', timeouts.bodyTimeoutMs, { what, cause: err });
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return new AbortedError(what, err);
    case undefined:
    default:
      break;
  }
  if (errorName(err) === 'AbortError') return new AbortedError(what, err);
  const detail = describeTlsFailure(code, context.tls) ?? code ?? (err instanceof Error ? err.message.slice(0, 200) : 'unknown error');
  return new NetworkError(`${what}: ${detail}`, code === undefined ? { cause: err } : { cause: err, causeCode: code });
}
