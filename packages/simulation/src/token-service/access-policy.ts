import { type RegistryState } from '../registry/state.js';
import { type Scope } from '@llmdevops/docker-hub-core';
import { type AccessTokenScope, scopeAllows, type SimulatorUser } from './users.js';

/** Inputs of the grant decision. @internal */
export interface AccessPolicyOptions {
  readonly state: RegistryState;
  /** Whether anonymous and other users get `pull` on repositories that do not exist (so they see 404). */
  readonly revealMissing: boolean;
}

/**
 * The actions granted for one scope: the intersection of what was asked and what the account may
 * do (a partial grant is not an error, as in the token specification).
 * @param options - state and profile rule
 * @param user - the authenticated user, or `undefined` for anonymous
 * @param scope - the requested scope
 * @param tokenScope - the access token's scope when the user logged in with one (a password has every scope)
 * @returns granted actions
 * @internal
 */
export function grantedActions(
  options: AccessPolicyOptions,
  user: SimulatorUser | undefined,
  scope: Scope,
  tokenScope?: AccessTokenScope,
): string[] {
  if (scope.type === 'registry') {
    return scope.name === 'catalog' && user !== undefined
      ? scope.actions.filter((a) => a === '*')
      : [];
  }
  if (scope.type !== 'repository') return [];
  const namespace = scope.name.split('/')[0] ?? '';
  const owner =
    user !== undefined && (user.namespaces === undefined || user.namespaces.includes(namespace));
  const repo = options.state.repos.get(scope.name);
  const canPull =
    (owner && scopeAllows(tokenScope, 'repo:read')) ||
    (repo === undefined ? options.revealMissing : !repo.isPrivate);
  return scope.actions.filter((a) => {
    if (a === 'pull') return canPull;
    // A read-only access token pulls but never pushes (Docker Hub's Read / Write / Delete scopes).
    if (a === 'push') return owner && scopeAllows(tokenScope, 'repo:write');
    if (a === 'delete' || a === '*') return owner && scopeAllows(tokenScope, 'repo:admin');
    return false;
  });
}
