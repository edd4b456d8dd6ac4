import { registryError } from '../registry/errors.js';
import { type TokenClaims } from './jwt.js';
import { formatScope, type Scope } from '@llmdevops/docker-hub-core';
import { type TokenService } from './token-service.js';
import { authenticate, parseBasic, type SimulatorUser } from './users.js';

/** How the registry authenticates. @public */
export type AuthMode = 'none' | 'basic' | 'token';

/** Who a request is, once admitted. @internal */
export interface Principal {
  readonly account?: string;
  canPull(name: string): boolean;
}

/** Options of {@link createAuthGate}. @internal */
export interface AuthGateOptions {
  readonly mode: AuthMode;
  readonly users: readonly SimulatorUser[];
  readonly tokens: TokenService;
  readonly service: string;
  /** Fixed realm; default `<request origin>/token`. */
  readonly realm?: string;
}

function detail(scopes: readonly Scope[]): unknown {
  if (scopes.length === 0) return null;
  return scopes.flatMap((s) =>
    s.actions.map((a) => ({ Type: s.type, Class: '', Name: s.name, Action: a })),
  );
}

function allows(claims: TokenClaims, scope: Scope): boolean {
  const entry = claims.access.find((e) => e.type === scope.type && e.name === scope.name);
  return scope.actions.every(
    (a) => entry?.actions.includes(a) === true || entry?.actions.includes('*') === true,
  );
}

/**
 * The registry's authentication check, per mode: none, htpasswd-style Basic, or bearer tokens
 * with challenges exactly as distribution sends them (401 `insufficient_scope`, never 403).
 * @param options - mode, users, token service
 * @returns a check that admits a request or answers 401
 * @internal
 */
export function createAuthGate(
  options: AuthGateOptions,
): (request: Request, scopes: readonly Scope[]) => Principal | Response {
  const open: Principal = { canPull: () => true };
  const challenge = (origin: string, scopes: readonly Scope[], error?: string): Response => {
    const realm = options.realm ?? `${origin}/token`;
    let value = `Bearer realm="${realm}",service="${options.service}"`;
    if (scopes.length > 0) value += `,scope="${scopes.map(formatScope).join(' ')}"`;
    if (error !== undefined) value += `,error="${error}"`;
    return registryError(
      401,
      { code: 'UNAUTHORIZED', detail: detail(scopes) },
      { 'www-authenticate': value },
    );
  };
  return (request, scopes) => {
    if (options.mode === 'none') return open;
    const header = request.headers.get('authorization');
    if (options.mode === 'basic') {
      const basic = parseBasic(header);
      const user: SimulatorUser | undefined =
        basic && authenticate(options.users, basic.name, basic.password);
      if (user === undefined) {
        return registryError(
          401,
          { code: 'UNAUTHORIZED', detail: detail(scopes) },
          { 'www-authenticate': 'Basic realm="simulation"' },
        );
      }
      return { account: user.name, canPull: () => true };
    }
    const origin = new URL(request.url).origin;
    const m = /^bearer\s+(\S+)$/i.exec(header ?? '');
    if (m?.[1] === undefined) return challenge(origin, scopes);
    const claims = options.tokens.verify(m[1]);
    if (claims === undefined) return challenge(origin, scopes, 'invalid_token');
    if (!scopes.every((s) => allows(claims, s)))
      return challenge(origin, scopes, 'insufficient_scope');
    return {
      ...(claims.sub === '' ? {} : { account: claims.sub }),
      canPull: (name) => allows(claims, { type: 'repository', name, actions: ['pull'] }),
    };
  };
}
