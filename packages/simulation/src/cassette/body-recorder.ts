import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { readChunk } from '../internal/streams.js';
import { type CassetteBody, blobFolder } from './format.js';

/** A body copied while it streams to the client. @internal */
export interface RecordedBody {
  /** The stream to hand to the client. */
  readonly stream: ReadableStream<Uint8Array> | null;
  /** Resolves once the body has been fully read, with how it was stored. */
  readonly done: Promise<{
    body: Buffer | undefined;
    stored: CassetteBody;
    sha256: string;
    size: number;
    /** Set when the body passed `inlineLimit` and `spill` was false: nothing was kept. */
    overflow?: boolean;
  }>;
}

/**
 * Copies a body as it streams: small bodies stay in memory (inline in the cassette); once past
 * `inlineLimit` the bytes go to a file under `<cassette>.blobs/` named by their digest, so large
 * blobs are never held whole.
 * @param body - the upstream body
 * @param cassettePath - the cassette file (for the blob folder)
 * @param inlineLimit - largest inline body
 * @param spill - whether a larger body goes to a blob file (otherwise it is drained, not kept, and
 * the result says `overflow`)
 * @returns the client stream and the recording result
 * @internal
 */
export function recordBody(
  body: ReadableStream<Uint8Array> | null,
  cassettePath: string,
  inlineLimit: number,
  spill = true,
): RecordedBody {
  let overflow = false;
  const hash = createHash('sha256');
  let size = 0;
  let parts: Buffer[] | undefined = [];
  let file: WriteStream | undefined;
  let tmpPath = '';
  let finish: (v: {
    body: Buffer | undefined;
    stored: CassetteBody;
    sha256: string;
    size: number;
    overflow?: boolean;
  }) => void = () => undefined;
  let fail: (e: unknown) => void = () => undefined;
  const done = new Promise<{
    body: Buffer | undefined;
    stored: CassetteBody;
    sha256: string;
    size: number;
    overflow?: boolean;
  }>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  done.catch(() => undefined);
  const complete = async (): Promise<void> => {
    const sha256 = `sha256:${hash.digest('hex')}`;
    if (overflow) {
      finish({ body: undefined, stored: { encoding: 'utf8', data: '' }, sha256, size, overflow });
      return;
    }
    if (file === undefined) {
      const bytes = Buffer.concat(parts ?? []);
      finish({
        body: bytes,
        stored: { encoding: 'base64', data: bytes.toString('base64') },
        sha256,
        size,
      });
      return;
    }
    file.end();
    await once(file, 'finish');
    await rename(tmpPath, join(blobFolder(cassettePath), 'sha256', sha256.slice(7)));
    finish({ body: undefined, stored: { blobDigest: sha256 }, sha256, size });
  };
  if (body === null) {
    void complete();
    return { stream: null, done };
  }
  // The recorder drains its own branch, so a recording completes even when the client never
  // reads the body (undici's tee buffers for whichever branch is slower).
  const [client, own] = body.tee();
  const reader = own.getReader();
  const pump = async (): Promise<void> => {
    for (;;) {
      const chunk = await readChunk(reader);
      if (chunk === undefined) break;
      hash.update(chunk);
      size += chunk.byteLength;
      if (!spill && size > inlineLimit) {
        parts = undefined;
        overflow = true;
      }
      if (parts !== undefined && size > inlineLimit) {
        await mkdir(join(blobFolder(cassettePath), 'sha256'), { recursive: true });
        tmpPath = join(blobFolder(cassettePath), `${randomUUID()}.tmp`);
        file = createWriteStream(tmpPath, { mode: 0o600 });
        for (const p of parts) file.write(p);
        parts = undefined;
      }
      if (parts !== undefined) parts.push(Buffer.from(chunk));
      else if (file?.write(chunk) === false) await once(file, 'drain');
    }
    await complete();
  };
  pump().catch(fail);
  const stream = client;
  return { stream, done };
}
