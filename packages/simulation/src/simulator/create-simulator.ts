import { systemClock } from '@llmdevops/docker-hub-core';
import { resolveProfile, type ProfileRules } from '../profiles/profiles.js';
import { type RequestInfo } from '../registry/registry-handler.js';
import { RegistryState } from '../registry/state.js';
import { SimulatorDispatcher } from '../serve/dispatcher/simulator-dispatcher.js';
import { listen, type ListenOptions, type ListeningServer } from '../serve/node-http/listen.js';
import { type BlobStore } from '../storage/blob-store.js';
import { createDirectoryStore } from '../storage/dir-store.js';
import { forwardingStore } from '../storage/lazy-store.js';
import { createMemoryStore } from '../storage/memory-store.js';
import { type WebhookDelivery } from '../webhooks/emitter.js';
import { createCore } from './create-handler.js';
import { type SimulatorOptions } from './options.js';
import { checkSimulatorOptions } from './validate-options.js';

/** A running simulated registry (and Hub). @public */
export interface Simulator {
  /** The Fetch-style handler: `Request` in, `Response` out. */
  fetch(request: Request, info?: RequestInfo): Promise<Response>;
  /** An undici Dispatcher answering in-process (no sockets). */
  readonly dispatcher: SimulatorDispatcher;
  /** Serves over `node:http` on 127.0.0.1 (a free port by default). */
  listen(options?: ListenOptions): Promise<ListeningServer>;
  /** The storage and the registry's metadata. */
  readonly store: {
    readonly blobs: BlobStore;
    readonly state: RegistryState;
    ready(): Promise<void>;
  };
  /** The resolved profile rules. */
  readonly rules: ProfileRules;
  /** Makes every token issued so far invalid (the "token expires early" fault). */
  expireTokens(): void;
  /** Webhook delivery attempts so far. */
  readonly webhookDeliveries: readonly WebhookDelivery[];
  /** Resolves once pending webhook deliveries are done. */
  webhooksIdle(): Promise<void>;
  /** Token endpoint requests so far (method, account, grant type, scopes, status). */
  readonly tokenRequests: readonly {
    method: string;
    account?: string;
    grantType: string;
    scopes: string[];
    status: number;
  }[];
  /** Closes servers started with `listen` and the dispatcher. */
  close(): Promise<void>;
}

function openStore(storage: SimulatorOptions['storage']): Promise<BlobStore> {
  if (storage === undefined || storage === 'memory') return Promise.resolve(createMemoryStore());
  if ('directory' in storage) return createDirectoryStore(storage.directory);
  return Promise.resolve(storage);
}

/**
 * Creates a simulated Docker Hub / OCI registry. One handler serves every adapter: `fetch`,
 * `dispatcher`, `listen()`, and msw handlers from the `/msw` entry point; faults and rate limits apply identically to all.
 * @param options - profile, storage, auth, users, faults, rate limits, webhooks
 * @returns the simulator
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} for an unknown option, a wrong type or profile name, or when `maxManifestBytes`, `maxApiBodyBytes` or `uploadTtlSeconds` is not positive
 * @example
 * ```ts
 * const sim = createSimulator({ profile: 'dockerhub', users: [{ name: 'alice', password: 'pw' }] });
 * const res = await request('http://registry.test/v2/', { dispatcher: sim.dispatcher });
 * const { url, close } = await sim.listen();
 * ```
 * @public
 */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  checkSimulatorOptions(options);
  const rules = resolveProfile(options.profile, options.rules);
  const state = new RegistryState();
  const memory = createMemoryStore();
  let blobs: BlobStore = memory;
  const ready = (async () => {
    blobs = await openStore(options.storage);
    const saved = await blobs.loadMeta();
    if (saved !== undefined) state.restore(saved);
    for (const [name, r] of Object.entries(options.repositories ?? {})) {
      const repo = state.ensure(name, (options.clock ?? systemClock).now(), r.private ?? false);
      repo.isPrivate = r.private ?? repo.isPrivate;
      if (r.description !== undefined) repo.description = r.description;
    }
  })();
  // Requests await `ready` and see its failure; this only keeps an unused simulator from
  // reporting an unhandled rejection.
  ready.catch(() => undefined);
  const lazyStore = forwardingStore(() => blobs);
  const core = createCore(options, { rules, store: lazyStore, state, ready });
  const dispatcher = new SimulatorDispatcher(core.handle);
  const servers = new Set<ListeningServer>();
  return {
    fetch: core.handle,
    dispatcher,
    async listen(listenOptions) {
      const server = await listen(core.handle, listenOptions);
      servers.add(server);
      return {
        url: server.url,
        close: async () => {
          servers.delete(server);
          await server.close();
        },
      };
    },
    store: { blobs: lazyStore, state, ready: () => ready },
    rules,
    expireTokens: () => {
      core.tokens.expireAll();
    },
    webhookDeliveries: core.webhooks.deliveries,
    webhooksIdle: () => core.webhooks.idle(),
    tokenRequests: core.tokens.log,
    async close() {
      await Promise.all([...servers].map((s) => s.close()));
      servers.clear();
      await dispatcher.close();
      await core.webhooks.idle();
      // Pull counts and last_pulled times change on manifest GETs, which do not save on their own.
      await ready.then(core.save).catch(() => undefined);
    },
  };
}
