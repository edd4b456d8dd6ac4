import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { CassetteMissError } from '@llmdevops/docker-hub-core';
import { fetch, type Dispatcher } from 'undici';
import { iterateBody, toWebStream } from '../internal/streams.js';
import {
  SimulatorDispatcher,
  type FetchHandler,
} from '../serve/dispatcher/simulator-dispatcher.js';
import { recordBody } from './body-recorder.js';
import { blobFolder, loadCassette, saveCassette, type CassetteEntry } from './format.js';
import {
  closest,
  matchedHeaders,
  matchKey,
  type MatchOptions,
  type RequestFacts,
} from './match.js';
import { redactHeaders, redactJsonBody, redactUrl, type RedactOptions } from './redact.js';

/**
 * Cassette modes (one table; names differ between tools, style C18.8):
 *
 * | mode | recorded entries used | a request with no entry | saved on `save()` |
 * |---|---|---|---|
 * | `record` | no (starts empty) | goes upstream, recorded | everything recorded |
 * | `replay` | yes | `CassetteMissError` naming the closest entry | nothing |
 * | `update` | yes | goes upstream, recorded (Polly `recordIfMissing`) | used + new entries |
 * | `passthrough` | no | goes upstream, not recorded | nothing |
 * @public
 */
export type CassetteMode = 'record' | 'replay' | 'update' | 'passthrough';

const MODES: Readonly<
  Record<CassetteMode, { load: boolean; replay: boolean; record: boolean; save: boolean }>
> = {
  record: { load: false, replay: false, record: true, save: true },
  replay: { load: true, replay: true, record: false, save: false },
  update: { load: true, replay: true, record: true, save: true },
  passthrough: { load: false, replay: false, record: false, save: false },
};

/** Options of {@link createCassette}. @public */
export interface CassetteOptions {
  /** The cassette file (large bodies go to `<path>.blobs/`). */
  readonly path: string;
  readonly mode: CassetteMode;
  /** Where unrecorded requests go (required unless `mode` is `replay`). */
  readonly upstream?: FetchHandler;
  readonly match?: MatchOptions;
  readonly redact?: RedactOptions;
  /** Largest body stored inline (default 64 KiB). */
  readonly inlineLimit?: number;
}

/** A recorder/replayer. @public */
export interface Cassette {
  /** The Fetch-style handler. */
  fetch: FetchHandler;
  /** An undici Dispatcher over {@link Cassette.fetch}. */
  readonly dispatcher: SimulatorDispatcher;
  /** Writes the cassette (per the mode's table row). */
  save(): Promise<void>;
}

