import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CassetteInvalidError, CassetteMissError } from '@llmdevops/docker-hub-core';
import { fetch, type Dispatcher } from 'undici';
import { iterateBody, toWebStream } from '../internal/streams.js';
import {
  SimulatorDispatcher,
  type FetchHandler,
} from '../serve/dispatcher/simulator-dispatcher.js';
import { recordBody } from './body-recorder.js';
import { persistable, ORIGIN_PLACEHOLDER, type HeldEntry } from './entries.js';
import {
  blobFolder,
  loadCassette,
  saveCassette,
  type CassetteBody,
  type CassetteFile,
} from './format.js';
import {
  closest,
  hashBodyStream,
  hashRequestBody,
  isTextualBody,
  matchedHeaders,
  matchKey,
  normalizeUrl,
  type RequestFacts,
} from './match.js';
import { validateCassetteOptions, type CassetteMode, type CassetteOptions } from './options.js';
import { asText, redactBodyText, redactHeaders, type RedactOptions } from './redact.js';

export type { CassetteMode, CassetteOptions } from './options.js';

const MODES: Readonly<
  Record<CassetteMode, { load: boolean; replay: boolean; record: boolean; save: boolean }>
> = {
  record: { load: false, replay: false, record: true, save: true },
  replay: { load: true, replay: true, record: false, save: false },
  update: { load: true, replay: true, record: true, save: true },
  passthrough: { load: false, replay: false, record: false, save: false },
};

/** Bodies of answers that are not manifests or blobs are redacted in memory up to this size; larger ones fail `save()`. */
const REDACTED_INLINE_LIMIT = 32 * 1024 * 1024;
const NULL_BODY = new Set([101, 204, 205, 304]);
const CONTENT_ADDRESSED = /^\/v2\/.+\/(?:blobs|manifests)\/[^/]+$/;

/** A recorder/replayer. @public */
export interface Cassette {
  /** The Fetch-style handler. */
  fetch: FetchHandler;
  /** An undici Dispatcher over {@link Cassette.fetch}. */
  readonly dispatcher: SimulatorDispatcher;
  /** Waits for recordings in flight and writes the cassette (per the mode's table row). */
  save(): Promise<void>;
}

async function readBody(request: Request): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of iterateBody(request.body)) parts.push(c);
  return Buffer.concat(parts);
}

function isFailure(status: number): boolean {
  return status === 429 || status >= 500;
}

function isContentAddressed(method: string, path: string, status: number): boolean {
  return (method === 'GET' || method === 'HEAD') && status < 300 && CONTENT_ADDRESSED.test(path);
}

interface Session {
  salt: string | undefined;
  readonly entries: HeldEntry[];
}

async function openSession(options: CassetteOptions): Promise<Session> {
  const mode = MODES[options.mode];
  const loads = mode.load;
  const file: CassetteFile | undefined = loads
    ? await loadCassette(options.path)
    : await loadCassette(options.path).catch(() => undefined);
  const match = options.matchRequestsBy ?? {};
  const saves = mode.save || options.recordIfMissing === true;
  if (loads && file !== undefined && file.salt === undefined && saves)
    throw new CassetteInvalidError(
      `cassette ${options.path} has schema version 1 (unsalted body digests) and cannot be updated; re-record it with mode record`,
    );
  if (loads && file?.salt !== undefined && options.salt !== undefined && options.salt !== file.salt)
    throw new CassetteInvalidError(
      `cassette ${options.path} was recorded with a different salt than the one given; its body hashes would never match`,
    );
  const salt =
    loads && file !== undefined
      ? file.salt
      : (options.salt ?? file?.salt ?? randomBytes(16).toString('hex'));
  const entries: HeldEntry[] = loads
    ? (file?.entries ?? []).map((e) => {
        const request: RequestFacts = {
          ...e.request,
          url: normalizeUrl(e.request.url, match, options.redact),
        };
        return {
          key: matchKey(request, match),
          request,
          order: e.order,
          response: e.response,
          ...(e.recordedAt === undefined ? {} : { recordedAt: e.recordedAt }),
          used: false,
          fresh: false,
        };
      })
    : [];
  return { salt, entries };
}

