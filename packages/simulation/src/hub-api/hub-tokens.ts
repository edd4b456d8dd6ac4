import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type RegistryState, type StoredAccessToken } from '../registry/state.js';
import {
  type AccessTokenScope,
  type HashedAccessToken,
  type SimulatorUser,
} from '../token-service/users.js';
import { type Caller, fieldError, jsonObject } from './hub-caller.js';
import { hubError, hubJson, readPageQuery } from './hub-response.js';

const PERSONAL_SCOPES: readonly AccessTokenScope[] = [
  'repo:public_read',
  'repo:read',
  'repo:write',
  'repo:admin',
];
const RESOURCE_TYPES = ['TYPE_REPO', 'TYPE_ORG'];
const PAT_ROUTE = /^\/v2\/access-tokens(?:\/([^/]+))?\/?$/;
const OAT_ROUTE = /^\/v2\/orgs\/([^/]+)\/access-tokens(?:\/([^/]+))?\/?$/;
const LABEL_MAX = 100;

const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** What the token routes need. @internal */
export interface TokenRoutesOptions {
  readonly state: RegistryState;
  readonly now: () => number;
  /** Persists the state after a change. */
  readonly save: () => Promise<void>;
  /** The accounts every part of the simulator reads (rewritten so created tokens log in). */
  readonly users: SimulatorUser[];
  /** The accounts as configured, before created tokens were added. */
  readonly baseUsers: readonly SimulatorUser[];
  /** Whether `org` is an organisation the simulator knows. */
  readonly isOrg: (org: string) => boolean;
}

/**
 * Rewrites each account's access tokens: the configured ones plus the active, unexpired personal
 * tokens created through the Hub API (known by the hash of their secret), so logins with them
 * work at the token service and the Hub login routes.
 * @param options - state, clock and the account lists
 * @internal
 */
export function syncAccessTokens(options: TokenRoutesOptions): void {
  const now = options.now();
  options.users.length = 0;
  for (const base of options.baseUsers) {
    const created: HashedAccessToken[] = [...options.state.accessTokens.values()]
      .filter(
        (t) =>
          t.kind === 'personal' &&
          t.owner === base.name &&
          t.isActive &&
          (t.expiresAt === undefined || t.expiresAt > now),
      )
      .map((t) => ({
        sha256: t.sha256,
        scope: widest(t.scopes),
        onUse: () => {
          t.lastUsed = options.now();
        },
      }));
    options.users.push(
      created.length === 0
        ? base
        : { ...base, accessTokens: [...(base.accessTokens ?? []), ...created] },
    );
  }
}

function widest(scopes: readonly string[]): AccessTokenScope {
  let best: AccessTokenScope = 'repo:public_read';
  for (const s of scopes) {
    const i = PERSONAL_SCOPES.indexOf(s as AccessTokenScope);
    if (i > PERSONAL_SCOPES.indexOf(best)) best = PERSONAL_SCOPES[i] ?? best;
  }
  return best;
}

function patEntry(t: StoredAccessToken, secret = ''): Record<string, unknown> {
  return {
    uuid: t.uuid,
    client_id: 'HUB',
    creator_ip: '127.0.0.1',
    creator_ua: 'simulation',
    created_at: iso(t.createdAt),
    last_used: iso(t.lastUsed),
    generated_by: 'manual',
    is_active: t.isActive,
    token: secret,
    token_label: t.label,
    scopes: [...t.scopes],
    ...(t.expiresAt === undefined ? {} : { expires_at: iso(t.expiresAt) }),
  };
}

function oatEntry(
  t: StoredAccessToken,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: t.uuid,
    label: t.label,
    description: t.description,
    created_by: t.createdBy,
    is_active: t.isActive,
    created_at: iso(t.createdAt),
    expires_at: iso(t.expiresAt),
    last_used_at: iso(t.lastUsed),
    resources: t.resources.map((r) => ({ ...r, scopes: [...r.scopes] })),
    ...extra,
  };
}

/** Reads `expires_at`: absent or null is no expiry; anything else must be a future RFC 3339 time. */
function expiry(value: unknown, now: number): number | undefined | Response {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms) || ms <= now)
    return fieldError('expires_at', 'expires_at must be a date-time in the future');
  return ms;
}

function label(value: unknown, field: string): string | Response {
  if (typeof value !== 'string' || value.trim() === '' || value.length > LABEL_MAX)
    return fieldError(field, `${field} must be 1 to ${LABEL_MAX} characters`);
  return value;
}

