import { makeScope, Secret, type Scope } from '@llmdevops/docker-hub-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RegistryToken } from '../token/token-response.js';
import { TokenCache, type TokenCacheKey } from './token-cache.js';

// The model below is written from TokenCache's TSDoc, not from its code: tokens are keyed by
// realm, service, account and the scope set (order, splitting and duplicates do not matter); get
// returns the fresh token stored under exactly that key, else any fresh token of the same realm,
// service and account whose scopes grant every requested action (`*` grants all); a token is
// fresh while now < expiresAt - margin; a replaced or evicted token may still be in use, so it is
// zeroed only once it expired more than 5 minutes ago, or on dispose.

const RETIRED_GRACE_MS = 300_000;

/** The canonical text of a scope set: each resource once, its actions as a sorted set. */
function scopeSetText(scopes: readonly Scope[]): string {
  const byResource = new Map<string, Set<string>>();
  for (const s of scopes) {
    const key = `${s.type} ${s.name}`;
    const actions = byResource.get(key) ?? new Set<string>();
    for (const a of s.actions) actions.add(a);
    byResource.set(key, actions);
  }
  return [...byResource]
    .map(([resource, actions]) => `${resource} ${[...actions].sort().join(',')}`)
    .sort()
    .join('|');
}

const baseOf = (k: TokenCacheKey): string => `${k.realm}\n${k.service}\n${k.account}`;
const fullOf = (k: TokenCacheKey): string => `${baseOf(k)}\n${scopeSetText(k.scopes)}`;

function grantsAll(granted: readonly Scope[], needed: readonly Scope[]): boolean {
  return needed.every((n) =>
    n.actions.every((a) =>
      granted.some(
        (g) =>
          g.type === n.type &&
          g.name === n.name &&
          (g.actions.includes(a) || g.actions.includes('*')),
      ),
    ),
  );
}

const scope = fc
  .record({
    name: fc.constantFrom('a', 'b', 'team/app', 'host:5000/a'),
    actions: fc.subarray(['pull', 'push', 'delete', '*'], { minLength: 1 }),
  })
  .map(({ name, actions }) => makeScope('repository', name, actions));
const scopes = fc.array(scope, { minLength: 1, maxLength: 3 });
const key: fc.Arbitrary<TokenCacheKey> = fc.record({
  realm: fc.constantFrom('https://auth.one/token', 'https://auth.two/token'),
  service: fc.constantFrom('', 'registry'),
  account: fc.constantFrom('', 'alice'),
  scopes,
});

type Step =
  | { kind: 'set'; key: TokenCacheKey; tokenScopes: 'same' | readonly Scope[]; lifetime: number }
  | { kind: 'get'; key: TokenCacheKey }
  | { kind: 'evict'; which: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'dispose' };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      key,
      // Usually the token is for what was asked; sometimes for other scopes (wider or not).
      tokenScopes: fc.oneof(fc.constant('same' as const), scopes),
      lifetime: fc.integer({ min: -400_000, max: 900_000 }),
    }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('evict' as const), which: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      ms: fc.oneof(fc.nat(20_000), fc.nat(800_000)),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dispose' as const) }) },
);