/** Replays a recorded answer, with `{{origin}}` in its headers replaced by the request's origin. */
function replayEntry(entry: HeldEntry, request: Request, path: string): Response {
  entry.used = true;
  const b = entry.response.body;
  const nullBody = NULL_BODY.has(entry.response.status) || request.method === 'HEAD';
  let body: ReadableStream<Uint8Array> | Buffer | null = null;
  if (!nullBody && 'blobDigest' in b) {
    const file = join(blobFolder(path), 'sha256', b.blobDigest.slice(7));
    if (!existsSync(file))
      throw new CassetteInvalidError(
        `cassette ${path} refers to ${b.blobDigest}, which is missing from ${blobFolder(path)}`,
      );
    body = toWebStream(createReadStream(file) as AsyncIterable<Uint8Array>);
  } else if (!nullBody && 'data' in b) body = Buffer.from(b.data, b.encoding);
  const origin = new URL(request.url).origin;
  const headers = Object.entries(entry.response.headers).map(([k, v]): [string, string] => [
    k,
    v.split(ORIGIN_PLACEHOLDER).join(origin),
  ]);
  return new Response(body, { status: entry.response.status, headers });
}

/** The entry for the `n`-th repetition, or the last one when repeats are allowed. */
function pickEntry(
  candidates: readonly HeldEntry[],
  n: number,
  allowRepeats: boolean,
): HeldEntry | undefined {
  const exact = candidates.find((e) => e.order === n);
  if (exact !== undefined || !allowRepeats) return exact;
  return candidates.reduce<HeldEntry | undefined>(
    (a, e) => (a === undefined || e.order > a.order ? e : a),
    undefined,
  );
}

/** A miss naming the redacted request, its repetition, the file and the closest entry. */
function missError(
  facts: RequestFacts,
  at: { n: number; recorded: number; held: Session; path: string },
): CassetteMissError {
  const repeat =
    at.recorded > 0
      ? ` (repetition ${String(at.n + 1)}, recorded ${String(at.recorded)}; allowRepeats replays the last)`
      : '';
  return new CassetteMissError(
    `${facts.method} ${facts.url}${repeat} in cassette ${at.path}`,
    closest(
      facts,
      at.held.entries.map((e) => ({ ...e.request, order: e.order })),
    ),
  );
}

/**
 * How a recorded body is written: binary as base64; text redacted (unless `redact` is undefined,
 * for content-addressed bodies whose bytes must not change), as base64 when it holds control
 * characters.
 */
function storedBody(
  bytes: Buffer | undefined,
  stored: CassetteBody,
  redact: RedactOptions | undefined,
): CassetteBody {
  if (bytes === undefined) return stored;
  const raw = asText(bytes);
  if (raw === undefined) return { encoding: 'base64', data: bytes.toString('base64') };
  const text = redact === undefined ? raw : redactBodyText(raw, redact);
  // eslint-disable-next-line no-control-regex -- text with control characters is stored as base64
  return /[\u0000-\u0008\u000e-\u001f]/.test(text)
    ? { encoding: 'base64', data: Buffer.from(text, 'utf8').toString('base64') }
    : { encoding: 'utf8', data: text };
}

/** Writes the session per the mode's table row. */
async function saveSession(options: CassetteOptions, held: Session): Promise<void> {
  const write =
    options.mode === 'record' ||
    options.mode === 'update' ||
    (options.mode === 'replay' &&
      options.recordIfMissing === true &&
      held.entries.some((e) => e.fresh));
  if (!write) return;
  const kept = options.mode === 'update' ? held.entries.filter((e) => e.used) : held.entries;
  const file: CassetteFile = {
    schemaVersion: 2,
    recordedWith: 'docker-hub-simulation',
    ...(held.salt === undefined ? {} : { salt: held.salt }),
    entries: persistable(kept, options.beforePersist, options.path),
  };
  await saveCassette(options.path, file);
}

/**
 * Creates a recorder/replayer for one cassette file. Requests are matched on their redacted,
 * normalised form (method, path and sorted query without origin, allow-listed headers, salted body
 * hash) and their repetition index; secrets are redacted before anything is written, and the
 * same session always writes the same bytes.
 * @param options - file, mode, upstream, matching, redaction and recording policy
 * @returns the cassette (call `save()` at the end)
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} listing every bad option (e.g. mode `record` without `upstream`)
 * @throws {@link @llmdevops/docker-hub-core!CassetteInvalidError | CassetteInvalidError} naming the file when mode `replay` has none to read; from `fetch` and `save` when the file is malformed
 * @public
 */
