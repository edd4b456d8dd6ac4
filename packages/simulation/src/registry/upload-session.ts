import { createHmac, randomUUID } from 'node:crypto';
import { type RegistryCall, type RegistryContext } from './context.js';
import { registryError } from './errors.js';

/** An open upload session. @internal */
export interface Session {
  readonly id: string;
  readonly name: string;
  readonly size: number;
}

function stateToken(ctx: RegistryContext, id: string, size: number): string {
  return createHmac('sha256', ctx.stateKey)
    .update(`${id}:${size}`)
    .digest('base64url')
    .slice(0, 32);
}

/**
 * The upload URL for a session at a given size (absolute, built from the request's origin, with
 * distribution's `_state` parameter when the profile uses it).
 * @param ctx - registry context
 * @param call - the request
 * @param session - the session
 * @returns the Location value
 * @internal
 */
export function uploadLocation(ctx: RegistryContext, call: RegistryCall, session: Session): string {
  const base = `${call.url.origin}/v2/${session.name}/blobs/uploads/${session.id}`;
  return ctx.rules.uploadStateParam
    ? `${base}?_state=${stateToken(ctx, session.id, session.size)}`
    : base;
}

/**
 * Headers that describe a session (`Location`, `Range`, `Docker-Upload-UUID`).
 * @param ctx - registry context
 * @param call - the request
 * @param session - the session
 * @returns the headers
 * @internal
 */
export function sessionHeaders(
  ctx: RegistryContext,
  call: RegistryCall,
  session: Session,
): Record<string, string> {
  return {
    location: uploadLocation(ctx, call, session),
    range: `0-${Math.max(0, session.size - 1)}`,
    'docker-upload-uuid': session.id,
    'content-length': '0',
  };
}

/**
 * Opens a new session for a repository.
 * @param ctx - registry context
 * @param name - repository name
 * @returns the session
 * @internal
 */
export async function createSession(ctx: RegistryContext, name: string): Promise<Session> {
  const id = randomUUID();
  await ctx.store.createUpload(id);
  ctx.state.uploads.set(id, name);
  ctx.sessions.touch(id);
  await ctx.save();
  return { id, name, size: 0 };
}

/**
 * Finds the session a request names and checks its `_state` (distribution profile).
 * @param ctx - registry context
 * @param call - the request
 * @param target - repository name and session id
 * @returns the session or the error to send
 * @internal
 */
export async function findSession(
  ctx: RegistryContext,
  call: RegistryCall,
  target: { name: string; id: string },
): Promise<Session | Response> {
  const owner = ctx.state.uploads.get(target.id);
  const st = owner === target.name ? await ctx.store.uploadState(target.id) : undefined;
  if (st === undefined) return registryError(404, { code: 'BLOB_UPLOAD_UNKNOWN' });
  ctx.sessions.touch(target.id);
  const session = { id: target.id, name: target.name, size: st.size };
  if (
    ctx.rules.uploadStateParam &&
    call.url.searchParams.get('_state') !== stateToken(ctx, target.id, st.size)
  ) {
    return registryError(404, { code: 'BLOB_UPLOAD_INVALID', detail: {} });
  }
  return session;
}

/**
 * Parses an upload `Content-Range` (`start-end`, inclusive; a `bytes ` unit is tolerated).
 * @param header - the header value
 * @returns the range, `undefined` when absent, or `'invalid'`
 * @internal
 */
export function parseContentRange(
  header: string | null,
): { start: number; end: number } | 'invalid' | undefined {
  if (header === null) return undefined;
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/\*|\/\d+)?$/.exec(header.trim());
  if (m === null) return 'invalid';
  const start = Number(m[1]);
  const end = Number(m[2]);
  return end < start ? 'invalid' : { start, end };
}
