import { AuthenticationError, pullScope, Secret, ServerError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { TokenCache } from '../cache/token-cache.js';
import { ANONYMOUS, toCredential } from '../credentials/types.js';
import { type TokenRequest } from '../token/token-client.js';
import { type RegistryToken } from '../token/token-response.js';
import { type AuthEvent } from './auth-events.js';
import { type TokenAcquirerOptions, TokenAcquirer } from './token-acquirer.js';

const NOW = 1_700_000_000_000;
const clock = { now: () => NOW };
const bearer = { realm: 'https://auth.test/token', service: 'reg' };
const scopes = [pullScope('a/b')];

function token(value: string, refresh?: string): RegistryToken {
  return {
    token: new Secret(value),
    issuedAt: NOW,
    expiresAt: NOW + 300_000,
    refreshToken: refresh === undefined ? undefined : new Secret(refresh),
    scopes,
  };
}

/** An acquirer whose token service is a script; records each request it got. */
function acquirer(
  answer: (request: TokenRequest, n: number) => Promise<RegistryToken>,
  extra: Partial<TokenAcquirerOptions> = {},
): { tokens: TokenAcquirer; requests: TokenRequest[]; events: AuthEvent[] } {
  const requests: TokenRequest[] = [];
  const events: AuthEvent[] = [];
  const tokens = new TokenAcquirer({
    cache: new TokenCache({ clock }),
    clock,
    insecureHosts: new Set(),
    emit: (e) => events.push(e),
    transportNext: undefined,
    fetchToken: async (request) => {
      requests.push(request);
      return answer(request, requests.length);
    },
    clientId: undefined,
    offlineToken: undefined,
    forceOAuth: undefined,
    ...extra,
  });
  return { tokens, requests, events };
}

const alice = toCredential({ username: 'alice', password: 'pw' });

describe('TokenAcquirer', () => {
  it('asks for exactly the realm, service, scopes and credential, adding only the options that are set', async () => {
    const plain = acquirer(async () => Promise.resolve(token('t1')));
    await plain.tokens.obtain({ bearer, credential: alice, scopes, signal: undefined }, false);
    expect(Object.keys(plain.requests[0] ?? {}).sort()).toEqual(
      ['credential', 'insecureHosts', 'realm', 'scopes', 'service'].sort(),
    );
    const signal = new AbortController().signal;
    const all = acquirer(async () => Promise.resolve(token('t1')), {
      clientId: 'me',
      offlineToken: false,
      forceOAuth: true,
    });
    await all.tokens.obtain({ bearer, credential: alice, scopes, signal }, false);
    expect(all.requests[0]).toMatchObject({
      realm: 'https://auth.test/token',
      service: 'reg',
      clientId: 'me',
      offlineToken: false,
      forceOAuth: true,
      signal,
    });
  });

  it('reuses a cached token unless forced, and reports each new token', async () => {
    const { tokens, requests, events } = acquirer(async (_r, n) => Promise.resolve(token(`t${n}`)));
    const need = { bearer, credential: alice, scopes, signal: undefined };
    expect((await tokens.obtain(need, false)).token.reveal()).toBe('t1');
    expect((await tokens.obtain(need, false)).token.reveal()).toBe('t1');
    expect((await tokens.obtain(need, true)).token.reveal()).toBe('t2');
    expect(requests).toHaveLength(2);
    expect(events).toEqual([
      {
        type: 'token',
        realmHost: 'auth.test',
        scopes: ['repository:a/b:pull'],
        expiresAt: NOW + 300_000,
        account: 'alice',
      },
      {
        type: 'token',
        realmHost: 'auth.test',
        scopes: ['repository:a/b:pull'],
        expiresAt: NOW + 300_000,
        account: 'alice',
      },
    ]);
  });

  it('exchanges a kept refresh token (a copy) with the refresh grant for later basic-credential tokens', async () => {
    const { tokens, requests } = acquirer(async (_r, n) =>
      Promise.resolve(token(`t${n}`, `refresh-${n}`)),
    );
    const need = { bearer, credential: alice, scopes, signal: undefined };
    const first = await tokens.obtain(need, false);
    first.refreshToken?.dispose();
    await tokens.obtain(need, true);
    const second = requests[1]?.credential;
    expect(second?.kind).toBe('identity-token');
    expect(second).toMatchObject({ username: 'alice', source: 'explicit' });
    expect(second?.kind === 'identity-token' ? second.token.reveal() : '').toBe('refresh-1');
    await tokens.obtain(need, true);
    const third = requests[2]?.credential;
    expect(third?.kind === 'identity-token' ? third.token.reveal() : '').toBe('refresh-2');
  });

  it('keeps no refresh token for non-basic credentials or one already disposed', async () => {
    const idt = toCredential({ username: 'bob', identityToken: 'idt' });
    const { tokens, requests } = acquirer(async (_r, n) =>
      Promise.resolve(token(`t${n}`, `refresh-${n}`)),
    );
    await tokens.obtain({ bearer, credential: idt, scopes, signal: undefined }, false);
    await tokens.obtain({ bearer, credential: idt, scopes, signal: undefined }, true);
    expect(requests[1]?.credential).toBe(idt);
    await tokens.obtain({ bearer, credential: ANONYMOUS, scopes, signal: undefined }, false);
    await tokens.obtain({ bearer, credential: ANONYMOUS, scopes, signal: undefined }, true);
    expect(requests[3]?.credential).toBe(ANONYMOUS);
    const disposed = acquirer(async (_r, n) => {
      const t = token(`t${n}`, 'gone');
      t.refreshToken?.dispose();
      return Promise.resolve(t);
    });
    await disposed.tokens.obtain({ bearer, credential: alice, scopes, signal: undefined }, false);
    await disposed.tokens.obtain({ bearer, credential: alice, scopes, signal: undefined }, true);
    expect(disposed.requests[1]?.credential).toBe(alice);
  });

  it('falls back to the credential when the refresh token is refused, and forgets it', async () => {
    const { tokens, requests } = acquirer(async (r, n) => {
      if (r.credential.kind === 'identity-token' && n === 2) {
        return Promise.reject(new AuthenticationError('refused', { status: 401 }));
      }
      return Promise.resolve(token(`t${n}`, n === 1 ? 'refresh-1' : undefined));
    });
    const need = { bearer, credential: alice, scopes, signal: undefined };
    await tokens.obtain(need, false);
    expect((await tokens.obtain(need, true)).token.reveal()).toBe('t3');
    expect(requests.map((r) => r.credential.kind)).toEqual(['basic', 'identity-token', 'basic']);
    await tokens.obtain(need, true);
    expect(requests[3]?.credential).toBe(alice);
  });

  it('passes other failures of the refresh exchange on', async () => {
    const failure = new ServerError('down', { status: 503 });
    const { tokens } = acquirer(async (r) =>
      r.credential.kind === 'identity-token'
        ? Promise.reject(failure)
        : Promise.resolve(token('t', 'refresh')),
    );
    const need = { bearer, credential: alice, scopes, signal: undefined };
    await tokens.obtain(need, false);
    await expect(tokens.obtain(need, true)).rejects.toBe(failure);
  });

  it('refuses to exchange without a transport, and uses the fallback next once it is set', async () => {
    const tokens = new TokenAcquirer({
      cache: new TokenCache({ clock }),
      clock,
      insecureHosts: new Set(),
      emit: () => undefined,
      transportNext: undefined,
      fetchToken: undefined,
      clientId: undefined,
      offlineToken: undefined,
      forceOAuth: undefined,
    });
    const need = { bearer, credential: ANONYMOUS, scopes, signal: undefined };
    const error: unknown = await tokens.obtain(need, false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).message).toBe(
      'no transport to reach the token service yet',
    );
    const sent: string[] = [];
    tokens.fallbackNext = async (req) => {
      sent.push(req.url.href);
      return Promise.reject(new Error('offline'));
    };
    await expect(tokens.obtain(need, false)).rejects.toThrow('offline');
    expect(sent).toEqual(['https://auth.test/token?service=reg&scope=repository%3Aa%2Fb%3Apull']);
  });

  it('zeroes kept and retired refresh tokens on dispose', async () => {
    const { tokens } = acquirer(async (_r, n) => Promise.resolve(token(`t${n}`, `refresh-${n}`)));
    const need = { bearer, credential: alice, scopes, signal: undefined };
    await tokens.obtain(need, false);
    await tokens.obtain(need, true);
    const original = Secret.prototype.dispose;
    const disposedValues: string[] = [];
    Secret.prototype.dispose = function (this: Secret): void {
      if (!this.disposed) disposedValues.push(this.reveal());
      original.call(this);
    };
    try {
      tokens.dispose();
    } finally {
      Secret.prototype.dispose = original;
    }
    expect(disposedValues.sort()).toEqual(['refresh-1', 'refresh-2']);
  });
});
