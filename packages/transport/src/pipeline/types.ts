/**
 * The request/response model and middleware contract of the transport pipeline.
 * @packageDocumentation
 */
import type { Readable } from 'node:stream';

/** HTTP methods the pipeline sends. */
export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** A body produced by a factory; `replayable: false` marks a one-shot stream that is never retried. */
export interface StreamBody {
  /** Produces the body; called once per attempt when `replayable` is true. */
  readonly stream: () => AsyncIterable<Uint8Array> | NodeJS.ReadableStream;
  /** The body length in bytes, sent as `content-length` when known. */
  readonly length?: number;
  /** Whether `stream()` can be called again to send the same bytes for a retry. */
  readonly replayable: boolean;
}

/** A body that can be produced again for a retry; a one-shot stream is `replayable: false`. */
export type RequestBody = Uint8Array | string | StreamBody;

/** Free-form tags for middlewares (auth scope hints, operation name, route template). */
export interface RequestContext {
  /** Operation name, e.g. `manifest.get`, used in events. */
  readonly operation?: string;
  /** Repository the request is about, e.g. `library/alpine`. */
  readonly repository?: string;
  /** Token actions the request needs, e.g. `['pull']`. */
  readonly actions?: readonly string[];
  /** Route template for events, e.g. `/v2/{name}/manifests/{reference}`; no secrets. */
  readonly route?: string;
  /**
   * A GET whose body is continued with `Range` when the connection breaks in the middle, under
   * the retry policy (see `requestResumable`).
   */
  readonly resume?: boolean;
  /** Called before each resume of a `resume` GET with the offset it continues from. */
  readonly onResume?: (info: { readonly offset: number; readonly resume: number }) => void;
  /**
   * An `http:` URL chosen only because the host is loopback or marked insecure: the transport's
   * own agent tries HTTPS first and keeps plain HTTP for hosts whose port does not speak TLS.
   */
  readonly httpsFirst?: boolean;
  readonly [key: string]: unknown;
}

/** One HTTP request travelling through the pipeline. */
export interface TransportRequest {
  readonly method: HttpMethod;
  readonly url: URL;
  /** Header map with lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  readonly signal?: AbortSignal;
  /** Whether the request may be sent again; default true for GET/HEAD/PUT/DELETE. */
  readonly idempotent?: boolean;
  /** Free-form tags for middlewares. */
  readonly context?: RequestContext;
}

/** A response with a streaming body. */
export interface TransportResponse {
  readonly status: number;
  /** Header map with lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The final URL after redirects. */
  readonly url: URL;
  /** The streaming body (undici's). */
  readonly body: Readable;
  /**
   * Reads one header.
   * @param name - header name, any case
   * @returns the value (multiple values joined with `, `) or undefined
   */
  header(name: string): string | undefined;
  /**
   * Reads the body as UTF-8 text.
   * @param limitBytes - maximum body size
   * @returns the text
   * @throws PayloadTooLargeError when the body exceeds `limitBytes`
   */
  text(limitBytes?: number): Promise<string>;
  /**
   * Reads the body as bytes.
   * @param limitBytes - maximum body size
   * @returns the bytes
   * @throws PayloadTooLargeError when the body exceeds `limitBytes`
   */
  bytes(limitBytes?: number): Promise<Uint8Array>;
  /**
   * Reads and parses the body as JSON.
   * @param limitBytes - maximum body size
   * @returns the parsed value
   * @throws PayloadTooLargeError when the body exceeds `limitBytes`
   */
  json<T = unknown>(limitBytes?: number): Promise<T>;
  /**
   * Discards the body and frees the socket.
   * @returns when the body is discarded
   */
  dump(): Promise<void>;
}

/** Calls the rest of the pipeline. */
export type Next = (req: TransportRequest) => Promise<TransportResponse>;

/** One pipeline stage. */
export interface Middleware {
  /** Unique name used by `Transport.use({ before, after })` and `describe()`. */
  readonly name: string;
  /**
   * Handles a request, usually by calling `next`.
   * @param req - the request
   * @param next - the rest of the pipeline
   * @returns the response
   */
  handle(req: TransportRequest, next: Next): Promise<TransportResponse>;
}
