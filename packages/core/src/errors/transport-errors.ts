import { DockerHubError } from './docker-hub-error.js';

/** The connection failed or was reset (code `NETWORK`); retryable. @public */
export class NetworkError extends DockerHubError {
  /** The underlying library's code, e.g. `UND_ERR_SOCKET` or `ECONNRESET`. */
  readonly causeCode: string | undefined;

  /**
   * @param message - what failed, e.g. `GET registry.example.com/v2/: connection reset`
   * @param options - cause and its code
   */
  constructor(message: string, options: { cause?: unknown; causeCode?: string } = {}) {
    super('NETWORK', message, { cause: options.cause, retryable: true });
    this.causeCode = options.causeCode;
  }
}

/** Which timeout expired. @public */
export type TimeoutPhase = 'connect' | 'headers' | 'body' | 'total';

// Names the limit that fired, so a message says which setting to change.
const TIMEOUT_LABELS: Readonly<Record<TimeoutPhase, readonly [string, string]>> = {
  connect: ['connect timeout', ''],
  headers: ['headers timeout', ' (no response headers)'],
  body: ['body idle timeout', ' (no data)'],
  total: ['total timeout', ' (the whole operation, retries included)'],
};

/** A timeout expired (code `TIMEOUT`); retryable. @public */
export class TimeoutError extends DockerHubError {
  /** Which timeout expired. */
  readonly phase: TimeoutPhase;
  /** The timeout in milliseconds. */
  readonly timeoutMs: number;

  /**
   * @param phase - which timeout
   * @param timeoutMs - its length
   * @param options - what was being done, and the cause
   */
  constructor(
    phase: TimeoutPhase,
    timeoutMs: number,
    options: { what?: string; cause?: unknown } = {},
  ) {
    const what = options.what === undefined ? '' : `${options.what}: `;
    const [label, detail] = TIMEOUT_LABELS[phase];
    super('TIMEOUT', `${what}${label} after ${timeoutMs} ms${detail}`, {
      cause: options.cause,
      retryable: true,
    });
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

/** The caller aborted through its `AbortSignal` (code `ABORTED`); cause is `signal.reason`. @public */
export class AbortedError extends DockerHubError {
  /**
   * @param what - what was aborted
   * @param reason - `signal.reason`
   */
  constructor(what: string, reason?: unknown) {
    super('ABORTED', `${what}: aborted`, { cause: reason });
  }
}

/** The circuit breaker for a host is open (code `CIRCUIT_OPEN`). @public */
export class CircuitOpenError extends DockerHubError {
  /** The host whose breaker is open. */
  readonly host: string;
  /** When the breaker will let a trial call through. */
  readonly halfOpenAt: Date;

  /**
   * @param host - the host
   * @param halfOpenAt - when it half-opens
   * @param options - the failure that opened the breaker (kept as `cause`, named in the message)
   */
  constructor(host: string, halfOpenAt: Date, options: { cause?: unknown } = {}) {
    const last = options.cause instanceof Error ? `; last failure: ${options.cause.message}` : '';
    super('CIRCUIT_OPEN', `circuit open for ${host} until ${halfOpenAt.toISOString()}${last}`, {
      cause: options.cause,
      retryable: true,
    });
    this.host = host;
    this.halfOpenAt = halfOpenAt;
  }
}

/** A plain HTTP connection or HTTPS-to-HTTP redirect was refused (code `INSECURE_TRANSPORT`). @public */
export class InsecureTransportError extends DockerHubError {
  /**
   * @param url - the refused URL (without credentials or query)
   * @param hint - how to allow it
   */
  constructor(url: string, hint: string) {
    super('INSECURE_TRANSPORT', `refusing insecure connection to ${url}: ${hint}`);
  }
}

/** A redirect was refused: too many hops or a downgrade (code `REDIRECT_INVALID`). @public */
export class RedirectError extends DockerHubError {
  /** @param message - why it was refused */
  constructor(message: string) {
    super('REDIRECT_INVALID', message);
  }
}
