import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { NetworkError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { createResponse } from '../../dispatch/response.js';
import type { RequestContext, TransportRequest, TransportResponse } from '../../pipeline/types.js';
import type { RetryDecision } from './decide.js';
import { resumeBody, type ResumeDeps } from './resume.js';

const url = new URL('https://registry.test/v2/library/app/blobs/sha256:1');

function answer(status: number, headers: Record<string, string>, body: Readable): TransportResponse {
  return createResponse({ status, headers, url, body, what: 'test body' });
}

/** A first body that sends `abc` and then breaks with `cause` once `breakIt` is called. */
function breaking(): { source: Readable; breakIt: (cause: Error) => void } {
  const source = new Readable({ read() { /* the test pushes */ } });
  source.push(Buffer.from('abc'));
  return {
    source,
    breakIt: (cause) => {
      setTimeout(() => source.destroy(cause), 0);
    },
  };
}

function deps(
  answers: (TransportResponse | Error)[],
  options: { decide?: (err: unknown, attempt: number) => RetryDecision; wait?: (ms: number) => Promise<void> } = {},
): ResumeDeps & { sent: TransportRequest[]; retries: unknown[] } {
  const sent: TransportRequest[] = [];
  const retries: unknown[] = [];
  return {
    sent,
    retries,
    send: async (req) => {
      sent.push(req);
      const a = answers.shift();
      if (a === undefined) throw new Error('no more answers');
      if (a instanceof Error) throw a;
      return a;
    },
    decide: options.decide ?? (() => ({ retry: true, delayMs: 5, reason: 'NETWORK' })),
    wait: options.wait ?? (async () => Promise.resolve()),
    onRetry: (info) => retries.push(info),
  };
}

const get = (extra: Partial<TransportRequest> = {}): TransportRequest => ({ method: 'GET', url, headers: {}, ...extra });
const cut = (): NetworkError => new NetworkError('GET: ECONNRESET', { causeCode: 'ECONNRESET' });
const rest = (range: string): TransportResponse => answer(206, { 'content-range': range }, Readable.from([Buffer.from('def')]));

describe('resumeBody', () => {
  it('continues with Range and a strong ETag as If-Range, reporting each resume and its retry', async () => {
    const first = breaking();
    const resumed: unknown[] = [];
    const d = deps([cut(), rest('bytes 3-5/6')]);
    const res = resumeBody(get({ context: { onResume: (info: unknown) => resumed.push(info) } }), answer(200, { etag: '"v1"' }, first.source), d);
    first.breakIt(cut());
    expect(await res.text()).toBe('abcdef');
    expect(d.sent.map((r) => r.headers)).toEqual([
      { range: 'bytes=3-', 'if-range': '"v1"' },
      { range: 'bytes=3-', 'if-range': '"v1"' },
    ]);
    expect(resumed).toEqual([{ offset: 3, resume: 1 }, { offset: 3, resume: 2 }]);
    expect(d.retries).toEqual([
      { attempt: 1, delayMs: 5, reason: 'NETWORK' },
      { attempt: 2, delayMs: 5, reason: 'NETWORK' },
    ]);
  });

  it('sends no If-Range for a weak or missing ETag, and ignores an onResume that is not a function', async () => {
    for (const headers of [{ etag: 'W/"v1"' }, {}]) {
      const first = breaking();
      const d = deps([rest('bytes 3-5/6')]);
      // A JavaScript caller can put anything in the context.
      const req = get({ context: { onResume: 'not a function' } as unknown as RequestContext });
      const res = resumeBody(req, answer(200, headers, first.source), d);
      first.breakIt(cut());
      expect(await res.text()).toBe('abcdef');
      expect(d.sent[0]?.headers).toEqual({ range: 'bytes=3-' });
    }
  });

  it('resumes a request without context', async () => {
    const first = breaking();
    const d = deps([rest('bytes 3-5/6')]);
    const res = resumeBody(get(), answer(200, {}, first.source), d);
    first.breakIt(cut());
    expect(await res.text()).toBe('abcdef');
  });

  it('accepts a Content-Range with extra blanks, in any case', async () => {
    for (const range of ['  bytes  3-5/6 ', 'BYTES 3-5/*']) {
      const first = breaking();
      const res = resumeBody(get(), answer(200, {}, first.source), deps([rest(range)]));
      first.breakIt(cut());
      expect(await res.text(), range).toBe('abcdef');
    }
  });

  it('fails with the original error for a continuation that does not start exactly at the offset, and discards it', async () => {
    const ranges = ['bytes 0-5/6', 'x bytes 3-5/6', 'bytes 3-5/6x', 'bytes 3-5', undefined];
    for (const range of ranges) {
      const first = breaking();
      const cause = cut();
      const body = Readable.from([Buffer.from('def')]);
      const res = resumeBody(get(), answer(200, {}, first.source), deps([answer(206, range === undefined ? {} : { 'content-range': range }, body)]));
      first.breakIt(cause);
      await expect(res.text(), String(range)).rejects.toBe(cause);
      expect(body.readableEnded || body.destroyed, String(range)).toBe(true);
    }
  });

  it('fails with the original error for a 200 answer to the Range request, even with a fitting Content-Range', async () => {
    const first = breaking();
    const cause = cut();
    const res = resumeBody(get(), answer(200, {}, first.source), deps([answer(200, { 'content-range': 'bytes 3-5/6' }, Readable.from([Buffer.from('abcdef')]))]));
    first.breakIt(cause);
    await expect(res.text()).rejects.toBe(cause);
  });

  it('fails with the error itself when the policy stops, without sending', async () => {
    const first = breaking();
    const cause = cut();
    const d = deps([], { decide: () => ({ retry: false }) });
    const res = resumeBody(get(), answer(200, {}, first.source), d);
    first.breakIt(cause);
    await expect(res.text()).rejects.toBe(cause);
    expect(d.sent).toEqual([]);
  });

  it('fails with the error itself, asking no policy, once the request was aborted', async () => {
    const first = breaking();
    const cause = cut();
    const controller = new AbortController();
    controller.abort();
    let asked = 0;
    const d = deps([], {
      decide: () => {
        asked++;
        return { retry: true, delayMs: 0, reason: 'NETWORK' };
      },
    });
    const res = resumeBody(get({ signal: controller.signal }), answer(200, {}, first.source), d);
    first.breakIt(cause);
    await expect(res.text()).rejects.toBe(cause);
    expect(asked).toBe(0);
  });

  it('destroys a continuation that arrives after the reader gave up', async () => {
    const first = breaking();
    let waited: () => void = () => undefined;
    // Open-ended, so only the resume can destroy it (an ended stream destroys itself).
    const later = new Readable({ read() { /* the test pushes */ } });
    later.push(Buffer.from('def'));
    const d = deps([answer(206, { 'content-range': 'bytes 3-5/6' }, later)], {
      wait: async () => new Promise<void>((resolve) => {
        waited = resolve;
      }),
    });
    const res = resumeBody(get(), answer(200, {}, first.source), d);
    res.body.on('data', () => undefined);
    first.breakIt(cut());
    while (d.retries.length === 0) await tick();
    res.body.destroy();
    waited();
    while (d.sent.length === 0) await tick();
    await tick();
    expect(later.destroyed).toBe(true);
  });

  it('pauses the source while nobody reads, so the body does not buffer everything', async () => {
    const chunk = Buffer.alloc(64 * 1024);
    const source = new Readable({ read() { /* the test pushes */ }, highWaterMark: 1024 * 1024 });
    for (let i = 0; i < 10; i++) source.push(chunk);
    const res = resumeBody(get(), answer(200, {}, source), deps([]));
    res.body.pause();
    await tick();
    await tick();
    expect(res.body.readableLength).toBeLessThanOrEqual(2 * chunk.length);
  });

  it('keeps an error listener on the body, so a body nobody reads cannot crash the process when it fails', () => {
    const res = resumeBody(get(), answer(200, {}, breaking().source), deps([]));
    expect(res.body.listenerCount('error')).toBeGreaterThan(0);
  });

  it('names the request in the size error of its body', async () => {
    const res = resumeBody(get(), answer(200, {}, Readable.from([Buffer.from('abcdef')])), deps([]));
    await expect(res.text(2)).rejects.toThrow(`GET ${url.href} response body`);
  });
});
