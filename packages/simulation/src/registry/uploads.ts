import { drain, iterateBody } from '../internal/streams.js';
import { parseDigest } from '../storage/hashing.js';
import { type RegistryCall, type RegistryContext } from './context.js';
import { emptyResponse, registryError } from './errors.js';
import {
  createSession,
  findSession,
  parseContentRange,
  sessionHeaders,
  type Session,
} from './upload-session.js';

interface Target {
  name: string;
  id: string;
}

async function linkBlob(
  ctx: RegistryContext,
  call: RegistryCall,
  name: string,
  digest: string,
): Promise<Response> {
  ctx.state.ensure(name, ctx.now()).blobs.add(digest);
  await ctx.save();
  return emptyResponse(201, {
    location: `${call.url.origin}/v2/${name}/blobs/${digest}`,
    'docker-content-digest': digest,
    'content-length': '0',
  });
}

async function tryMount(
  ctx: RegistryContext,
  call: RegistryCall,
  name: string,
): Promise<Response | undefined> {
  const digest = call.url.searchParams.get('mount');
  const from = call.url.searchParams.get('from');
  if (digest === null || parseDigest(digest) === undefined) return undefined;
  const visible =
    from === null
      ? ctx.rules.mountWithoutFrom === 'mount-201' &&
        [...ctx.state.repos.values()].some((r) => r.blobs.has(digest))
      : ctx.state.repos.get(from)?.blobs.has(digest) === true && (call.canPull?.(from) ?? true);
  if (!visible || (await ctx.store.stat(digest)) === undefined) return undefined;
  return linkBlob(ctx, call, name, digest);
}

async function finish(
  ctx: RegistryContext,
  call: RegistryCall,
  session: Session,
  digest: string,
): Promise<Response> {
  const result = await ctx.store.commit(session.id, digest);
  if (result.digest !== digest) {
    return registryError(400, { code: 'DIGEST_INVALID', detail: { Digest: digest, Reason: {} } });
  }
  ctx.state.uploads.delete(session.id);
  ctx.sessions.forget(session.id);
  return linkBlob(ctx, call, session.name, digest);
}

/** Drops upload sessions unused for the TTL before serving an upload request. */
function sweepSessions(ctx: RegistryContext): Promise<void> {
  return ctx.sessions.sweep({
    uploads: ctx.state.uploads,
    cancel: (id) => ctx.store.cancel(id),
    save: () => ctx.save(),
  });
}

/**
 * `POST /v2/<name>/blobs/uploads/`: a new session, a mount, or a single-request upload.
 * @param ctx - registry context
 * @param call - the request
 * @param name - repository name
 * @returns 201 or 202 (or an error)
 * @internal
 */
export async function startUpload(
  ctx: RegistryContext,
  call: RegistryCall,
  name: string,
): Promise<Response> {
  await sweepSessions(ctx);
  const mounted = await tryMount(ctx, call, name);
  if (mounted !== undefined) return mounted;
  const digest = call.url.searchParams.get('digest');
  if (digest !== null && ctx.rules.monolithicPost === 'create-201') {
    if (parseDigest(digest) === undefined) return registryError(400, { code: 'DIGEST_INVALID' });
    const session = await createSession(ctx, name);
    await ctx.store.append(session.id, iterateBody(call.request.body), call.request.signal);
    const res = await finish(ctx, call, session, digest);
    if (res.status !== 201) {
      await ctx.store.cancel(session.id);
      ctx.state.uploads.delete(session.id);
      ctx.sessions.forget(session.id);
    }
    return res;
  }
  await drain(call.request.body);
  const session = await createSession(ctx, name);
  return emptyResponse(202, sessionHeaders(ctx, call, session));
}

function outOfOrder(
  ctx: RegistryContext,
  call: RegistryCall,
  session: Session,
): Response | undefined {
  // distribution 2.8 ignores Content-Range entirely (observed), so only the spec profile checks it.
  if (ctx.rules.outOfOrderChunk === 'append-202') return undefined;
  const range = parseContentRange(call.request.headers.get('content-range'));
  if (range === undefined) return undefined;
  if (range === 'invalid' || range.start !== session.size) {
    return registryError(416, { code: 'RANGE_INVALID' }, sessionHeaders(ctx, call, session));
  }
  const length = call.request.headers.get('content-length');
  if (length !== null && Number(length) !== range.end - range.start + 1) {
    return registryError(400, { code: 'SIZE_INVALID' });
  }
  return undefined;
}

/**
 * PATCH, PUT, GET and DELETE on an upload session. PATCH and PUT write one at a time per
 * session: while one is in progress, another gets 416 `RANGE_INVALID` with the session's current
 * `Range` (distribution's answer), so concurrent chunks never interleave.
 * @param ctx - registry context
 * @param call - the request
 * @param target - repository name and session id
 * @returns the session's answer
 * @internal
 */
export async function continueUpload(
  ctx: RegistryContext,
  call: RegistryCall,
  target: Target,
): Promise<Response> {
  await sweepSessions(ctx);
  const found = await findSession(ctx, call, target);
  if (found instanceof Response) return found;
  const method = call.request.method;
  if (method === 'GET') return emptyResponse(204, sessionHeaders(ctx, call, found));
  if (method === 'DELETE') {
    await ctx.store.cancel(found.id);
    ctx.state.uploads.delete(found.id);
    ctx.sessions.forget(found.id);
    await ctx.save();
    return emptyResponse(204, { 'content-length': '0' });
  }
  if (!ctx.sessions.tryLock(found.id)) {
    await call.request.body?.cancel().catch(() => undefined);
    return registryError(416, { code: 'RANGE_INVALID' }, sessionHeaders(ctx, call, found));
  }
  try {
    return await writeUpload(ctx, call, found);
  } finally {
    ctx.sessions.unlock(found.id);
  }
}

/** PATCH (append a chunk) or PUT (last chunk, then commit) on a session this request holds. */
async function writeUpload(
  ctx: RegistryContext,
  call: RegistryCall,
  found: Session,
): Promise<Response> {
  const method = call.request.method;
  if (method === 'PATCH') {
    const type = call.request.headers.get('content-type');
    if (
      ctx.rules.patchContentType === 'octet-stream-only-500' &&
      type !== null &&
      type !== 'application/octet-stream'
    ) {
      return registryError(500, { code: 'UNKNOWN', detail: {} });
    }
    const refused = outOfOrder(ctx, call, found);
    if (refused !== undefined) return refused;
    const st = await ctx.store.append(
      found.id,
      iterateBody(call.request.body),
      call.request.signal,
    );
    return emptyResponse(202, sessionHeaders(ctx, call, { ...found, size: st.size }));
  }
  const digest = call.url.searchParams.get('digest');
  if (digest === null)
    return registryError(400, { code: 'DIGEST_INVALID', detail: 'digest missing' });
  if (parseDigest(digest) === undefined) return registryError(400, { code: 'DIGEST_INVALID' });
  if (call.request.body !== null) {
    const refused = outOfOrder(ctx, call, found);
    if (refused !== undefined) return refused;
    await ctx.store.append(found.id, iterateBody(call.request.body), call.request.signal);
  }
  return finish(ctx, call, found, digest);
}