async function hashBody(request: Request): Promise<{ bytes: Buffer; sha256: string }> {
  const parts: Uint8Array[] = [];
  for await (const c of iterateBody(request.body)) parts.push(c);
  const bytes = Buffer.concat(parts);
  return { bytes, sha256: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

/**
 * Creates a recorder/replayer for one cassette file. Requests are matched by method, normalised
 * URL, allow-listed headers, body digest and order among identical requests; secrets are
 * redacted before anything is written.
 * @param options - file, mode, upstream, matching and redaction
 * @returns the cassette (call `save()` at the end)
 * @throws {@link @llmdevops/docker-hub-core!CassetteInvalidError | CassetteInvalidError} (from `fetch`) when the file is malformed
 * @public
 */
export function createCassette(options: CassetteOptions): Cassette {
  const mode = MODES[options.mode];
  const match = options.match ?? {};
  const entries: CassetteEntry[] = [];
  const used = new Set<string>();
  const pending = new Set<Promise<void>>();
  const counters = new Map<string, number>();
  const loaded = mode.load
    ? loadCassette(options.path).then((f) => entries.push(...f.entries))
    : Promise.resolve(0);
  const facts = (e: CassetteEntry): RequestFacts => e.request;

  const replay = (entry: CassetteEntry): Response => {
    used.add(entry.id);
    const b = entry.response.body;
    const nullBody = [101, 204, 205, 304].includes(entry.response.status);
    const body = nullBody
      ? null
      : 'blobDigest' in b
        ? toWebStream(
            createReadStream(
              join(blobFolder(options.path), 'sha256', b.blobDigest.slice(7)),
            ) as AsyncIterable<Uint8Array>,
          )
        : Buffer.from(b.data, b.encoding);
    return new Response(body, { status: entry.response.status, headers: entry.response.headers });
  };

  const record = async (
    request: Request,
    wanted: RequestFacts,
    bodyBytes: Buffer,
    key: string,
  ): Promise<Response> => {
    const upstream = options.upstream;
    if (upstream === undefined) throw new Error(`cassette mode ${options.mode} needs an upstream`);
    const init: RequestInit & { duplex?: 'half' } = {
      method: request.method,
      headers: request.headers,
    };
    if (bodyBytes.length > 0) init.body = bodyBytes;
    const response = await upstream(new Request(request.url, init));
    if (!mode.record) return response;
    const copy = recordBody(response.body, options.path, options.inlineLimit ?? 65_536);
    const headers: Record<string, string> = {};
    response.headers.forEach((v, k) => (headers[k] = v));
    const order = entries.filter((e) => matchKey(facts(e), match) === key).length;
    const finished = copy.done.then(
      ({ body, stored }) => {
        const isJson = (headers['content-type'] ?? '').includes('json');
        const inline =
          body !== undefined && isJson
            ? {
                encoding: 'utf8' as const,
                data: redactJsonBody(body.toString('utf8'), options.redact),
              }
            : stored;
        const entry: CassetteEntry = {
          id: randomUUID(),
          order,
          request: {
            ...wanted,
            url: redactUrl(wanted.url, options.redact),
            headers: redactHeaders(wanted.headers, options.redact),
          },
          response: {
            status: response.status,
            headers: redactHeaders(headers, options.redact),
            body: inline,
          },
          recordedAt: new Date().toISOString(),
        };
        entries.push(entry);
        used.add(entry.id);
      },
      () => undefined,
    );
    pending.add(finished);
    void finished.finally(() => pending.delete(finished));
    return new Response(copy.stream, { status: response.status, headers: response.headers });
  };

  const handle: FetchHandler = async (request) => {
    await loaded;
    const { bytes, sha256 } = await hashBody(request);
    const wanted: RequestFacts = {
      method: request.method,
      url: request.url,
      headers: matchedHeaders(request.headers, match),
      bodySha256: sha256,
      bodySize: bytes.length,
    };
    const key = matchKey(wanted, match);
    if (mode.replay) {
      const n = counters.get(key) ?? 0;
      counters.set(key, n + 1);
      const candidates = entries.filter((e) => matchKey(facts(e), match) === key);
      const hit = candidates.find((e) => e.order === n) ?? candidates.at(-1);
      if (hit !== undefined) return replay(hit);
      if (!mode.record)
        throw new CassetteMissError(
          `${wanted.method} ${wanted.url}`,
          closest(wanted, entries.map(facts)),
        );
    }
    return record(request, wanted, bytes, key);
  };

  return {
    fetch: handle,
    dispatcher: new SimulatorDispatcher(handle),
    async save() {
      await loaded;
      await Promise.all([...pending]);
      if (!mode.save) return;
      const kept = options.mode === 'update' ? entries.filter((e) => used.has(e.id)) : entries;
      await saveCassette(options.path, {
        schemaVersion: 1,
        recordedWith: 'docker-hub-simulation',
        entries: kept,
      });
    },
  };
}

/**
 * An upstream for {@link createCassette} that sends requests on with undici `fetch` (through the
 * given dispatcher, e.g. a real `Agent` or the simulator's).
 * @param dispatcher - the undici dispatcher to use
 * @returns a Fetch-style handler
 * @public
 */
export function dispatcherUpstream(dispatcher: Dispatcher): FetchHandler {
  return async (request) => {
    const init: Parameters<typeof fetch>[1] = {
      method: request.method,
      headers: [...request.headers],
      dispatcher,
      redirect: 'manual',
    };
    if (request.body !== null) Object.assign(init, { body: request.body, duplex: 'half' });
    const res = await fetch(request.url, init);
    const nullBody = [101, 204, 205, 304].includes(res.status) || request.method === 'HEAD';
    return new Response(nullBody ? null : (res.body as ReadableStream<Uint8Array> | null), {
      status: res.status,
      headers: [...res.headers],
    });
  };
}
