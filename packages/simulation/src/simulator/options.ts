import { type Clock } from '@llmdevops/docker-hub-core';
import { type FaultRule, type RandomFaults } from '../faults/faults.js';
import { type RateLimitOptions } from '../faults/rate-limit.js';
import { type ProfileName, type ProfileRules } from '../profiles/profiles.js';
import { type BlobStore } from '../storage/blob-store.js';
import { type AuthMode } from '../token-service/auth-gate.js';
import { type SimulatorUser } from '../token-service/users.js';
import { type HubApiRateLimitOptions } from '../hub-api/hub-rate-limit.js';

/** A webhook configured for a repository (Docker Hub sends the push payload to `url`). @public */
export interface WebhookTarget {
  /** `namespace/name`, or a pattern. */
  readonly repository: string | RegExp;
  readonly url: string;
  /** When set, deliveries carry `X-Hub-Signature-256` computed with this secret. */
  readonly secret?: string;
}

/** Options of {@link createSimulator}. @public */
export interface SimulatorOptions {
  /** Behaviour profile (default `oci`); see the README's quirk table. */
  readonly profile?: ProfileName;
  /** Individual rule overrides on top of the profile. */
  readonly rules?: Partial<ProfileRules>;
  /** `memory` (default), `{ directory }` for a store that survives restarts, or your own store. */
  readonly storage?: 'memory' | { readonly directory: string } | BlobStore;
  /** Registry authentication (default `none`; `token` for the `dockerhub` profile). */
  readonly auth?: AuthMode;
  /** Accounts for Basic auth, the token service and Hub logins. */
  readonly users?: readonly SimulatorUser[];
  /** Repository settings: visibility and description (repositories are public by default). */
  readonly repositories?: Readonly<
    Record<string, { readonly private?: boolean; readonly description?: string }>
  >;
  /** Token lifetime in seconds (default 300). */
  readonly tokenExpiresIn?: number;
  /** Fixed token realm (default `<request origin>/token`). */
  readonly tokenRealm?: string;
  /** Token service name (default `registry.docker.io` for `dockerhub`, else `simulation-registry`). */
  readonly service?: string;
  /** Pull rate limits: on by default in the `dockerhub` profile only. */
  readonly rateLimits?: boolean | RateLimitOptions;
  /**
   * The Hub API's own rate limit (`X-RateLimit-*` on every Hub API answer, 429 with `Retry-After`
   * and `X-Retry-After` past it): 600 requests a minute per account by default; `false` turns it off.
   */
  readonly hubRateLimit?: HubApiRateLimitOptions | false;
  /** Scripted faults, checked in order. */
  readonly faults?: readonly FaultRule[];
  /** Seeded random faults. */
  readonly randomFaults?: RandomFaults;
  /** Time source (default the system clock); inject one to move rate-limit windows and token expiry. */
  readonly clock?: Pick<Clock, 'now'>;
  /** Largest manifest accepted (default 4 MiB). */
  readonly maxManifestBytes?: number;
  /**
   * Largest body accepted by the Hub API and the token endpoint (default 64 KiB); larger ones
   * get 413 before authentication, without being read past the limit.
   */
  readonly maxApiBodyBytes?: number;
  /** Seconds an unused upload session lives before it is purged with its bytes (default 86,400: 24 h). */
  readonly uploadTtlSeconds?: number;
  /** Webhooks fired after a push by tag. */
  readonly webhooks?: readonly WebhookTarget[];
  /** Delivery attempts per webhook (default 3). */
  readonly webhookAttempts?: number;
  /** The Hub API's public base URL in paging links (default: the request's origin). */
  readonly hubUrl?: string;
}
