import { randomBytes } from 'node:crypto';
import { systemClock } from '@llmdevops/docker-hub-core';
import { faultBody, faultResponse } from '../faults/apply-fault.js';
import { FaultPlan } from '../faults/faults.js';
import { PullRateLimiter } from '../faults/rate-limit.js';
import { createHubHandler } from '../hub-api/hub-handler.js';
import { boundBody, DEFAULT_MAX_API_BODY_BYTES } from '../internal/bounded-body.js';
import { type ProfileRules } from '../profiles/profiles.js';
import { type RegistryContext } from '../registry/context.js';
import { jsonResponse, registryError } from '../registry/errors.js';
import { createRegistryHandler, type RequestInfo } from '../registry/registry-handler.js';
import { DEFAULT_UPLOAD_TTL_SECONDS, SessionTracker } from '../registry/session-tracker.js';
import { type RegistryState } from '../registry/state.js';
import { type BlobStore } from '../storage/blob-store.js';
import { createAuthGate } from '../token-service/auth-gate.js';
import { TokenService } from '../token-service/token-service.js';
import { WebhookEmitter } from '../webhooks/emitter.js';
import { pushPayload } from '../webhooks/push-payload.js';
import { type SimulatorOptions } from './options.js';

/** The assembled parts of a simulator. @internal */
export interface SimulatorCore {
  readonly handle: (request: Request, info?: RequestInfo) => Promise<Response>;
  readonly tokens: TokenService;
  readonly webhooks: WebhookEmitter;
  /** Writes the state now (pull counts and pull times are otherwise written with the next change). */
  readonly save: () => Promise<void>;
}

/**
 * Wires the registry, token service, Hub API, rate limits, faults and webhooks into one handler.
 * @param options - simulator options
 * @param parts - resolved rules, store, state and a readiness promise
 * @returns the handler and the services tests poke at
 * @internal
 */
export function createCore(
  options: SimulatorOptions,
  parts: { rules: ProfileRules; store: BlobStore; state: RegistryState; ready: Promise<void> },
): SimulatorCore {
  const clock = options.clock ?? systemClock;
  const now = (): number => clock.now();
  // One array every part reads; the Hub handler adds the access tokens created through its API.
  const users = [...(options.users ?? [])];
  const service =
    options.service ?? (parts.rules.hubTokenService ? 'registry.docker.io' : 'simulation-registry');
  const tokens = new TokenService({
    users,
    policy: {
      state: parts.state,
      revealMissing: parts.rules.missingRepoAnswer === 'not-found-404',
    },
    now,
    key: randomBytes(32),
    expiresIn: options.tokenExpiresIn ?? 300,
    service,
  });
  const webhooks = new WebhookEmitter(options.webhooks ?? [], options.webhookAttempts ?? 3);
  const hubBase = options.hubUrl ?? 'https://hub.docker.com';
  let saving: Promise<void> = Promise.resolve();
  const ctx: RegistryContext = {
    store: parts.store,
    state: parts.state,
    rules: parts.rules,
    now,
    stateKey: randomBytes(32),
    maxManifestBytes: options.maxManifestBytes ?? 4 * 1024 * 1024,
    sessions: new SessionTracker(options.uploadTtlSeconds ?? DEFAULT_UPLOAD_TTL_SECONDS, now),
    // Saves run one after another, each writing the state as it is then, so the file on disk
    // never goes back to an older state when two requests finish together.
    save: () => {
      saving = saving.catch(() => undefined).then(() => parts.store.saveMeta(parts.state.toJSON()));
      return saving;
    },
    onTaggedPush: (event) => {
      webhooks.emit(
        event.repository,
        pushPayload(event, parts.state.repos.get(event.repository), hubBase, now()),
      );
    },
  };
  const limits = options.rateLimits ?? parts.rules.rateLimits;
  const registry = createRegistryHandler(ctx, {
    gate: createAuthGate({
      mode: options.auth ?? (parts.rules.hubTokenService ? 'token' : 'none'),
      users,
      tokens,
      service,
      ...(options.tokenRealm === undefined ? {} : { realm: options.tokenRealm }),
    }),
    ...(limits === false
      ? {}
      : { rateLimiter: new PullRateLimiter(limits === true ? {} : limits, now) }),
  });
  const maxApiBodyBytes = options.maxApiBodyBytes ?? DEFAULT_MAX_API_BODY_BYTES;
  const hub = createHubHandler({
    state: parts.state,
    store: parts.store,
    users,
    now,
    key: randomBytes(32),
    maxBodyBytes: maxApiBodyBytes,
    save: () => ctx.save(),
    ...(options.hubUrl === undefined ? {} : { baseUrl: options.hubUrl }),
    ...(options.hubRateLimit === undefined ? {} : { rateLimit: options.hubRateLimit }),
  });
  // Access tokens restored from `--storage` log in before the first Hub API call.
  void parts.ready
    .then(() => {
      hub.syncAccessTokens();
    })
    .catch(() => undefined);
  const plan = new FaultPlan(options.faults ?? [], options.randomFaults);
  const route = async (request: Request, info: RequestInfo): Promise<Response> => {
    await parts.ready;
    const path = new URL(request.url).pathname;
    if (path === '/token') {
      const bounded = await boundBody(request, maxApiBodyBytes, () =>
        jsonResponse(413, { details: 'request body too large' }),
      );
      return bounded instanceof Response ? bounded : tokens.handle(bounded);
    }
    return (
      (await registry(request, info)) ??
      (await hub(request)) ??
      registryError(404, { code: 'UNKNOWN', message: 'no such route' })
    );
  };
  const handle = async (request: Request, info: RequestInfo = {}): Promise<Response> => {
    const action = plan.next(request.method, new URL(request.url).pathname);
    if (action?.delayMs !== undefined) await new Promise((r) => setTimeout(r, action.delayMs));
    if (action?.expireTokens === true) tokens.expireAll();
    const refused = action === undefined ? undefined : faultResponse(action);
    if (refused !== undefined) {
      await request.body?.cancel().catch(() => undefined);
      return refused;
    }
    const response = await route(request, info).catch((err: unknown) =>
      registryError(500, {
        code: 'UNKNOWN',
        detail: err instanceof Error ? err.message : String(err),
      }),
    );
    return action === undefined ? response : faultBody(response, action);
  };
  return { handle, tokens, webhooks, save: () => ctx.save() };
}