function pageOf(
  items: readonly Record<string, unknown>[],
  url: URL,
): { slice: Record<string, unknown>[]; next: string | null; previous: string | null } | Response {
  const q = readPageQuery(url);
  if (q instanceof Response) return q;
  const start = (q.page - 1) * q.pageSize;
  const link = (page: number): string => {
    const u = new URL(url.href);
    u.searchParams.set('page', String(page));
    u.searchParams.set('page_size', String(q.pageSize));
    return u.toString();
  };
  return {
    slice: items.slice(start, start + q.pageSize),
    next: start + q.pageSize < items.length ? link(q.page + 1) : null,
    previous: q.page > 1 ? link(q.page - 1) : null,
  };
}

/** One call to a token route. */
interface TokenCall {
  readonly caller: Caller;
  readonly request: Request;
  readonly url: URL;
}

/** A page of token entries with its links. */
interface TokenPage {
  readonly slice: Record<string, unknown>[];
  readonly next: string | null;
  readonly previous: string | null;
}

/** What differs between personal and organisation tokens on the shared list, create and item steps. */
interface TokenKind {
  /** Whether a stored token is one of the caller's (personal) or the organisation's. */
  readonly ours: (t: StoredAccessToken | undefined) => t is StoredAccessToken;
  /** The token's entry in answers. */
  readonly entry: (t: StoredAccessToken) => Record<string, unknown>;
  /** The body field of the label: `token_label` or `label`. */
  readonly labelField: string;
  /** The list answer around one page. */
  readonly listBody: (
    all: readonly StoredAccessToken[],
    page: TokenPage,
  ) => Record<string, unknown>;
  /** Creates a token from a JSON object body. */
  readonly create: (body: Record<string, unknown>) => Promise<Response>;
  /** Applies the kind's own `PATCH` fields (after the label, before `is_active`). */
  readonly patch: (token: StoredAccessToken, body: Record<string, unknown>) => void;
}

/** A new token's fields before the secret, id, hash and times are added. */
interface TokenDraft {
  readonly kind: StoredAccessToken['kind'];
  readonly owner: string;
  readonly createdBy: string;
  readonly label: string;
  readonly description: string;
  readonly scopes: readonly string[];
  readonly resources: StoredAccessToken['resources'];
  readonly expiresAt: number | undefined;
}

/** Applies a change to the accounts and persists it. */
async function changed(options: TokenRoutesOptions): Promise<void> {
  syncAccessTokens(options);
  await options.save();
}

/** Stores a new active token with a fresh secret (`prefix` + 20 random bytes); returns both. */
async function storeToken(
  options: TokenRoutesOptions,
  draft: TokenDraft,
  prefix: string,
): Promise<{ token: StoredAccessToken; secret: string }> {
  const secret = `${prefix}${randomBytes(20).toString('base64url')}`;
  const token: StoredAccessToken = {
    uuid: randomUUID(),
    kind: draft.kind,
    owner: draft.owner,
    createdBy: draft.createdBy,
    label: draft.label,
    description: draft.description,
    scopes: draft.scopes,
    resources: draft.resources,
    sha256: sha256(secret),
    createdAt: options.now(),
    expiresAt: draft.expiresAt,
    isActive: true,
    lastUsed: undefined,
  };
  options.state.accessTokens.set(token.uuid, token);
  await changed(options);
  return { token, secret };
}

/** Reads a personal token's `scopes`: a non-empty list of known personal scopes. */
function readScopes(scopes: unknown): string[] | Response {
  if (!Array.isArray(scopes) || scopes.length === 0)
    return fieldError('scopes', 'scopes must list at least one scope');
  const unknown: unknown = scopes.find(
    (s: unknown) => typeof s !== 'string' || !PERSONAL_SCOPES.includes(s as AccessTokenScope),
  );
  if (unknown !== undefined)
    return fieldError(
      'scopes',
      `unknown scope ${JSON.stringify(unknown)}; one of ${PERSONAL_SCOPES.join(', ')}`,
    );
  return scopes as string[];
}

/** `POST /v2/access-tokens`: label, scopes and expiry checked; the secret is in the answer. */
async function createPersonal(
  options: TokenRoutesOptions,
  user: SimulatorUser,
  b: Record<string, unknown>,
): Promise<Response> {
  const l = label(b['token_label'], 'token_label');
  if (l instanceof Response) return l;
  const scopes = readScopes(b['scopes']);
  if (scopes instanceof Response) return scopes;
  const expiresAt = expiry(b['expires_at'], options.now());
  if (expiresAt instanceof Response) return expiresAt;
  const draft: TokenDraft = {
    kind: 'personal',
    owner: user.name,
    createdBy: user.name,
    label: l,
    description: '',
    scopes: [...new Set(scopes)],
    resources: [],
    expiresAt,
  };
  const { token, secret } = await storeToken(options, draft, 'dckr_pat_');
  return hubJson(201, patEntry(token, secret));
}

