import { type RequestInfo } from '../../registry/registry-handler.js';

/**
 * The simulator's one serving shape: a Fetch-style handler, `Request` in, `Response` out. Every
 * other adapter (dispatcher, node:http, msw) is built on it, so they all behave the same.
 * @public
 */
export type FetchHandler = (request: Request, info?: RequestInfo) => Promise<Response>;
