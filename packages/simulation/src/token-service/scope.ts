/** One requested scope `type:name:actions`. @public */
export interface Scope {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/**
 * Parses one resource scope. The name may hold `host:port`, so the type is split at the first
 * colon and the actions at the last.
 * @param value - e.g. `repository:library/alpine:pull,push`
 * @returns the scope, or `undefined` when malformed
 * @internal
 */
export function parseScope(value: string): Scope | undefined {
  const first = value.indexOf(':');
  const last = value.lastIndexOf(':');
  if (first <= 0 || last <= first) return undefined;
  const actions = value
    .slice(last + 1)
    .split(',')
    .filter((a) => a !== '');
  return { type: value.slice(0, first), name: value.slice(first + 1, last), actions };
}

/**
 * Formats a scope for a challenge.
 * @param scope - the scope
 * @returns `type:name:a,b`
 * @internal
 */
export function formatScope(scope: Scope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(',')}`;
}