/** `POST /v2/orgs/{org}/access-tokens`: label, resources and expiry checked; the secret is in the answer. */
async function createOrganization(
  options: TokenRoutesOptions,
  owner: { readonly org: string; readonly user: SimulatorUser },
  b: Record<string, unknown>,
): Promise<Response> {
  const l = label(b['label'], 'label');
  if (l instanceof Response) return l;
  const resources = readResources(b['resources']);
  if (resources instanceof Response) return resources;
  const expiresAt = expiry(b['expires_at'], options.now());
  if (expiresAt instanceof Response) return expiresAt;
  const draft: TokenDraft = {
    kind: 'organization',
    owner: owner.org,
    createdBy: owner.user.name,
    label: l,
    description: typeof b['description'] === 'string' ? b['description'] : '',
    scopes: [...new Set(resources.flatMap((r) => r.scopes))],
    resources,
    expiresAt,
  };
  const { token, secret } = await storeToken(options, draft, 'dckr_oat_');
  return hubJson(201, oatEntry(token, { token: secret }));
}

/** Personal tokens of `user`: `count` and `active_count` in lists, `token_label` labels. */
function personalKind(options: TokenRoutesOptions, user: SimulatorUser): TokenKind {
  return {
    ours: (t): t is StoredAccessToken => t?.kind === 'personal' && t.owner === user.name,
    entry: (t) => patEntry(t),
    labelField: 'token_label',
    listBody: (all, page) => ({
      count: all.length,
      next: page.next,
      previous: page.previous,
      active_count: all.filter((t) => t.isActive).length,
      results: page.slice,
    }),
    create: (b) => createPersonal(options, user, b),
    patch: () => undefined,
  };
}

/** Tokens of organisation `org`: `total` in lists, `label` labels, an editable description. */
function organizationKind(
  options: TokenRoutesOptions,
  owner: { readonly org: string; readonly user: SimulatorUser },
): TokenKind {
  return {
    ours: (t): t is StoredAccessToken => t?.kind === 'organization' && t.owner === owner.org,
    entry: (t) => oatEntry(t),
    labelField: 'label',
    listBody: (all, page) => ({
      total: all.length,
      next: page.next,
      previous: page.previous,
      results: page.slice,
    }),
    create: (b) => createOrganization(options, owner, b),
    patch: (token, b) => {
      if (typeof b['description'] === 'string') token.description = b['description'];
    },
  };
}

/** `GET` the kind's tokens, newest first, one page. */
function listTokens(options: TokenRoutesOptions, url: URL, kind: TokenKind): Response {
  const all = [...options.state.accessTokens.values()]
    .filter(kind.ours)
    .sort((a, b) => b.createdAt - a.createdAt);
  const page = pageOf(
    all.map((t) => kind.entry(t)),
    url,
  );
  if (page instanceof Response) return page;
  return hubJson(200, kind.listBody(all, page));
}

/** The token collection: `GET` lists, `POST` creates from a JSON object body. */
async function tokenCollection(
  options: TokenRoutesOptions,
  call: TokenCall,
  kind: TokenKind,
): Promise<Response> {
  if (call.request.method === 'GET') return listTokens(options, call.url, kind);
  if (call.request.method !== 'POST') return hubError(405, 'Method not allowed');
  const b = await jsonObject(call.request);
  if (b === undefined) return fieldError('body', 'expected a JSON object');
  return kind.create(b);
}

/** `DELETE` one token. */
async function deleteToken(options: TokenRoutesOptions, id: string): Promise<Response> {
  options.state.accessTokens.delete(id);
  await changed(options);
  return new Response(null, { status: 204 });
}

/** `PATCH` one token: its label, the kind's own fields, then `is_active`. */
async function patchToken(
  options: TokenRoutesOptions,
  request: Request,
  kind: TokenKind,
  token: StoredAccessToken,
): Promise<Response> {
  const b = await jsonObject(request);
  if (b === undefined) return fieldError('body', 'expected a JSON object');
  if (b[kind.labelField] !== undefined) {
    const l = label(b[kind.labelField], kind.labelField);
    if (l instanceof Response) return l;
    token.label = l;
  }
  kind.patch(token, b);
  const active = b['is_active'];
  if (active !== undefined && typeof active !== 'boolean')
    return fieldError('is_active', 'is_active must be true or false');
  if (typeof active === 'boolean') token.isActive = active;
  await changed(options);
  return hubJson(200, kind.entry(token));
}

