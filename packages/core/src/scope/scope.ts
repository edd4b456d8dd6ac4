import { ValidationError } from '../errors/index.js';

/**
 * One resource scope of the registry token protocol: `type:name:actions`, e.g.
 * `repository:library/alpine:pull` or `registry:catalog:*`.
 * @public
 */
export interface Scope {
  /** Resource type: `repository` or `registry` (a `(class)` suffix is dropped when parsed). */
  readonly type: string;
  /** Resource name; may contain a `host:port` prefix, so it is never split on `:`. */
  readonly name: string;
  /** Actions in canonical order (`pull`, `push`, `delete`, then others sorted). */
  readonly actions: readonly string[];
}

const ACTION_ORDER = ['pull', 'push', 'delete', '*'];
const TYPE_RE = /^[a-z0-9]+(\([a-z0-9]+\))?$/;
const ACTION_RE = /^[a-z*]*$/;

function orderActions(actions: Iterable<string>): string[] {
  const unique = [...new Set(actions)].filter((a) => a !== '');
  return unique.sort((a, b) => {
    const ia = ACTION_ORDER.indexOf(a);
    const ib = ACTION_ORDER.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
    return a < b ? -1 : 1; // unique, so never equal
  });
}

/**
 * Builds a scope with its actions de-duplicated and in canonical order.
 * @param type - resource type
 * @param name - resource name
 * @param actions - actions
 * @returns the scope
 * @public
 */
export function makeScope(type: string, name: string, actions: Iterable<string>): Scope {
  return { type, name, actions: orderActions(actions) };
}

/**
 * `repository:NAME:pull` (reading manifests, blobs and tags).
 * @param repository - repository name, e.g. `library/alpine`
 * @returns the scope
 * @public
 */
export function pullScope(repository: string): Scope {
  return makeScope('repository', repository, ['pull']);
}

/**
 * `repository:NAME:pull,push` (uploads and manifest pushes; push needs pull too).
 * @param repository - repository name
 * @returns the scope
 * @public
 */
export function pushScope(repository: string): Scope {
  return makeScope('repository', repository, ['pull', 'push']);
}

/**
 * `repository:NAME:delete` (what distribution challenges for a DELETE).
 * @param repository - repository name
 * @returns the scope
 * @public
 */
export function deleteScope(repository: string): Scope {
  return makeScope('repository', repository, ['delete']);
}

/**
 * `registry:catalog:*`, the only `registry` resource.
 * @returns the scope
 * @public
 */
export function catalogScope(): Scope {
  return makeScope('registry', 'catalog', ['*']);
}

/**
 * The scopes a cross-repository blob mount needs: push on the target and pull on the source.
 * @param target - repository receiving the blob
 * @param source - repository the blob is mounted from
 * @returns `[repository:target:pull,push, repository:source:pull]` (merged when equal)
 * @public
 */
export function mountScopes(target: string, source: string): Scope[] {
  return mergeScopes([pushScope(target), pullScope(source)]);
}

/**
 * Formats one scope as the token protocol spells it.
 * @param scope - the scope
 * @returns e.g. `repository:library/alpine:pull,push`
 * @public
 */
export function formatScope(scope: Scope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(',')}`;
}

/**
 * Parses a space-separated scope list (a challenge's `scope` parameter). The type is the text
 * before the first `:`, the actions the text after the last `:`, the name everything between, so
 * names with a `host:port` survive. A resource class such as `repository(plugin)` is dropped
 * (deprecated and ignored by the spec).
 * @param text - e.g. `repository:a/b:pull,push repository:c/d:pull`
 * @returns the scopes, merged
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} (`INVALID_ARGUMENT`) when an entry is not `type:name:actions`
 * @public
 */
export function parseScopes(text: string): Scope[] {
  const out: Scope[] = [];
  for (const part of text.split(/\s+/)) {
    if (part === '') continue;
    const first = part.indexOf(':');
    const last = part.lastIndexOf(':');
    const type = part.slice(0, first);
    const name = part.slice(first + 1, last);
    const actions = part.slice(last + 1);
    if (
      first <= 0 ||
      last === first ||
      name === '' ||
      !TYPE_RE.test(type) ||
      !actions.split(',').every((a) => ACTION_RE.test(a))
    ) {
      throw new ValidationError(
        'INVALID_ARGUMENT',
        `scope entry is not "type:name:actions" (${JSON.stringify(part.slice(0, 200))})`,
        part,
      );
    }
    out.push(makeScope(type.replace(/\(.*\)$/, ''), name, actions.split(',')));
  }
  return mergeScopes(out);
}

/**
 * Like {@link parseScopes} but returns `[]` instead of throwing.
 * @param text - a scope list
 * @returns the scopes, or `[]` when malformed
 * @public
 */
export function tryParseScopes(text: string | undefined): Scope[] {
  if (text === undefined) return [];
  try {
    return parseScopes(text);
  } catch {
    return [];
  }
}

/**
 * Merges scopes naming the same resource into one with the union of their actions, keeping the
 * order in which resources first appear.
 * @param scopes - any scopes
 * @returns merged scopes
 * @public
 */
export function mergeScopes(scopes: Iterable<Scope>): Scope[] {
  const byKey = new Map<string, { type: string; name: string; actions: Set<string> }>();
  for (const s of scopes) {
    const key = `${s.type}:${s.name}`;
    const entry = byKey.get(key) ?? { type: s.type, name: s.name, actions: new Set<string>() };
    for (const a of s.actions) entry.actions.add(a);
    byKey.set(key, entry);
  }
  return [...byKey.values()].map((e) => makeScope(e.type, e.name, e.actions));
}

/**
 * Whether the `granted` scopes include every action of every `needed` scope (`*` grants all).
 * @param granted - scopes a token was obtained for
 * @param needed - scopes a request needs
 * @returns true when `granted` covers `needed`
 * @public
 */
export function scopesCover(granted: readonly Scope[], needed: readonly Scope[]): boolean {
  return needed.every((n) => {
    // Every scope granted for the resource counts: the list need not be merged.
    const same = granted.filter((s) => s.type === n.type && s.name === n.name);
    if (same.length === 0) return false;
    return n.actions.every((a) =>
      same.some((g) => g.actions.includes('*') || g.actions.includes(a)),
    );
  });
}

/**
 * A canonical, order-independent string for a scope set (used in cache keys).
 * @param scopes - scopes
 * @returns the merged scopes formatted and sorted, joined by spaces
 * @public
 */
export function scopeSetKey(scopes: readonly Scope[]): string {
  return mergeScopes(scopes).map(formatScope).sort().join(' ');
}
