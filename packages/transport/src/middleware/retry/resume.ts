import { Readable } from 'node:stream';
import { createResponse, registerBodyCounter } from '../../dispatch/response.js';
import { safeUrl } from '../../internal/host.js';
import type { Next, TransportRequest, TransportResponse } from '../../pipeline/types.js';
import { RetryBudget, type RetryDecision } from './decide.js';

/** What a resuming body needs from the retry stage: its next stage and its policy. @internal */
export interface ResumeDeps {
  /** Sends the continuation request through the rest of the pipeline. */
  readonly send: Next;
  /** The retry decision for a failure, given the failure count since the last progress. */
  readonly decide: (err: unknown, attempt: number) => RetryDecision;
  /** Waits before a resume (the clock, aborted by the request's signal). */
  readonly wait: (ms: number) => Promise<void>;
  /** Reports a resume as a `retry` event. */
  readonly onRetry: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /** Failed attempts of the same request before its answer arrived: they count until bytes move. */
  readonly spent?: number;
}

/** Whether a `Content-Range` answer continues exactly at `offset` (`bytes offset-…/…`). */
function continuesAt(value: string | undefined, offset: number): boolean {
  const m = /^bytes\s+(\d+)-\d+\/(?:\d+|\*)$/i.exec(value?.trim() ?? '');
  return m?.[1] !== undefined && Number(m[1]) === offset;
}

type Reopen = (offset: number, cause: unknown) => Promise<Readable | undefined>;

/** A body that swaps in a continuation when its source breaks; destroying it destroys the source. */
class ResumingBody extends Readable {
  #source: Readable;
  #offset = 0;
  readonly #reopen: Reopen;

  constructor(source: Readable, reopen: Reopen) {
    super();
    this.#reopen = reopen;
    this.#source = source;
    this.#attach(source);
    // Readers still get errors (for-await, pipeline); an unread body must not crash the process.
    this.on('error', () => undefined);
  }

  /** Bytes handed on so far. */
  get offset(): number {
    return this.#offset;
  }

  override _read(): void {
    this.#source.resume();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.#source.destroy();
    cb(err);
  }

  #attach(source: Readable): void {
    source.on('data', (chunk: Buffer) => {
      if (source !== this.#source) return;
      this.#offset += chunk.length;
      if (!this.push(chunk)) source.pause();
    });
    source.on('end', () => {
      if (source === this.#source) this.push(null);
    });
    source.on('error', (err: unknown) => {
      if (source === this.#source && !this.destroyed) void this.#recover(err);
    });
  }

  async #recover(cause: unknown): Promise<void> {
    let next: Readable | undefined;
    try {
      next = await this.#reopen(this.#offset, cause);
    } catch (err) {
      this.destroy(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (next === undefined) {
      this.destroy(cause instanceof Error ? cause : new Error(String(cause)));
      return;
    }
    if (this.destroyed) {
      next.destroy();
      return;
    }
    this.#source = next;
    this.#attach(next);
  }
}

/**
 * Gives a GET's 200 answer a body that, if the connection breaks or goes idle in the middle, is
 * continued with `Range: bytes=<received>-` (plus `If-Range` when the first answer had a strong
 * ETag) instead of failing or starting again from zero. Whether and when to resume is the retry
 * policy's decision, with failures after progress not counted against `maxRetries`. A resume is
 * accepted only as a `206` starting exactly at the received offset; anything else fails with the
 * original error. Content should still be verified (e.g. by digest).
 * @param req - the GET
 * @param first - its 200 answer
 * @param deps - the next stage and the policy
 * @returns the answer with a self-healing body
 * @internal
 */
export function resumeBody(req: TransportRequest, first: TransportResponse, deps: ResumeDeps): TransportResponse {
  const etag = first.header('etag');
  const ifRange = etag !== undefined && !etag.startsWith('W/') ? { 'if-range': etag } : {};
  const onResume = typeof req.context?.onResume === 'function' ? (req.context.onResume) : undefined;
  let resumes = 0;
  const body: ResumingBody = new ResumingBody(first.body, async (offset, cause) => {
    // A continuation that fails before it answers is one more failure under the same policy.
    let failure = cause;
    for (;;) {
      if (req.signal?.aborted === true) return undefined;
      const attempt = budget.fail();
      const decision = deps.decide(failure, attempt);
      if (!decision.retry) throw failure;
      deps.onRetry({ attempt, delayMs: decision.delayMs, reason: decision.reason });
      await deps.wait(decision.delayMs);
      resumes += 1;
      onResume?.({ offset, resume: resumes });
      let next: TransportResponse;
      try {
        next = await deps.send({ ...req, headers: { ...req.headers, range: `bytes=${offset}-`, ...ifRange } });
      } catch (err) {
        failure = err;
        continue;
      }
      if (next.status === 206 && continuesAt(next.header('content-range'), offset)) return next.body;
      await next.dump();
      return undefined;
    }
  });
  const budget = new RetryBudget(() => body.offset, deps.spent ?? 0);
  // The bytes handed on, across every continuation, are the request's bytes (`requestEnd`).
  registerBodyCounter(body, {
    get n() {
      return body.offset;
    },
  });
  return createResponse({
    status: first.status,
    headers: first.headers,
    url: first.url,
    body,
    what: `${req.method} ${safeUrl(req.url)} response body`,
  });
}