/** One token of the kind: `GET`, `DELETE` or `PATCH`; 404 when it is not the kind's. */
async function tokenItem(
  options: TokenRoutesOptions,
  call: TokenCall,
  kind: TokenKind,
  id: string,
): Promise<Response> {
  const token = options.state.accessTokens.get(id);
  if (!kind.ours(token)) return hubError(404, 'Token not found');
  switch (call.request.method) {
    case 'GET':
      return hubJson(200, kind.entry(token));
    case 'DELETE':
      return deleteToken(options, id);
    case 'PATCH':
      return patchToken(options, call.request, kind, token);
    default:
      return hubError(405, 'Method not allowed');
  }
}

/** `/v2/access-tokens[/{uuid}]`: the signed-in user's personal tokens. */
function personal(
  options: TokenRoutesOptions,
  call: TokenCall,
  id: string | undefined,
): Promise<Response> | Response {
  const user = call.caller.user;
  if (user === undefined)
    return hubJson(401, { detail: 'Authentication credentials were not provided.' });
  const kind = personalKind(options, user);
  return id === undefined
    ? tokenCollection(options, call, kind)
    : tokenItem(options, call, kind, id);
}

/** `/v2/orgs/{org}/access-tokens[/{id}]`: an organisation's tokens, for its password-login members. */
function organization(
  options: TokenRoutesOptions,
  call: TokenCall,
  target: { readonly org: string; readonly id: string | undefined },
): Promise<Response> | Response {
  const { org, id } = target;
  const { caller } = call;
  const user = caller.user;
  if (user === undefined)
    return hubJson(401, { detail: 'Authentication credentials were not provided.' });
  if (!options.isOrg(org)) return hubError(404, 'Organization not found');
  if (!caller.owns(org) || caller.tokenScope !== undefined)
    return hubJson(403, { detail: 'You do not have permission to perform this action.' });
  const kind = organizationKind(options, { org, user });
  return id === undefined
    ? tokenCollection(options, call, kind)
    : tokenItem(options, call, kind, id);
}

/**
 * Personal access tokens (`/v2/access-tokens[/{uuid}]`) and organisation access tokens
 * (`/v2/orgs/{name}/access-tokens[/{id}]`) as the Hub API spec describes them. The secret is
 * returned once, in the creation answer; only its sha256 is kept (and persisted).
 * @param options - state, clock, save and accounts
 * @returns a route handler, answering `undefined` for other paths
 * @internal
 */
export function createTokenRoutes(
  options: TokenRoutesOptions,
): (caller: Caller, request: Request, url: URL) => Promise<Response | undefined> {
  return async (caller, request, url) => {
    const call: TokenCall = { caller, request, url };
    const pat = PAT_ROUTE.exec(url.pathname);
    if (pat !== null) return personal(options, call, pat[1]);
    const oat = OAT_ROUTE.exec(url.pathname);
    if (oat?.[1] !== undefined) return organization(options, call, { org: oat[1], id: oat[2] });
    return undefined;
  };
}

function readResources(
  value: unknown,
): { type: string; path: string; scopes: string[] }[] | Response {
  if (!Array.isArray(value) || value.length === 0)
    return fieldError('resources', 'resources must list at least one {type, path, scopes}');
  const out: { type: string; path: string; scopes: string[] }[] = [];
  for (const r of value) {
    const o = typeof r === 'object' && r !== null ? (r as Record<string, unknown>) : {};
    const scopes = o['scopes'];
    if (
      typeof o['type'] !== 'string' ||
      !RESOURCE_TYPES.includes(o['type']) ||
      typeof o['path'] !== 'string' ||
      o['path'] === '' ||
      !Array.isArray(scopes) ||
      scopes.length === 0 ||
      !scopes.every((s) => typeof s === 'string' && /^[a-z][a-z-]*$/.test(s))
    )
      return fieldError(
        'resources',
        `each resource needs type (${RESOURCE_TYPES.join(' or ')}), path and scopes`,
      );
    out.push({ type: o['type'], path: o['path'], scopes: scopes as string[] });
  }
  return out;
}

/** Whether a path is one of the token routes. @internal */
export function isTokenRoute(path: string): boolean {
  return PAT_ROUTE.test(path) || OAT_ROUTE.test(path);
}