export function createCassette(options: CassetteOptions): Cassette {
  const valid = validateCassetteOptions(options);
  const mode = MODES[valid.mode];
  const match = valid.matchRequestsBy ?? {};
  const redact = valid.redact ?? {};
  const records = mode.record || valid.recordIfMissing === true;
  const seen = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  const failures: CassetteInvalidError[] = [];
  const session = openSession(valid);
  session.catch(() => undefined);

  const forward = async (
    request: Request,
    body: Buffer | ReadableStream<Uint8Array> | null,
    call: Promise<{ facts: RequestFacts; order: number }>,
    held: Session,
  ): Promise<Response> => {
    const upstream = valid.upstream;
    if (upstream === undefined)
      throw new CassetteMissError(
        `${request.method} ${normalizeUrl(request.url, match, redact)} (no upstream) in cassette ${valid.path}`,
      );
    const init: RequestInit & { duplex?: 'half' } = {
      method: request.method,
      headers: request.headers,
    };
    if (body instanceof ReadableStream) Object.assign(init, { body, duplex: 'half' });
    else if (body !== null && body.length > 0) init.body = body;
    const response = await upstream(new Request(request.url, init));
    if (!records || (isFailure(response.status) && valid.recordFailedRequests !== true))
      return response;
    const path = new URL(request.url).pathname;
    const contentAddressed = isContentAddressed(request.method, path, response.status);
    const limit = contentAddressed ? (valid.inlineLimit ?? 65_536) : REDACTED_INLINE_LIMIT;
    const copy = recordBody(response.body, valid.path, limit, contentAddressed);
    const headers: Record<string, string> = {};
    response.headers.forEach((v, k) => (headers[k] = v));
    const recordedAt =
      valid.clock === undefined ? undefined : new Date(valid.clock.now()).toISOString();
    const finished = Promise.all([copy.done, call]).then(
      ([{ body: bytes, stored, overflow }, { facts, order }]) => {
        if (overflow === true) {
          failures.push(
            new CassetteInvalidError(
              `${request.method} ${facts.url}: the answer is larger than ${String(REDACTED_INLINE_LIMIT)} bytes and not a manifest or blob, so it cannot be redacted and was not recorded in cassette ${valid.path}`,
            ),
          );
          return;
        }
        try {
          held.entries.push({
            key: matchKey(facts, match),
            request: facts,
            order,
            response: {
              status: response.status,
              headers: redactHeaders(headers, redact),
              body: storedBody(bytes, stored, contentAddressed ? undefined : redact),
            },
            ...(recordedAt === undefined ? {} : { recordedAt }),
            origin: new URL(request.url).origin,
            used: true,
            fresh: true,
          });
        } catch (cause) {
          failures.push(
            new CassetteInvalidError(
              `${request.method} ${facts.url} could not be recorded in cassette ${valid.path}`,
              { cause },
            ),
          );
        }
      },
      // The body broke off or the upload could not be read: a failed request, not recorded.
      () => undefined,
    );
    pending.add(finished);
    void finished.finally(() => pending.delete(finished));
    return new Response(copy.stream, { status: response.status, headers: response.headers });
  };

  const next = (key: string): number => {
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return n;
  };

  const handle: FetchHandler = async (request) => {
    const held = await session;
    const method = request.method.toUpperCase();
    const url = normalizeUrl(request.url, match, redact);
    const headers = matchedHeaders(request.headers, match, redact);
    const body = request.body;
    const textual = body === null || isTextualBody(request.headers.get('content-type'));
    if (body !== null && !textual && !mode.replay) {
      // Record or pass through an upload: it streams on while its hash is computed.
      const [onward, own] = body.tee();
      const call = hashBodyStream(iterateBody(own), held.salt).then((hash) => {
        const facts: RequestFacts = { method, url, headers, ...hash };
        return { facts, order: next(matchKey(facts, match)) };
      });
      call.catch(() => undefined);
      return forward(request, onward, call, held);
    }
    // Pure replay never sends a body on, so an upload is hashed without being held.
    const bytes = !textual && !records ? undefined : await readBody(request);
    const hash =
      bytes === undefined
        ? await hashBodyStream(iterateBody(body), held.salt)
        : hashRequestBody(bytes, held.salt, redact, textual);
    const facts: RequestFacts = { method, url, headers, ...hash };
    const key = matchKey(facts, match);
    const n = next(key);
    if (mode.replay) {
      const candidates = held.entries.filter((e) => e.key === key);
      const hit = pickEntry(candidates, n, valid.allowRepeats === true);
      if (hit !== undefined) return replayEntry(hit, request, valid.path);
      if (!records)
        throw missError(facts, { n, recorded: candidates.length, held, path: valid.path });
    }
    return forward(request, bytes ?? null, Promise.resolve({ facts, order: n }), held);
  };

  return {
    fetch: handle,
    dispatcher: new SimulatorDispatcher(handle),
    async save() {
      const held = await session;
      await Promise.all([...pending]);
      const [failure] = failures;
      if (failure !== undefined) throw failure;
      await saveSession(valid, held);
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
    const nullBody = NULL_BODY.has(res.status) || request.method === 'HEAD';
    return new Response(nullBody ? null : (res.body as ReadableStream<Uint8Array> | null), {
      status: res.status,
      headers: [...res.headers],
    });
  };
}
