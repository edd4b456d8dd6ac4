import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { type TransportEventMap, type TransportEvents } from '@llmdevops/docker-hub-transport';
import { ProgressModel, formatBytes, startProgress } from './progress.js';

const base = { method: 'GET', host: 'r', route: '/v2/{name}/blobs/{digest}' };

describe('progress', () => {
  it('formats bytes with binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
  });

  it('tracks blob and manifest requests, bytes, rate and retries; ignores others', () => {
    let now = 1_000;
    const model = new ProgressModel('pull x', () => now);
    model.start({ ...base, requestId: 1, operation: 'blobs' });
    model.start({ ...base, requestId: 2, operation: 'blobs' });
    model.start({ ...base, requestId: 3, operation: 'tags' });
    model.start({ ...base, requestId: 4, operation: undefined });
    const end = { ...base, operation: 'blobs', durationMs: 1, attempts: 1, headers: {} };
    model.end({ ...end, requestId: 1, status: 200, bytes: 2048, errorCode: undefined });
    model.end({ ...end, requestId: 3, status: 200, bytes: 99, errorCode: undefined });
    model.retry();
    now = 3_000;
    const lines = model.render();
    expect(lines[0]).toBe('pull x: 1 done, 1 active, 2.0 KiB at 1.0 KiB/s, 1 retries');
    expect(lines.slice(1)).toEqual([
      '  #2 GET blob        active  0 B',
      '  #1 GET blob        done    2.0 KiB',
    ]);
    model.end({ ...end, requestId: 2, status: 500, bytes: 0, errorCode: 'SERVER_ERROR' });
    expect(model.render()[2]).toContain('failed');
    expect(model.bytes).toBe(2048);
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
      requestId: 7,
      operation: 'blobs.uploads',
    };
    listeners.get('requestStart')?.(start);
    vi.advanceTimersByTime(250);
    handle.stop();
    vi.useRealTimers();
    expect(text).toContain('push y: 0 done, 1 active');
    expect(text).toContain('#7 GET upload');
    expect(text.endsWith('\x1b[J')).toBe(true);
    expect(listeners.size).toBe(0);
  });
});
