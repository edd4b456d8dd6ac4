import { Readable } from 'node:stream';
import { type Dispatcher } from 'undici';
import { toWebStream } from '../../internal/streams.js';

type Headers = Dispatcher.DispatchOptions['headers'];

function toHeaders(raw: Headers): globalThis.Headers {
  const out = new globalThis.Headers();
  const text = (x: unknown): string =>
    typeof x === 'string' ? x : typeof x === 'number' ? String(x) : '';
  const add = (k: unknown, v: unknown): void => {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) for (const x of v as unknown[]) out.append(text(k), text(x));
    else out.append(text(k), text(v));
  };
  if (raw === undefined || raw === null) return out;
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) add(raw[i], raw[i + 1]);
  } else if (Symbol.iterator in raw) {
    for (const [k, v] of raw as Iterable<[string, string | string[] | undefined]>) add(k, v);
  } else {
    for (const [k, v] of Object.entries(raw)) add(k, v);
  }
  return out;
}

async function* chunks(body: AsyncIterable<unknown>): AsyncIterable<Uint8Array> {
  for await (const c of body) {
    yield typeof c === 'string' ? Buffer.from(c) : (c as Uint8Array);
  }
}

function toBody(body: unknown): RequestInit['body'] | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof FormData) return body;
  if (typeof body === 'object' && Symbol.asyncIterator in body) {
    return toWebStream(chunks(body as AsyncIterable<unknown>));
  }
  if (body instanceof Readable) return toWebStream(chunks(body));
  throw new TypeError('unsupported request body type');
}

/**
 * Builds a Fetch `Request` from undici dispatch options (streaming bodies stay streams).
 * @param opts - the dispatch options
 * @returns the request
 * @internal
 */
export function toRequest(opts: Dispatcher.DispatchOptions): Request {
  const origin = opts.origin === undefined ? 'http://localhost' : String(opts.origin);
  const url = new URL(opts.path, origin);
  const method = opts.method.toUpperCase();
  const body = method === 'GET' || method === 'HEAD' ? undefined : toBody(opts.body);
  const init: RequestInit & { duplex?: 'half' } = { method, headers: toHeaders(opts.headers) };
  if (body !== undefined) {
    init.body = body;
    init.duplex = 'half';
  }
  return new Request(url, init);
}
