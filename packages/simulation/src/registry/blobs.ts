import { toWebStream } from '../internal/streams.js';
import { type ByteRange } from '../storage/blob-store.js';
import { parseDigest } from '../storage/hashing.js';
import { type RegistryCall, type RegistryContext } from './context.js';
import { API_VERSION_HEADER, emptyResponse, registryError } from './errors.js';

/**
 * Parses `Range: bytes=a-b` (or `bytes=a-`, `bytes=-n`) against a size.
 * @param header - the Range header
 * @param size - the blob size
 * @returns the range, `undefined` when absent, or `'unsatisfiable'`
 * @internal
 */
export function parseRange(
  header: string | null,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (header === null) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null || (m[1] === '' && m[2] === '')) return 'unsatisfiable';
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * HEAD and GET of a blob (with `Range` and 206).
 * @param ctx - registry context
 * @param call - the request
 * @param target - repository name and digest
 * @returns the blob or an error
 * @internal
 */
export async function getBlob(
  ctx: RegistryContext,
  call: RegistryCall,
  target: { name: string; digest: string },
): Promise<Response> {
  const head = call.request.method === 'HEAD';
  if (parseDigest(target.digest) === undefined) {
    return head ? emptyResponse(400) : registryError(400, { code: 'DIGEST_INVALID' });
  }
  const linked = ctx.state.repos.get(target.name)?.blobs.has(target.digest) === true;
  const size = linked ? await ctx.store.stat(target.digest) : undefined;
  if (size === undefined) {
    return head
      ? emptyResponse(404)
      : registryError(404, { code: 'BLOB_UNKNOWN', detail: target.digest });
  }
  const headers: Record<string, string> = {
    ...API_VERSION_HEADER,
    'accept-ranges': 'bytes',
    'cache-control': 'max-age=31536000',
    'content-type': 'application/octet-stream',
    'docker-content-digest': target.digest,
    etag: `"${target.digest}"`,
  };
  const range = head ? undefined : parseRange(call.request.headers.get('range'), size);
  if (range === 'unsatisfiable') {
    return registryError(416, { code: 'RANGE_INVALID' }, { 'content-range': `bytes */${size}` });
  }
  if (range !== undefined) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
    headers['content-length'] = String(range.end - range.start + 1);
    return new Response(toWebStream(ctx.store.read(target.digest, range)), {
      status: 206,
      headers,
    });
  }
  headers['content-length'] = String(size);
  if (head || size === 0) return new Response(null, { status: 200, headers });
  return new Response(toWebStream(ctx.store.read(target.digest)), { status: 200, headers });
}

/**
 * DELETE of a blob: unlinks it from the repository (bytes stay, as before distribution's GC).
 * @param ctx - registry context
 * @param target - repository name and digest
 * @returns 202 or an error
 * @internal
 */
export async function deleteBlob(
  ctx: RegistryContext,
  target: { name: string; digest: string },
): Promise<Response> {
  if (ctx.rules.blobDelete === 'unsupported-405')
    return registryError(405, { code: 'UNSUPPORTED' });
  if (parseDigest(target.digest) === undefined)
    return registryError(400, { code: 'DIGEST_INVALID' });
  if (ctx.state.repos.get(target.name)?.blobs.delete(target.digest) !== true) {
    return registryError(404, { code: 'BLOB_UNKNOWN' });
  }
  await ctx.save();
  return emptyResponse(202, { 'content-length': '0' });
}
