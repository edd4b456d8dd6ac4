import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { processIo, write, writeJson, writeLine } from './io.js';

/** A stream that records what it was given and fails each write with `error`, if set. */
function sink(error?: NodeJS.ErrnoException) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback(error ?? null);
    },
  });
  stream.on('error', () => undefined); // a failed write also emits 'error'
  return { stream, text: () => chunks.join('') };
}

describe('write', () => {
  it('writes text, lines and indented JSON', async () => {
    const out = sink();
    await write(out.stream, 'a');
    await writeLine(out.stream, 'b');
    await writeJson(out.stream, { c: [1] });
    expect(out.text()).toBe('ab\n{\n  "c": [\n    1\n  ]\n}\n');
  });

  it('ends quietly on a closed pipe (EPIPE) and rejects other write errors', async () => {
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    await expect(write(sink(epipe).stream, 'x')).resolves.toBeUndefined();
    const eio = Object.assign(new Error('write EIO'), { code: 'EIO' });
    await expect(write(sink(eio).stream, 'x')).rejects.toBe(eio);
  });

  it('writes nothing to a destroyed or ended stream and does not wait', async () => {
    const destroyed = sink();
    destroyed.stream.destroy();
    await write(destroyed.stream, 'lost');
    const ended = sink();
    ended.stream.end();
    await write(ended.stream, 'lost');
    expect(destroyed.text() + ended.text()).toBe('');
  });
});

describe('processIo', () => {
  const disposers: (() => void)[] = [];
  afterEach(() => {
    for (const d of disposers.splice(0)) d();
  });

  it("wraps the process's streams and aborts its signal on the first SIGINT or SIGTERM", () => {
    const before = process.listenerCount('SIGINT');
    const { io, dispose } = processIo();
    disposers.push(dispose);
    expect(io.stdout).toBe(process.stdout);
    expect(io.stdin).toBe(process.stdin);
    expect(io.env).toBe(process.env);
    expect(io.cwd).toBe(process.cwd());
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    expect(io.signal.aborted).toBe(false);
    process.emit('SIGTERM', 'SIGTERM');
    expect(io.signal.aborted).toBe(true);
    expect(String(io.signal.reason)).toContain('interrupted by SIGTERM');
  });

  it('exits with 130 on a second signal', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const { dispose } = processIo();
    disposers.push(dispose);
    process.emit('SIGINT', 'SIGINT');
    expect(exit).not.toHaveBeenCalled();
    process.emit('SIGINT', 'SIGINT');
    expect(exit).toHaveBeenCalledWith(130);
  });

  it('removes its handlers on dispose', () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    const { dispose } = processIo();
    dispose();
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
  });
});
