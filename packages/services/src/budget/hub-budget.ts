import { accountOf, isDockerHub, type CredentialProvider } from '@llmdevops/docker-hub-auth';
import type { Clock } from '@llmdevops/docker-hub-core';
import { createBudgetMiddleware, type Middleware } from '@llmdevops/docker-hub-transport';
import type { ResolvedDockerHubConfig } from '../config/schema.js';
import { isManifestGet, openPullBudget } from './open-budget.js';
import type { PullBudget } from './pull-budget.js';

/** The namespace of a registry path `/v2/NAMESPACE/REPO/manifests/REF` (`library` for official images). */
function namespaceOf(url: URL): string | undefined {
  const name = /^\/v2\/(.+)\/manifests\/[^/]+$/.exec(url.pathname)?.[1];
  if (name === undefined) return undefined;
  return name.includes('/') ? name.slice(0, name.indexOf('/')) : 'library';
}

/** What {@link createHubBudget} needs from the client. @internal */
export interface HubBudgetDeps {
  readonly clock: Clock | undefined;
  /** The client's credentials, to key the budget by account. */
  readonly credentials: CredentialProvider;
  /** The host serving Docker Hub's registry (`registry-1.docker.io`, or `registryUrl`'s). */
  readonly hubHost: string;
  /** The names of the pool's accounts (empty: the client's own credentials). */
  readonly accounts: readonly string[];
  readonly warn: (message: string) => void;
}

/**
 * The Docker Hub wiring of a pull budget: manifest GETs to Docker Hub's registry spend it (HEADs
 * and blobs do not, as Docker Hub counts), keyed by registry host and account (anonymous pulls:
 * `anonymousKey`).
 * @param config - the client's `budget` settings
 * @param deps - clock, credentials, Docker Hub's registry host, where warnings go
 * @returns the budget and the middleware that spends it
 * @internal
 */
export function createHubBudget(
  config: NonNullable<ResolvedDockerHubConfig['budget']>,
  deps: HubBudgetDeps,
): { readonly budget: PullBudget; readonly middleware: Middleware } {
  const hubHost = deps.hubHost.toLowerCase();
  const isHub = (host: string): boolean => host === hubHost || isDockerHub(host);
  const budget = openPullBudget({
    url: config.url.reveal(),
    onExhausted: config.onExhausted,
    maxWaitMs: config.maxWaitSeconds * 1000,
    reserve: config.reserve,
    priority: config.priority,
    reservationMs: config.reservationSeconds * 1000,
    ...(config.fallback === undefined ? {} : { fallback: config.fallback }),
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    warn: deps.warn,
    keyOf: async (req) => {
      const host = req.url.host.toLowerCase();
      if (!isHub(host)) return undefined;
      if (deps.accounts.length > 0) {
        const candidates = deps.accounts.map((account) => ({ key: `${host}/${account}`, context: { account } }));
        // A repository in an account's namespace (a private one needs its owner) uses that account.
        const owner = candidates.find((c) => c.context.account === namespaceOf(req.url));
        return owner ?? candidates;
      }
      const account = accountOf(await deps.credentials(host, req.signal));
      return `${host}/${account === '' ? config.anonymousKey : account}`;
    },
  });
  const middleware = createBudgetMiddleware({
    budget,
    selects: (req) => isManifestGet(req) && isHub(req.url.host.toLowerCase()),
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
  });
  return { budget, middleware };
}
