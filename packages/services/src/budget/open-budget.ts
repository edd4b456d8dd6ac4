import { fileURLToPath } from 'node:url';
import { ConfigError, systemClock, type Clock } from '@llmdevops/docker-hub-core';
import type { TransportRequest } from '@llmdevops/docker-hub-transport';
import { createFileStore } from './file-store.js';
import { createMemoryStore } from './memory-store.js';
import { PullBudget, type PullBudgetOptions } from './pull-budget.js';
import { createRedisStore } from './redis-store.js';
import type { BudgetStore } from './store.js';

/** The URL schemes a budget may live at. @public */
export const BUDGET_URL_SCHEMES = ['memory:', 'file:', 'redis:', 'rediss:'] as const;

/**
 * Whether a string is a budget URL: `memory:`, `file:///PATH`, `redis://HOST:PORT/DB` or `rediss://...`.
 * @param text - the URL
 * @returns true when it names a budget store
 * @public
 */
export function isBudgetUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  if (!(BUDGET_URL_SCHEMES as readonly string[]).includes(url.protocol)) return false;
  if (url.protocol === 'file:') return url.pathname.length > 1 && !url.pathname.endsWith('/');
  if (url.protocol === 'redis:' || url.protocol === 'rediss:') return url.hostname !== '' && /^\/?\d*$/.test(url.pathname);
  return true;
}

/**
 * Opens the store a budget URL names (nothing connects until the first use).
 * @param text - `memory:`, `file:///PATH`, `redis://[user:password@]HOST:PORT/DB`, `rediss://...`
 * @param clock - time source and sleeper
 * @returns the store
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} for any other URL
 * @internal
 */
export function openBudgetStore(text: string, clock: Clock): BudgetStore {
  if (!isBudgetUrl(text)) {
    throw new ConfigError([{ path: 'budget.url', message: 'must be memory:, file:///PATH, redis://HOST:PORT/DB or rediss://HOST:PORT/DB' }]);
  }
  const url = new URL(text);
  if (url.protocol === 'memory:') return createMemoryStore(clock);
  if (url.protocol === 'file:') return createFileStore(fileURLToPath(url), clock);
  return createRedisStore(url);
}

/** Settings of {@link openPullBudget}. @public */
export interface OpenPullBudgetOptions extends Omit<PullBudgetOptions, 'keyOf' | 'fallbackToLocal'> {
  /** The budget URL (see {@link isBudgetUrl}). */
  readonly url: string;
  /** `local`: on a store failure, continue with a budget of this process (with a warning). */
  readonly fallback?: 'local';
  /** The budget key of a request, or undefined when the budget does not cover it. */
  readonly keyOf: PullBudgetOptions['keyOf'];
}

/**
 * Opens a pull budget at a URL.
 * @param options - URL, behaviour and key function
 * @returns the budget
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} for an unusable URL
 * @example
 * ```ts
 * const budget = openPullBudget({ url: 'redis://127.0.0.1:6379/0', keyOf: () => 'registry-1.docker.io/ci' });
 * ```
 * @public
 */
export function openPullBudget(options: OpenPullBudgetOptions): PullBudget {
  const { url, fallback, ...rest } = options;
  const store = openBudgetStore(url, options.clock ?? systemClock);
  return new PullBudget(store, { ...rest, fallbackToLocal: fallback === 'local' });
}

/** Whether a request is a manifest GET (a pull, as Docker Hub counts them; HEADs are free). @internal */
export function isManifestGet(req: TransportRequest): boolean {
  return req.method === 'GET' && /^\/v2\/.+\/manifests\/[^/]+$/.test(req.url.pathname);
}
