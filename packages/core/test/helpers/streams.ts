import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ReadableStream } from 'node:stream/web';
import {
  createVerifyingStream,
  createVerifyingTransform,
  type VerifyOptions,
} from '../../src/digest/verify.js';

/** What came out of a verifying stream, and the error it ended with (if any). */
export interface StreamOutcome {
  readonly out: Buffer;
  readonly error: unknown;
}

/** Runs chunks through the Node transform; returns what came out and the error, if any. */
export async function throughTransform(
  parts: readonly Uint8Array[],
  options: VerifyOptions,
): Promise<StreamOutcome> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk);
      cb();
    },
  });
  let error: unknown;
  try {
    await pipeline(
      Readable.from(parts.map((p) => Buffer.from(p))),
      createVerifyingTransform(options),
      sink,
    );
  } catch (err) {
    error = err;
  }
  return { out: Buffer.concat(out), error };
}

/** Runs chunks through the web TransformStream. */
export async function throughStream(
  parts: readonly Uint8Array[],
  options: VerifyOptions,
): Promise<StreamOutcome> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const p of parts) controller.enqueue(p);
      controller.close();
    },
  });
  const out: Uint8Array[] = [];
  let error: unknown;
  try {
    for await (const chunk of source.pipeThrough(createVerifyingStream(options))) out.push(chunk);
  } catch (err) {
    error = err;
  }
  return { out: Buffer.concat(out), error };
}