describe('TokenCache against a model (properties)', () => {
  it('get, set, evict and dispose keep to the documented contract over any sequence', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60_000 }),
        fc.array(step, { minLength: 10, maxLength: 120, size: 'max' }),
        (margin, steps) => {
          let now = 1_000_000_000;
          const cache = new TokenCache({ clock: { now: () => now }, refreshMarginMs: margin });
          const model = new Map<string, { key: TokenCacheKey; token: RegistryToken }>();
          const created: { token: RegistryToken; createdAt: number }[] = [];
          let disposedAllAt = Number.NEGATIVE_INFINITY;
          const fresh = (t: RegistryToken): boolean => now < t.expiresAt - margin;

          for (const s of steps) {
            if (s.kind === 'set') {
              const token: RegistryToken = {
                token: new Secret(`token-${created.length}`),
                issuedAt: now,
                expiresAt: now + s.lifetime,
                refreshToken: undefined,
                scopes: s.tokenScopes === 'same' ? s.key.scopes : s.tokenScopes,
              };
              created.push({ token, createdAt: now });
              cache.set(s.key, token);
              model.set(fullOf(s.key), { key: s.key, token });
            } else if (s.kind === 'get') {
              const got = cache.get(s.key);
              const exact = model.get(fullOf(s.key));
              const candidates = [...model.values()]
                .filter((e) => baseOf(e.key) === baseOf(s.key) && fresh(e.token))
                .filter((e) => grantsAll(e.token.scopes, s.key.scopes))
                .map((e) => e.token);
              if (exact !== undefined && fresh(exact.token)) expect(got).toBe(exact.token);
              else if (candidates.length === 0) expect(got).toBeUndefined();
              else expect(candidates).toContain(got);
              if (got !== undefined) expect(got.token.reveal()).toMatch(/^token-/);
            } else if (s.kind === 'evict') {
              const target = created[s.which % Math.max(1, created.length)]?.token;
              if (target === undefined) continue;
              const held = [...model].filter(([, e]) => e.token === target);
              expect(cache.evict(target)).toBe(held.length > 0);
              for (const [k] of held) model.delete(k);
            } else if (s.kind === 'tick') {
              now += s.ms;
            } else {
              cache.dispose();
              model.clear();
              disposedAllAt = now;
            }

            expect(cache.size).toBe(model.size);
            const held = new Set([...model.values()].map((e) => e.token));
            for (const { token, createdAt } of created) {
              // A token the cache holds is never zeroed; one it let go is zeroed only after its
              // grace period, or by dispose().
              if (held.has(token)) expect(token.token.disposed).toBe(false);
              else if (token.token.disposed) {
                expect(token.expiresAt + RETIRED_GRACE_MS < now || disposedAllAt >= createdAt).toBe(
                  true,
                );
              }
            }
          }
          cache.dispose();
          for (const { token } of created) expect(token.token.disposed).toBe(true);
        },
      ),
    );
  });

  it('concurrent getOrFetch calls fetch once per distinct key, however the scopes are spelled', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(key, { minLength: 1, maxLength: 8 }), async (keys) => {
        const cache = new TokenCache({ clock: { now: () => 0 } });
        const fetched: string[] = [];
        // Spelled differently each time: scopes reversed and doubled.
        const calls = keys.map((k, i) =>
          cache.getOrFetch(
            {
              ...k,
              scopes: i % 2 === 0 ? k.scopes : [...k.scopes].reverse().flatMap((s) => [s, s]),
            },
            () => {
              fetched.push(fullOf(k));
              return Promise.resolve({
                token: new Secret(`t${fetched.length}`),
                issuedAt: 0,
                expiresAt: 3_600_000,
                refreshToken: undefined,
                scopes: k.scopes,
              });
            },
          ),
        );
        const tokens = await Promise.all(calls);
        expect(fetched.length).toBe(new Set(keys.map(fullOf)).size);
        expect(new Set(fetched).size).toBe(fetched.length);
        // Calls for the same key got the same token.
        keys.forEach((k, i) => {
          const first = keys.findIndex((other) => fullOf(other) === fullOf(k));
          expect(tokens[i]).toBe(tokens[first]);
        });
      }),
    );
  });

  it('returns a stored token exactly while now < expiresAt - refreshMargin', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 600_000 }),
        fc.integer({ min: -600_000, max: 600_000 }),
        fc.integer({ min: 0, max: 1_200_000 }),
        key,
        (margin, lifetime, elapsed, k) => {
          let now = 1_000_000_000;
          const cache = new TokenCache({ clock: { now: () => now }, refreshMarginMs: margin });
          const t: RegistryToken = {
            token: new Secret('t'),
            issuedAt: now,
            expiresAt: now + lifetime,
            refreshToken: undefined,
            scopes: k.scopes,
          };
          cache.set(k, t);
          now += elapsed;
          const isFresh = now < t.expiresAt - margin;
          expect(cache.isFresh(t)).toBe(isFresh);
          expect(cache.get(k)).toBe(isFresh ? t : undefined);
          expect(cache.size).toBe(1);
        },
      ),
    );
  });
});

describe('TokenCache defaults', () => {
  it('uses the system clock and a 10 s refresh margin when given no options', () => {
    const cache = new TokenCache();
    const token = (expiresAt: number): RegistryToken => ({
      token: new Secret('t'),
      issuedAt: expiresAt - 60_000,
      expiresAt,
      refreshToken: undefined,
      scopes: [],
    });
    // Far from the boundaries in both directions, so the real clock cannot make this flaky.
    expect(cache.isFresh(token(Date.now() + 3_600_000))).toBe(true);
    expect(cache.isFresh(token(Date.now() + 5_000))).toBe(false);
    expect(cache.isFresh(token(Date.now() - 1))).toBe(false);
  });
});
