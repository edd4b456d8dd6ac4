import { PassThrough } from 'node:stream';
import { type TransportEventMap, type TransportEvents } from '@llmdevops/docker-hub-transport';
import { describe, expect, it, vi } from 'vitest';
import { ProgressModel, formatBytes, startProgress } from './progress.js';

const base = { method: 'GET', host: 'r', route: '/v2/{name}/blobs/{digest}' };
const end = {
  ...base,
  operation: 'blobs',
  durationMs: 1,
  attempts: 1,
  headers: {},
  status: 200,
  bytes: 0,
  errorCode: undefined,
};
const digest = (c: string): string => `sha256:${c.repeat(64)}`;

describe('progress', () => {
  it('formats bytes with binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
  });

  it('shows requests in flight, finished blobs, bytes, rate and retries', () => {
    let now = 1_000;
    const model = new ProgressModel('pull x', () => now);
    model.start({ ...base, requestId: 1, operation: 'blobs' });
    model.start({ ...base, requestId: 2, operation: 'blobs' });
    model.start({ ...base, requestId: 3, operation: 'tags' });
    model.start({ ...base, requestId: 4, operation: undefined });
    model.end({ ...end, requestId: 1 });
    model.blob({ digest: digest('a'), size: 2048, state: 'transferred' });
    model.blob({ digest: digest('b'), size: 4096, state: 'skipped' });
    model.retry();
    now = 3_000;
    expect(model.bytes).toBe(2048);
    expect(model.render()).toEqual([
      'pull x: 2 blobs done (1 already there), 1 requests active, 2.0 KiB at 1.0 KiB/s, 1 retries',
      '  #2 GET blob        in progress',
      '  sha256:aaaaaaaaaaaa  done     2.0 KiB',
      '  sha256:bbbbbbbbbbbb  skipped  4.0 KiB',
    ]);
    expect(model.render(1)).toHaveLength(2);
  });

  it('draws on the stream while running and erases itself when stopped', () => {
    vi.useFakeTimers();
    const listeners = new Map<string, (e: unknown) => void>();
    const events: TransportEvents = {
      on: (name, listener) => {
        listeners.set(name, listener as (e: unknown) => void);
        const dispose = (): void => void listeners.delete(name);
        return Object.assign(dispose, { [Symbol.dispose]: dispose });
      },
    };
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const handle = startProgress(events, out, 'push y');
    const start: TransportEventMap['requestStart'] = {
      ...base,
      method: 'PUT',
      requestId: 7,
      operation: 'blobs.uploads',
    };
    listeners.get('requestStart')?.(start);
    listeners.get('retry')?.({});
    vi.advanceTimersByTime(150);
    listeners.get('requestEnd')?.({ ...end, requestId: 7 });
    handle.onBlob({ digest: digest('c'), size: 10, state: 'transferred' });
    vi.advanceTimersByTime(100);
    handle.stop();
    vi.useRealTimers();
    expect(text).toContain('push y: 0 blobs done (0 already there), 1 requests active');
    expect(text).toContain('#7 PUT upload');
    expect(text).toContain('push y: 1 blobs done (0 already there), 0 requests active, 10 B');
    expect(text.endsWith('\x1b[J')).toBe(true);
    expect(listeners.size).toBe(0);
  });
});
