import { type TransportRequest } from '@llmdevops/docker-hub-transport';
import {
  catalogScope,
  deleteScope,
  makeScope,
  mergeScopes,
  pullScope,
  pushScope,
  type Scope,
} from '@llmdevops/docker-hub-core';

const ROUTE = /^\/v2\/(.+?)\/(manifests|blobs|tags|referrers)(\/|$)/;

/**
 * The scopes a registry request needs: from the request context (`repository` + `actions`) when
 * present, else inferred from the URL (`/v2/NAME/manifests|blobs|tags/...`, `/v2/_catalog`) and the
 * method (GET/HEAD pull, POST/PUT/PATCH pull+push, DELETE delete); a blob mount
 * (`?mount=&from=SRC`) adds pull on the source repository.
 * @param req - the request
 * @returns the scopes, `[]` for `/v2/` and other routes
 * @public
 */
export function scopesForRequest(req: TransportRequest): Scope[] {
  const ctx = req.context;
  const out: Scope[] = [];
  if (ctx?.repository !== undefined && ctx.actions !== undefined && ctx.actions.length > 0) {
    out.push(makeScope('repository', ctx.repository, ctx.actions));
  } else {
    const path = req.url.pathname;
    if (path === '/v2/_catalog') return [catalogScope()];
    const m = ROUTE.exec(path);
    const name = m?.[1];
    if (name === undefined) return [];
    let repo: string;
    try {
      repo = decodeURIComponent(name);
    } catch {
      return [];
    }
    if (req.method === 'GET' || req.method === 'HEAD') out.push(pullScope(repo));
    else if (req.method === 'DELETE') out.push(deleteScope(repo));
    else out.push(pushScope(repo));
  }
  const from = req.url.searchParams.get('from');
  if (from !== null && from !== '' && req.url.searchParams.has('mount')) out.push(pullScope(from));
  return mergeScopes(out);
}
